"""What a storage backend provides: one :class:`Store` made of per-table parts.

A backend (``tm.store.sqlite``; PostgreSQL next) implements these protocols and nothing else;
everything that is not a query (checks, de-duplication rules, what an edit or a replacement
keeps, the error texts) is written once, over these parts, in :mod:`tm.store.changes` and
:class:`tm.store.memory.TM`. Parts never open transactions of their own: their writes run
inside :meth:`Store.transaction`, which the caller (``TM``) opens.

Full-text expressions (:class:`FullText`) use the small subset of FTS5's query language the
lookups build: ``"stem"`` quoted terms (:func:`fts_quote`), a quoted phrase ``"a b"``, terms
joined by `` AND `` or `` OR ``, and ``NEAR("a" "b", n)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from tm.store.types import (
    Counts,
    DbSource,
    Document,
    DocumentIn,
    Earlier,
    JobItem,
    Links,
    Saved,
    Unit,
    UnitIn,
    User,
    Version,
)

Inserted = list[tuple[int | None, bool | None]]
"""``(unit id, is new)`` per unit given, ``(None, None)`` for one with an empty side."""


def fts_quote(term: str) -> str:
    """A term (or a phrase of words) as a quoted full-text literal."""
    return '"' + term.replace('"', '""') + '"'


class Units(Protocol):
    """``units`` and the text-index rows that follow each unit's text."""

    def insert(self, buf: Sequence[tuple[int, UnitIn]], document: int | None, origin: str,
               stamp: str) -> Inserted:
        """Insert new texts (stripped, de-duplicated on ``(en, ru, en_markup, ru_markup)``:
        the same words with other inline tags are another unit), link them all to ``document``
        at their positions (``UnitIn.position`` or the given index); a stored duplicate keeps
        the better score (its meta is merged by tm.store.changes, with metas/set_metas)."""
        ...

    def metas(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The ``meta`` of each of ``ids`` that exists (``{}`` when it has none)."""
        ...

    def set_metas(self, updates: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        """Replace the ``meta`` of units: ``(id, meta)``."""
        ...

    def get(self, ids: Iterable[int]) -> dict[int, Unit]: ...

    def iter(self, doc: int | None, since: str | None, min_score: float | None, *,
             with_docs: bool, batch: int) -> Iterator[Unit]: ...

    def count(self) -> int: ...

    def find_exact(self, text: str, side: str) -> list[int]: ...

    def texts(self, ids: Sequence[int], side: str) -> dict[int, str]: ...

    def holder(self, en: str, ru: str, en_markup: str | None, ru_markup: str | None,
               besides: int) -> int | None:
        """Another unit than ``besides`` holding exactly this text and markup, if any."""
        ...

    def set_text(self, old: Unit, en: str, ru: str, en_markup: str | None,
                 ru_markup: str | None, origin: str, changed: str, by: str) -> bool:
        """New text for unit ``old.id``, changed by ``by``, its version one up; its vector and
        word links are dropped (stale). Only if it is still at ``old.version`` (an ``UPDATE
        ... WHERE version = ?``, so no other writer's change is overwritten on a database
        without write locks): False, nothing changed, otherwise."""
        ...

    def bump(self, old: Unit, stamp: str, by: str) -> bool:
        """Unit ``old.id``'s next version, changed now by ``by``, its text as it is (its meta
        changed: confirmed), so a save based on the version before is refused. Only if it is
        still at ``old.version``: False, nothing changed, otherwise."""
        ...

    def delete(self, units: Iterable[Unit]) -> int: ...

    def unlinked(self, ids: Iterable[int]) -> list[int]:
        """Those of ``ids`` that no document holds."""
        ...

    def newest(self, limit: int) -> list[tuple[int, str, str]]: ...


class Documents(Protocol):
    """``documents``, their links to units and ``document_history``."""

    def add(self, doc: DocumentIn, stamp: str) -> int: ...

    def find(self, fingerprint: str) -> int | None: ...

    def fingerprints(self) -> frozenset[str]: ...

    def all(self) -> list[Document]: ...

    def get(self, doc_id: int) -> Document | None: ...

    def meta(self, doc_id: int) -> dict[str, Any]: ...

    def resolve(self, ref: str) -> int | None:
        """A document's id from its id, fingerprint, title or URL."""
        ...

    def unit_ids(self, doc_id: int) -> list[int]: ...

    def link_count(self, doc_id: int) -> int: ...

    def delete(self, doc_id: int) -> None: ...

    def unlink(self, doc_id: int) -> None: ...

    def bump(self, doc_id: int, version: int, stamp: str, by: str) -> bool:
        """Version one up, changed at ``stamp`` by ``by``; only if still at ``version``
        (False, nothing changed, otherwise)."""
        ...

    def unlink_at(self, doc_id: int, position: int) -> list[int]:
        """Remove the document's links at ``position``; the ids of the units they named."""
        ...

    def next_position(self, doc_id: int) -> int:
        """The position after the document's last link (0 for none)."""
        ...

    def describe(self, doc_id: int, title: str | None, url: str | None,
                 date: str | None) -> None: ...

    def save(self, doc_id: int, units: str, title: str | None, url: str | None,
             date: str | None, stamp: str) -> None:
        """Keep a document's units (JSON) and description before a replacement."""
        ...

    def last_saved(self, doc_id: int) -> Saved | None: ...

    def drop_saved(self, saved_id: int) -> None: ...

    def saved_count(self, doc_id: int) -> int: ...


class History(Protocol):
    """``history``: a unit's text before each edit, newest last."""

    def push(self, unit: Unit, stamp: str, by: str) -> None:
        """Keep ``unit`` as it is (text, who made it, version) before ``by`` edits it."""
        ...

    def last(self, unit_id: int) -> tuple[int, Version] | None:
        """``(row id, text before the newest edit)``."""
        ...

    def drop(self, row_id: int) -> None: ...

    def count(self, unit_id: int) -> int: ...

    def list(self, unit_id: int) -> list[Earlier]: ...


class FullText(Protocol):
    """Stemmed full-text lookups over one side of the units (see the module docstring)."""

    def ids(self, lang: str, expr: str, limit: int) -> list[int]: ...

    def ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]: ...

    def count(self, lang: str, term: str, cap: int) -> int: ...

    def most_shared(self, lang: str, terms: Sequence[str], per_term: int,
                    limit: int) -> list[int]: ...


class Vectors(Protocol):
    """``embeddings``: one int8 vector per unit."""

    def has(self) -> bool: ...

    def count(self, above: int) -> int: ...

    def stamp(self) -> tuple[int, int]: ...

    def store(self, rows: Iterable[tuple[int, bytes]]) -> None: ...

    def delete(self, ids: Iterable[int] | None) -> None: ...

    def after(self, above: int, limit: int | None) -> list[tuple[int, bytes]]: ...

    def changed(self, since: str, up_to: int) -> list[tuple[int, bytes | None]]: ...

    def sample(self, n: int) -> list[bytes]: ...

    def missing(self, batch: int) -> Iterator[list[tuple[int, str, str]]]: ...

    @property
    def in_database(self) -> bool:
        """Whether :meth:`nearest` searches inside the database (else the process searches
        the vectors itself: tm.vectors.ann)."""
        ...

    def nearest(self, q: Sequence[float], k: int) -> list[tuple[int, float]]:
        """``(unit id, dot product with the int8 vector / 127)`` of the ``k`` nearest."""
        ...


class Terms(Protocol):
    """``lexicon`` and ``unit_links``."""

    def lexicon_rows(self, keys: Iterable[str], lang: str) -> dict[str, dict[str, float]]: ...

    def links(self, ids: Sequence[int]) -> dict[int, Links]: ...

    def has_lexicon(self) -> bool: ...

    def coverage(self) -> tuple[int, int]: ...

    def replace(self, entries: Iterable[tuple[str, str, float]],
                links: Iterable[tuple[int, Links]]) -> None: ...


class Users(Protocol):
    """``users``: the people of a shared desk; a token only as its SHA-256 (hex)."""

    def add(self, user: User, token_sha256: str) -> bool:
        """False when the name is taken."""
        ...

    def all(self) -> list[User]: ...

    def count(self) -> int: ...

    def by_token(self, token_sha256: str) -> User | None: ...

    def remove(self, name: str) -> bool: ...

    def set_token(self, name: str, token_sha256: str) -> bool: ...


class Jobs(Protocol):
    """``batch_items``: the pairs of an ``add --batch`` list (``job``: the list's SHA-256,
    ``item``: its index) shared by workers on several machines. A worker claims the first
    waiting pair, or one whose claim expired (its worker died), until ``until``; PostgreSQL
    takes it with ``SELECT ... FOR UPDATE SKIP LOCKED`` in the claiming ``UPDATE``."""

    def enqueue(self, job: str, count: int) -> None:
        """Items ``0 .. count - 1`` as waiting, unless present (a second worker, a rerun)."""
        ...

    def claim(self, job: str, host: str, worker: str, now: float, until: float) -> int | None:
        """The item claimed (None: nothing waiting, nothing expired)."""
        ...

    def finish(self, job: str, item: int, worker: str, state: str, message: str | None,
               stamp: str) -> bool:
        """``done`` or ``failed``; False when the claim was no longer this worker's."""
        ...

    def progress(self, job: str) -> list[JobItem]: ...


class Settings(Protocol):
    """``settings``: key/value pairs (the embedding model, the vector index's state...)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete_prefix(self, prefix: str) -> None: ...


class Store(Protocol):
    """One open memory of a backend: its parts, its transactions and its lifecycle."""

    @property
    def units(self) -> Units: ...

    @property
    def documents(self) -> Documents: ...

    @property
    def history(self) -> History: ...

    @property
    def text(self) -> FullText: ...

    @property
    def vectors(self) -> Vectors: ...

    @property
    def terms(self) -> Terms: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def users(self) -> Users: ...

    @property
    def jobs(self) -> Jobs: ...

    @property
    def shared_batches(self) -> bool:
        """Whether ``add --batch`` shares its list with other machines by default (a server
        database: True; a file on one machine: False, unless asked with ``--shared``)."""
        ...

    @property
    def path(self) -> Path: ...

    @property
    def source(self) -> DbSource: ...

    @property
    def readonly(self) -> bool: ...


    @property
    def schema_version(self) -> int: ...

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction (rolled back if the block raises); re-entrant."""
        ...

    def patience(self, ms: int) -> AbstractContextManager[None]:
        """Wait at most ``ms`` for another writer's lock inside the block."""
        ...

    def data_version(self) -> int:
        """Changes whenever another connection commits."""
        ...

    def counts(self) -> Counts: ...

    def backup(self, dest: Path) -> int:
        """A consistent copy of the open memory written to ``dest`` (its size in bytes), or a
        :class:`TMError` that names the backend's own tool for it."""
        ...

    def follow(self, other: Store) -> None:
        """Check writes against the file ``other`` opened (:mod:`tm.store.watch`): a memory
        deleted or replaced under both is refused by both, whichever opened later."""
        ...

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` with the columns of :data:`tm.store.rows.TABLES`, in order."""
        ...

    def put(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows as :meth:`rows` gives them (with their ids), indexing units' text."""
        ...

    def finish_copy(self) -> None:
        """Bring what the backend derives from the rows (totals, indexes) up to date."""
        ...

    def size(self) -> int:
        """Bytes on disk (the file and its WAL; the database on a server)."""
        ...

    def explain(self, exc: BaseException) -> str | None:
        """One line for a database error of this backend met inside a ``with TM`` block,
        None for any other exception."""
        ...

    def close(self) -> None: ...
