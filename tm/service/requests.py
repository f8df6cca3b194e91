"""Typed requests and results of the service layer (frozen dataclasses; JSON-ready)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from align.embed import DEFAULT_MODEL
from tm.choices import Kind, Mode, SegType
from tm.search.searcher import Match
from tm.store import Document, Unit

if TYPE_CHECKING:
    from tm.service.shapes import HitJSON

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
    unit_id: int
    en: str | None = None
    ru: str | None = None


@dataclass(frozen=True)
class DocumentDeleted:
    document: Document
    links: int
    units: int
