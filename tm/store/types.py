"""Values the store takes and returns: units, documents, counts, and small hashing helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Literal, NamedTuple

Origin = Literal["aligned", "imported", "edited", "translated"]
MAX_SEGMENT = 10_000
"""The longest text a unit's side may hold, in characters. align splits sentences at
``align.segment.MAX_CHARS`` (2,000) and a bead joins a few sentences, so aligned units stay
below it; a longer TMX segment is a document, not a sentence (it is refused at import, counted
in the report), and the cap keeps every lookup's work bounded (fuzzy scoring reads at most this
much of a text; longer texts stored earlier are left out of the candidates)."""
ORIGINS: tuple[str, ...] = ("aligned", "imported", "edited", "translated")
"""aligned (by `add`), imported (TMX), edited (corrected by hand), translated (a segment
confirmed in the desk's translate page)."""
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


def token_sha256(token: str) -> str:
    """How a desk token is kept: its SHA-256, hex. A token is 32 random bytes (256 bits), so
    no guessing can find one from its hash and a slow, salted hash (scrypt) would add nothing
    but ~50 ms to every request; an unsalted hash is also what lets a request's token be found
    with one indexed lookup."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    created_by: str | None = None
    changed_by: str | None = None
    """Who made and who last changed it (TMX ``creationid``/``changeid``; default: the actor,
    :func:`tm.store.actor.current`)."""
    id: int | None = None
    """The id the unit should get when it is new and the id is free (undoing an editor save
    puts units back under the ids they had); None: the next id."""


REVIEWED = "reviewed"
"""Key of a unit's ``meta`` that says when someone confirmed its alignment as it stands."""


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
    version: int = 1
    """Bumped by every change of its text: a save based on an older one is refused
    (:class:`tm.errors.Conflict`)."""
    created_by: str | None = None
    changed_by: str | None = None

    @property
    def unreviewed(self) -> str | None:
        """"unreviewed alignment, 0.62" for an aligned unit whose confidence is under the weak
        threshold that ``align`` flags and the editor marks (align.types.WEAK_BELOW, 0.85),
        until someone edits it (its origin becomes ``edited``) or confirms it (``meta`` then
        holds :data:`REVIEWED`, the time); None otherwise."""
        from align.types import WEAK_BELOW

        if (self.origin != "aligned" or self.score is None or self.score >= WEAK_BELOW
                or self.meta.get(REVIEWED)):
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
    version: int = 1
    """Bumped by every replacement of its units (the alignment editor's saves and undos)."""
    changed: str | None = None
    changed_by: str | None = None


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
    """A memory: a file, or a PostgreSQL database (``uri``; ``path`` then shows it without
    its password)."""

    path: Path
    source: DbSource
    uri: str | None = None


@dataclass(frozen=True)
class Earlier:
    """A unit's text before one of its edits: ``origin`` and ``changed`` as they were then,
    ``edited`` when it was replaced."""

    en: str
    ru: str
    origin: str
    changed: str
    edited: str
    changed_by: str | None = None
    """Who made the text as it was (None: before people were recorded)."""
    edited_by: str | None = None
    """Who replaced it."""
    version: int | None = None
    """The unit's version that held this text."""


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


ROLES: tuple[str, ...] = ("reader", "translator", "admin")
"""What a person may do on a shared desk, each role all the one before it may: readers look up,
translators also add, edit, review and save, admins also delete, import and manage people."""


@dataclass(frozen=True)
class User:
    """A person of the memory (``diptych users``); the token is kept only as its hash."""

    name: str
    role: str
    created: str
    created_by: str | None = None


@dataclass(frozen=True)
class JobItem:
    """One pair of a shared ``add --batch`` list: ``waiting``, ``running`` (on ``host``, by
    ``worker``, its claim expiring at ``until``, Unix seconds), ``done`` or ``failed``
    (``message`` says why)."""

    item: int
    state: str
    host: str | None
    worker: str | None
    until: float | None
    finished: str | None
    message: str | None


class Version(NamedTuple):
    """A unit's text as it was before an edit: what undoing the edit restores."""

    en: str
    ru: str
    en_markup: str | None
    ru_markup: str | None
    origin: str
    changed: str
