"""Typed requests and results of the service layer (frozen dataclasses; JSON-ready)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from align.embed import DEFAULT_MODEL
from tm.choices import Kind, Mode, SegType
from tm.errors import TMError
from tm.search.searcher import Match
from tm.store import Document, Unit

if TYPE_CHECKING:
    from tm.service.shapes import HitJSON

MAX_TITLE = 1_000
"""Longest document title kept (characters): a headline is under 200; the editor's form takes
1,000, so a longer one (a 2 MB title from a TMX) is cut there, not stored whole."""


def clean_segment(text: str, what: str) -> str:
    """A segment as every way in stores it: control characters dropped
    (:func:`align.clean.clean_text`), outer spaces stripped; :class:`TMError` when nothing is
    left (an empty segment would export as an empty ``<seg>`` and match every empty query)."""
    from align.clean import clean_text

    cleaned = clean_text(text).strip()
    if not cleaned:
        raise TMError(f"{what} cannot be empty (control characters are dropped): give it"
                      " some text; to remove a unit, use diptych delete --unit")
    return cleaned


def clean_title(title: str | None) -> str | None:
    """A document title (or URL) as stored: control characters dropped, one line, at most
    :data:`MAX_TITLE` characters; None when nothing is left."""
    from align.clean import clean_text

    if title is None:
        return None
    cleaned = " ".join(clean_text(title).split())[:MAX_TITLE]
    return cleaned or None



class ArticleKind(str, Enum):
    """What an article given to :func:`tm.service.read_article` is."""

    source = "source"  # a file path or a URL
    text = "text"
    html = "html"
    url = "url"


@dataclass(frozen=True)
class SearchRequest:
    query: str
    mode: Mode = Mode.auto
    lang: str | None = None
    limit: int = 10
    min_match: int | None = None  # None: 50 in fuzzy mode (tm.search.auto.MIN_FUZZY), else 0
    model: str | None = None


@dataclass(frozen=True)
class Hit:
    """A search hit with the title of the unit's first document (the fields of ``search
    --json`` and of the web API): ``match`` is the CAT match % (exact/fuzzy) or None,
    ``similarity`` the calibrated similarity of a semantic neighbour or None, ``spans`` where
    the query (or the matched sentence, ``part``) stands on the ``lang`` side, ``translation``
    and ``translation_span`` the words of the other side that translate it."""

    unit: Unit
    match: int | None
    kind: Kind
    lang: str
    doc: str | None
    similarity: float | None = None
    spans: tuple[tuple[int, int], ...] = ()
    translation: str | None = None
    translation_span: tuple[int, int] | None = None
    part: bool = False

    @classmethod
    def of(cls, m: Match, titles: Mapping[int, str]) -> Hit:
        doc = m.unit.docs[0][0] if m.unit.docs else None
        t = m.translation
        return cls(m.unit, m.match, m.kind, m.lang, None if doc is None else titles.get(doc),
                   m.similarity, m.spans, None if t is None else t.text,
                   None if t is None else (t.start, t.stop), m.part)

    def to_json(self) -> HitJSON:
        """The fields of ``search --json`` and of the web API's hits (:mod:`tm.service.shapes`)."""
        from tm.service.shapes import hit_json

        return hit_json(self)


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class PretranslateRequest:
    text: str
    lang: str | None = None
    min_fill: int = 75


@dataclass(frozen=True)
class AddRequest:
    """One article pair (files or URLs) to align and store."""

    en: str
    ru: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    min_score: float = 0.5
    model: str = DEFAULT_MODEL
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    keep_weak: bool = False
    """Store the beads under ``min_score`` too (they are counted either way)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean_title(self.title))
        object.__setattr__(self, "url", clean_title(self.url))


@dataclass(frozen=True)
class BatchRequest:
    """A pair list (``diptych pair``'s output) to align and store on all cores."""

    pairs: Path
    min_score: float = 0.5
    model: str = DEFAULT_MODEL
    workers: int | None = None
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    keep_weak: bool = False
    shared: bool | None = None
    """Share the list with workers on other machines through the memory's job table
    (tm.ingest.shared); None: the backend's default (PostgreSQL yes, SQLite no)."""
    lease: float | None = None
    """A shared run: seconds a claim holds before another worker may take the pair over
    (None: tm.ingest.shared.LEASE, 600 s)."""


@dataclass(frozen=True)
class ExportRequest:
    doc: str | None = None
    since: str | None = None
    min_score: float | None = None
    segtype: SegType = SegType.sentence


@dataclass(frozen=True)
class IndexRequest:
    model: str = DEFAULT_MODEL
    batch: int = 256
    rebuild: bool = False


@dataclass(frozen=True)
class EditRequest:
    """New text for one or both sides of a unit, cleaned as it is made (:func:`clean_segment`:
    an edit of only control characters is refused, not stored empty)."""

    unit_id: int
    en: str | None = None
    ru: str | None = None
    version: int | None = None
    """The unit's version the change is based on (None: whatever is stored)."""

    def __post_init__(self) -> None:
        for side, name in (("en", "the English side"), ("ru", "the Russian side")):
            value = getattr(self, side)
            if value is not None:
                object.__setattr__(self, side, clean_segment(value, name))


@dataclass(frozen=True)
class DocumentDeleted:
    document: Document
    links: int
    units: int
