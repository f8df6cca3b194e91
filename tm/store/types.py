"""Values the store takes and returns: units, documents, counts, and small hashing helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Literal, NamedTuple

Origin = Literal["aligned", "imported", "edited"]
MAX_SEGMENT = 10_000
"""The longest text a unit's side may hold, in characters. align splits sentences at
``align.segment.MAX_CHARS`` (2,000) and a bead joins a few sentences, so aligned units stay
below it; a longer TMX segment is a document, not a sentence (it is refused at import, counted
in the report), and the cap keeps every lookup's work bounded (fuzzy scoring reads at most this
much of a text; longer texts stored earlier are left out of the candidates)."""
ORIGINS: tuple[str, ...] = ("aligned", "imported", "edited")
Links = set[tuple[int, int]]
"""A unit's word links: (English token index, Russian token index) pairs."""


def encode_links(links: Links) -> bytes:
    """Links as stored: ``i0 j0 i1 j1 ...``, uint8 (a token past the 255th is not linked)."""
    return bytes(v for i, j in sorted(links) if i < 256 and j < 256 for v in (i, j))


def decode_links(blob: bytes) -> Links:
    return {(blob[k], blob[k + 1]) for k in range(0, len(blob) - 1, 2)}


def now_iso() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_key(text: str) -> int:
    """A signed 64-bit hash of a text, indexed for exact lookups and de-duplication."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big",
                          signed=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (document fingerprints)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


KEEP_STORED = frozenset({"undated"})
"""``meta`` keys a duplicate never adds to: marks of what a unit LACKS (tm.tmx.convert's dates
a TU did not have) hold only while every copy lacks it."""


def merge_meta(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any] | None:
    """``old`` with what a duplicate's ``new`` adds, or None when it adds nothing: keys old
    lacks are added, lists take the items they lack (a second ``tuid`` pair, more props and
    notes, other variants) in order, objects merge recursively; a scalar old has is kept."""
    out = dict(old)
    changed = False
    for key, value in new.items():
        if key in KEEP_STORED:
            continue
        have = out.get(key)
        if key not in out:
            out[key] = value
        elif isinstance(have, list) and isinstance(value, list):
            more = [v for v in value if v not in have]
            if not more:
                continue
            out[key] = have + more
        elif isinstance(have, Mapping) and isinstance(value, Mapping):
            inner = merge_meta(have, value)
            if inner is None:
                continue
            out[key] = inner
        else:
            continue
        changed = True
    return out if changed else None


@dataclass(frozen=True)
class UnitIn:
    """A unit to add. Empty ``en`` or ``ru`` (after stripping) is skipped, never stored."""

    en: str
    ru: str
    score: float | None = None
    position: int | None = None
    en_lang: str = "en"
    ru_lang: str = "ru"
    en_markup: str | None = None
    ru_markup: str | None = None
    meta: Mapping[str, Any] | None = None
    created: str | None = None
    changed: str | None = None


@dataclass(frozen=True)
class Unit:
    """A stored unit. ``docs`` lists ``(document id, position)`` for every document it came from."""

    id: int
    en: str
    ru: str
    score: float | None
    origin: str
    created: str
    changed: str
    en_lang: str = "en"
    ru_lang: str = "ru"
    en_markup: str | None = None
    ru_markup: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    docs: tuple[tuple[int, int], ...] = ()

    @property
    def unreviewed(self) -> str | None:
        """"unreviewed alignment, 0.62" for an aligned unit whose confidence is under the weak
        threshold that ``align`` flags and the editor marks (align.types.WEAK_BELOW, 0.85),
        until someone edits it (its origin becomes ``edited``); None otherwise."""
        from align.types import WEAK_BELOW

        if self.origin != "aligned" or self.score is None or self.score >= WEAK_BELOW:
            return None
        return f"unreviewed alignment, {self.score:.2f}"


@dataclass(frozen=True)
class DocumentIn:
    """A source of units: an article pair (title, URL, date, file hashes) or an imported file."""

    title: str | None = None
    url: str | None = None
    date: str | None = None
    en_path: str | None = None
    ru_path: str | None = None
    en_sha256: str | None = None
    ru_sha256: str | None = None
    fingerprint: str | None = None
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Document:
    id: int
    title: str | None
    url: str | None
    date: str | None
    en_path: str | None
    ru_path: str | None
    en_sha256: str | None
    ru_sha256: str | None
    fingerprint: str | None
    added: str
    units: int = 0


@dataclass(frozen=True)
class AddCounts:
    """What :meth:`TM.add_units` did: new units, units already stored (linked to the document
    if one was given), and pairs skipped because a side was empty."""

    added: int = 0
    existing: int = 0
    skipped: int = 0
    merged: int = 0
    """Of ``existing``, the units whose stored ``meta`` took in the duplicate's (merge_meta)."""
    merged_keys: Mapping[str, int] = field(default_factory=dict)
    """Per top-level ``meta`` key (``attrs``, ``props``, ``notes``...), how many of those grew."""

    def __str__(self) -> str:
        return f"{self.added} new units, {self.existing} already stored, {self.skipped} skipped"


@dataclass(frozen=True)
class Counts:
    """Row counts of a memory, by table and by group (``diptych stats``)."""

    units: int
    documents: int
    links: int
    embedded: int
    languages: Mapping[str, int]
    origins: Mapping[str, int]


class DbSource(str, Enum):
    """Where the database path came from (the rule of :func:`tm.store.locate`)."""

    option = "--db"
    env = "DIPTYCH_DB"
    folder = "current folder or a parent"
    default = "user data folder"


@dataclass(frozen=True)
class DbLocation:
    path: Path
    source: DbSource


@dataclass(frozen=True)
class Earlier:
    """A unit's text before one of its edits: ``origin`` and ``changed`` as they were then,
    ``edited`` when it was replaced."""

    en: str
    ru: str
    origin: str
    changed: str
    edited: str


@dataclass(frozen=True)
class Saved:
    """A document as it was before a replacement: its units as JSON and its description."""

    id: int
    units: str
    title: str | None
    url: str | None
    date: str | None


@dataclass(frozen=True)
class Written:
    """What writing a document's units did: ``linked`` is ``(unit id, is new)`` for each
    unit in order; ``removed`` counts the old units deleted (no document held them any more);
    ``undoable`` how many replacements of the document can be undone."""

    doc_id: int
    linked: tuple[tuple[int, bool], ...]
    removed: int = 0
    undoable: int = 0

    @property
    def units(self) -> int:
        return len(self.linked)

    @property
    def added(self) -> int:
        """Units new to the memory."""
        return sum(new for _, new in self.linked)


class Version(NamedTuple):
    """A unit's text as it was before an edit: what undoing the edit restores."""

    en: str
    ru: str
    en_markup: str | None
    ru_markup: str | None
    origin: str
    changed: str
