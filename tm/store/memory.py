""":class:`TM`, a translation memory: one backend's :class:`tm.store.interface.Store` behind
the methods every caller uses. Reads go straight to the store's parts; each write is one
transaction around a part's write or a change of :mod:`tm.store.changes`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm.errors import TMError
from tm.store import changes
from tm.store.interface import Store
from tm.store.location import locate, shown
from tm.store.types import (
    AddCounts,
    Counts,
    DbSource,
    Document,
    DocumentIn,
    Earlier,
    JobItem,
    Links,
    Origin,
    Unit,
    UnitIn,
    User,
    Written,
    now_iso,
    token_sha256,
)

if TYPE_CHECKING:
    from typing import Self


def side(lang: str) -> str:
    """The column prefix of a language: ``en`` or ``ru``."""
    s = lang.lower()[:2]
    if s not in ("en", "ru"):
        raise TMError(f"unknown language {lang!r}: use en or ru")
    return s


class TM:
    """A translation memory. Open with :meth:`open`; close, or use ``with``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True,
             readonly: bool = False) -> Self:
        """Open (or create) the memory ``path`` names (None: the rule of
        :func:`tm.store.locate`) and bring its schema up to date; ``create=False`` refuses a
        missing one, ``readonly=True`` (search, stats, export...) never changes it."""
        where = locate(path)
        if where.uri is not None:
            from tm.store.postgres.store import PgStore

            return cls(PgStore.open(where.uri, where.source, create=create, readonly=readonly))
        from tm.store.sqlite.store import SqliteStore

        return cls(SqliteStore.open(where, create=create, readonly=readonly))

    # ------------------------------------------------------------------ lifecycle
    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def shown(self) -> Path | str:
        """The memory for messages: its file, or its URI without the password."""
        uri = getattr(self.store, "uri", None)
        return shown(str(uri)) if uri else self.path

    @property
    def target(self) -> str:
        """What another process opens to reach this memory: the file's absolute path, or the
        PostgreSQL URI (with its password: never show it; :attr:`path` is for messages)."""
        uri = getattr(self.store, "uri", None)
        return str(uri) if uri else str(self.path.resolve())

    @property
    def source(self) -> DbSource:
        return self.store.source

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    @property
    def conn(self) -> Any:
        """The backend's connection (tests and benches look inside; code never does)."""
        return getattr(self.store, "conn", None)

    @property
    def schema_version(self) -> int:
        return self.store.schema_version

    def data_version(self) -> int:
        """Changes when another connection (this process or another) commits, so a cache
        built on this one knows it is stale."""
        return self.store.data_version()

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction; rolled back if the block raises. Re-entrant."""
        return self.store.transaction()

    def patience(self, ms: int) -> AbstractContextManager[None]:
        return self.store.patience(ms)

    def close(self) -> None:
        self.store.close()

    def backup(self, dest: Path) -> int:
        """Copy the memory to ``dest`` (see the backend's ``backup``); its size in bytes."""
        return self.store.backup(dest)

    def follow(self, other: TM) -> None:
        """Refuse writes whenever ``other``'s file is gone (:mod:`tm.store.watch`): the desk's
        threads open their own connections and all follow the first."""
        self.store.follow(other.store)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        """Close; a database error from inside the block (a damaged page, a full disk)
        becomes a :class:`TMError` in one line."""
        self.close()
        message = None if exc is None else self.store.explain(exc)
        if message is not None:
            raise TMError(message) from None

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str) -> str | None:
        return self.store.settings.get(key)

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.store.settings.set(key, value)

    def delete_settings(self, prefix: str) -> None:
        """Remove every setting whose key starts with ``prefix``."""
        with self.transaction():
            self.store.settings.delete_prefix(prefix)

    # ------------------------------------------------------------------ documents
    def add_document(self, doc: DocumentIn) -> tuple[int, bool]:
        """Store a document: ``(id, True)``, or ``(existing id, False)`` when a document with
        the same fingerprint is already stored."""
        with self.transaction():
            return changes.add_document(self.store, doc)

    def find_document(self, fingerprint: str) -> int | None:
        return self.store.documents.find(fingerprint)

    def fingerprints(self) -> frozenset[str]:
        return self.store.documents.fingerprints()

    def documents(self) -> list[Document]:
        """All documents, oldest first, with their unit counts."""
        return self.store.documents.all()

    def get_document(self, doc_id: int) -> Document | None:
        return self.store.documents.get(doc_id)

    def document_meta(self, doc_id: int) -> dict[str, Any]:
        return self.store.documents.meta(doc_id)

    def resolve_document(self, ref: str) -> int:
        """A document id from a ``--doc`` value: its id, fingerprint, title or URL."""
        found = self.store.documents.resolve(ref)
        if found is None:
            raise TMError(f"no document {ref!r} in {self.path}: `diptych documents` lists them")
        return found

    def store_document(self, doc: DocumentIn, units: Sequence[tuple[UnitIn, Origin]]) -> Written:
        """A new document and its units, each with its origin; refused when a document with
        the same fingerprint is stored already."""
        with self.transaction():
            return changes.store_document(self.store, doc, units)

    def replace_document(self, doc_id: int, units: Sequence[tuple[UnitIn, Origin]], *,
                         title: str | None = None, url: str | None = None,
                         date: str | None = None, version: int | None = None,
                         seen: Mapping[int, int] | None = None) -> Written:
        """Give a document new units, and a new title, URL or date where one is given (undo
        with :meth:`undo_replace`). With ``version`` (the document's, as read) and ``seen``
        (unit id -> version, as read), refused when either changed meanwhile."""
        with self.transaction():
            return changes.replace_document(self.store, doc_id, units, title, url, date,
                                            version, seen)

    def undo_replace(self, doc_id: int, version: int | None = None) -> Written:
        """Give a document back the units it had before its last replacement."""
        with self.transaction():
            return changes.undo_replace(self.store, doc_id, version)

    def place_unit(self, doc_id: int, position: int, unit: UnitIn,
                   origin: Origin) -> tuple[int, bool]:
        """Make ``unit`` the document's unit at ``position`` (replacing the one there):
        ``(unit id, is new)``."""
        with self.transaction():
            return changes.place_unit(self.store, doc_id, position, unit, origin)

    def append_unit(self, doc_id: int, unit: UnitIn, origin: Origin) -> tuple[int, bool]:
        """Add ``unit`` after the document's last unit, the document's version one up:
        ``(unit id, is new)``."""
        with self.transaction():
            return changes.append_unit(self.store, doc_id, unit, origin)

    def next_position(self, doc_id: int) -> int:
        """The position after a document's last unit (0 for an empty document)."""
        return self.store.documents.next_position(doc_id)

    def replacements(self, doc_id: int) -> int:
        """How many replacements of a document can be undone."""
        return self.store.documents.saved_count(doc_id)

    def delete_document(self, doc_id: int) -> tuple[int, int]:
        """Delete a document and its links; units no longer linked to any document are deleted
        too. Returns ``(links removed, units deleted)``."""
        with self.transaction():
            return changes.delete_document(self.store, doc_id)

    # ------------------------------------------------------------------ adding units
    def add_units(self, units: Iterable[UnitIn], *, document: int | None = None,
                  origin: Origin = "imported", batch: int = 2000) -> AddCounts:
        """Add units in ONE transaction (all or nothing); duplicates link to the stored unit
        and add their meta to its (``AddCounts.merged`` counts those, ``merged_keys`` what).

        ``units`` is consumed as a stream, ``batch`` at a time (memory stays bounded).
        """
        counts = [0, 0, 0]  # added, existing, skipped
        merged: Counter[str] = Counter()
        stamp = now_iso()

        def flush(buf: list[tuple[int, UnitIn]]) -> None:
            out, more = changes.insert_merging(self.store, buf, document, origin, stamp)
            for _, new in out:
                counts[0 if new else 2 if new is None else 1] += 1
            merged.update(more)

        with self.transaction():
            buf: list[tuple[int, UnitIn]] = []
            for position, u in enumerate(units):
                buf.append((position, u))
                if len(buf) >= batch:
                    flush(buf)
                    buf = []
            flush(buf)
        added, existing, skipped = counts
        return AddCounts(added, existing, skipped, merged.pop("units", 0), dict(merged))

    def insert_units(self, units: Sequence[UnitIn], *, document: int | None = None,
                     origin: Origin = "imported") -> list[tuple[int | None, bool | None]]:
        """Like :meth:`add_units` for a short list, returning ``(id, is_new)`` per unit in
        order (``(None, None)`` for a unit with an empty side)."""
        with self.transaction():
            return changes.insert(self.store, list(enumerate(units)), document, origin,
                                  now_iso())

    def add_unit(self, u: UnitIn, *, document: int | None = None,
                 origin: Origin = "imported") -> tuple[int | None, bool]:
        """Add one unit: ``(id, is_new)``, or ``(None, False)`` when a side is empty."""
        ((unit_id, new),) = self.insert_units([u], document=document, origin=origin)
        return unit_id, bool(new)

    # ------------------------------------------------------------------ reading units
    def get_unit(self, unit_id: int) -> Unit | None:
        return self.store.units.get([unit_id]).get(unit_id)

    def get_units(self, ids: Iterable[int]) -> dict[int, Unit]:
        """Units by id, with their documents, in one query (missing ids are absent)."""
        return self.store.units.get(ids)

    def iter_units(self, doc: int | None = None, since: str | None = None,
                   min_score: float | None = None, *, with_docs: bool = False,
                   batch: int = 1000) -> Iterator[Unit]:
        """Stream units in id order (or in document order with ``doc``), in constant memory.

        ``since`` keeps units changed at or after an ISO date/time; ``min_score`` keeps units
        whose alignment score is at least that (units without a score, e.g. imported, pass).
        """
        return self.store.units.iter(doc, since, min_score, with_docs=with_docs, batch=batch)

    def count_units(self) -> int:
        return self.store.units.count()

    def find_exact(self, text: str, lang: str) -> list[int]:
        """Ids of units whose ``lang`` side is exactly ``text`` (after stripping)."""
        return self.store.units.find_exact(text.strip(), side(lang))

    def texts(self, ids: Sequence[int], lang: str) -> dict[int, str]:
        """One side's text of each unit (for scoring candidates). A text over
        :data:`MAX_SEGMENT` characters (stored before import refused them) is left out: no
        lookup spends seconds on a document stored as one unit."""
        return self.store.units.texts(ids, side(lang))

    def newest_texts(self, limit: int) -> list[tuple[int, str, str]]:
        """``(id, en, ru)`` of the ``limit`` newest units, newest first (what a fit aligns)."""
        return self.store.units.newest(limit)

    # ------------------------------------------------------------------ edits
    def edit_unit(self, unit_id: int, *, en: str | None = None, ru: str | None = None,
                  version: int | None = None) -> Unit:
        """Give a unit new text on one or both sides; its origin becomes ``edited`` and the old
        text goes to ``history``. Its vector is dropped (``diptych index`` recomputes it).
        With ``version``, refused (:class:`tm.errors.Conflict`) unless the unit is at it."""
        with self.transaction():
            return changes.edit_unit(self.store, unit_id, en, ru, version)

    def confirm_unit(self, unit_id: int, version: int | None = None) -> Unit:
        """Confirm a unit's alignment as it stands: no more "unreviewed alignment"; its version
        goes one up. With ``version``, refused (:class:`tm.errors.Conflict`) unless the unit
        is at it."""
        with self.transaction():
            return changes.confirm_unit(self.store, unit_id, version)

    def undo_edit(self, unit_id: int, version: int | None = None) -> Unit:
        """Restore the text a unit had before its last edit (and forget that edit)."""
        with self.transaction():
            return changes.undo_edit(self.store, unit_id, version)

    def edits(self, unit_id: int) -> int:
        """How many edits of a unit can be undone."""
        return self.store.history.count(unit_id)

    def history(self, unit_id: int) -> list[Earlier]:
        """The unit's earlier texts, newest first (the first is what ``undo_edit`` restores)."""
        return self.store.history.list(unit_id)

    def delete_unit(self, unit_id: int, version: int | None = None) -> Unit:
        """Delete a unit (its links, vector and history go with it); returns what it was.
        With ``version``, refused (:class:`tm.errors.Conflict`) unless the unit is at it."""
        with self.transaction():
            return changes.delete_unit(self.store, unit_id, version)

    # ------------------------------------------------------------------ full text
    def fts_ids(self, lang: str, expr: str, limit: int) -> list[int]:
        """Ids of units whose ``lang`` side matches the expression, newest first."""
        return self.store.text.ids(lang, expr, limit)

    def fts_ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]:
        """The ``limit`` best by BM25 among the ``pool`` newest matching units."""
        return self.store.text.ranked(lang, expr, pool, limit)

    def fts_count(self, lang: str, term: str, cap: int) -> int:
        """How many units hold ``term`` (a stem) on side ``lang``, counted up to ``cap``."""
        return self.store.text.count(lang, term, cap)

    def fts_most_shared(self, lang: str, terms: Sequence[str], per_term: int,
                        limit: int) -> list[int]:
        """Ids of the units holding the most of ``terms``; most shared first, then newest."""
        return self.store.text.most_shared(lang, terms, per_term, limit)

    # ------------------------------------------------------------------ vectors
    def has_vectors(self) -> bool:
        return self.store.vectors.has()

    def count_vectors(self, above: int = 0) -> int:
        """Stored vectors of units with an id over ``above``."""
        return self.store.vectors.count(above)

    def vector_stamp(self) -> tuple[int, int]:
        """(how many vectors, the highest unit id holding one): changes when vectors are added
        or dropped, so a process holding them in memory knows to reload."""
        return self.store.vectors.stamp()

    def store_vectors(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """Store (or replace) ``(unit id, int8 bytes)`` rows."""
        with self.transaction():
            self.store.vectors.store(rows)

    def delete_vectors(self, ids: Iterable[int] | None = None) -> None:
        """Drop the vectors of ``ids`` (all of them with None)."""
        with self.transaction():
            self.store.vectors.delete(ids)

    def vectors_after(self, above: int, limit: int | None = None) -> list[tuple[int, bytes]]:
        """``(unit id, int8 bytes)`` of the vectors over ``above``, in id order."""
        return self.store.vectors.after(above, limit)

    def changed_vectors(self, since: str, *, up_to: int) -> list[tuple[int, bytes | None]]:
        """``(unit id, int8 bytes or None)`` of the units with an id up to ``up_to`` whose text
        changed at or after ``since`` (an edit drops the vector: None until the next index)."""
        return self.store.vectors.changed(since, up_to)

    @property
    def vectors_in_database(self) -> bool:
        """Whether semantic search runs inside the database (PostgreSQL with pgvector)."""
        return self.store.vectors.in_database

    def nearest_vectors(self, q: Sequence[float], k: int) -> list[tuple[int, float]]:
        """``(unit id, cosine)`` of the ``k`` units nearest to unit vector ``q``, searched
        inside the database."""
        return self.store.vectors.nearest(q, k)

    def sample_vectors(self, n: int) -> list[bytes]:
        """``n`` stored vectors picked at random (k-means training)."""
        return self.store.vectors.sample(n)

    def missing_vectors(self, batch: int) -> Iterator[list[tuple[int, str, str]]]:
        """Batches of ``(id, en, ru)`` of units without a vector, in id order."""
        return self.store.vectors.missing(batch)

    # ------------------------------------------------------------------ terms
    def lexicon_rows(self, keys: Iterable[str], lang: str) -> dict[str, dict[str, float]]:
        """``{key: {other-language key: score}}`` for the words ``keys`` of side ``lang``."""
        return self.store.terms.lexicon_rows(keys, lang)

    def unit_links(self, ids: Sequence[int]) -> dict[int, Links]:
        """The stored word links of the units ``ids`` (absent: not aligned yet)."""
        return self.store.terms.links(ids)

    def has_lexicon(self) -> bool:
        return self.store.terms.has_lexicon()

    def terms_coverage(self) -> tuple[int, int]:
        """``(units with links, units added after the newest of them)``."""
        return self.store.terms.coverage()

    def replace_terms(self, entries: Iterable[tuple[str, str, float]],
                      links: Iterable[tuple[int, Links]]) -> None:
        """Replace the lexicon and all unit links (one transaction)."""
        with self.transaction():
            self.store.terms.replace(entries, links)

    # ------------------------------------------------------------------ people
    def add_user(self, name: str, role: str) -> str:
        """A new person of the desk; returns their token (shown once: only its hash is kept)."""
        with self.transaction():
            return changes.add_user(self.store, name, role)

    def users(self) -> list[User]:
        return self.store.users.all()

    def count_users(self) -> int:
        return self.store.users.count()

    def remove_user(self, name: str) -> None:
        with self.transaction():
            if not self.store.users.remove(name):
                raise TMError(f"no user {name!r}: `diptych users list` lists them")

    def new_token(self, name: str) -> str:
        """A new token for ``name`` (the old one stops working); returns it."""
        token = changes.make_token()
        with self.transaction():
            if not self.store.users.set_token(name, token_sha256(token)):
                raise TMError(f"no user {name!r}: `diptych users list` lists them")
        return token

    def user_for_token(self, token: str) -> User | None:
        """The person a token belongs to (None: nobody)."""
        return self.store.users.by_token(token_sha256(token))

    # ------------------------------------------------------------------ shared batches
    def enqueue_job(self, job: str, count: int) -> None:
        with self.transaction():
            self.store.jobs.enqueue(job, count)

    def claim_item(self, job: str, host: str, worker: str, lease: float) -> int | None:
        """Claim the next pair of a shared list for ``lease`` seconds (None: none left)."""
        import time

        now = time.time()
        with self.transaction():
            return self.store.jobs.claim(job, host, worker, now, now + lease)

    def finish_item(self, job: str, item: int, worker: str, *, error: str | None = None) -> bool:
        with self.transaction():
            return self.store.jobs.finish(job, item, worker, "failed" if error else "done",
                                          error, now_iso())

    def job_progress(self, job: str) -> list[JobItem]:
        return self.store.jobs.progress(job)

    # ------------------------------------------------------------------ counts
    def counts(self) -> Counts:
        """Row counts for ``stats``."""
        return self.store.counts()

    def size(self) -> int:
        """Bytes the memory takes on disk."""
        return self.store.size()
