"""What the SQLite and PostgreSQL stores do alike, written once: the re-entrant write
transaction, the migration loop, the ``settings`` table and the row counts of ``stats``.

Each backend keeps only what differs: its SQL, how it takes the write lock (SQLite's
``BEGIN IMMEDIATE`` with retries, PostgreSQL's advisory lock), what it does just before the
commit and how it rolls back. The hooks add no statement and no round trip: each runs exactly
the statements the backend ran before, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol

from tm.errors import TMError
from tm.store.types import Counts


class Executes(Protocol):
    """A DB-API connection that runs one statement (``sqlite3`` and ``psycopg`` alike)."""

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...


class SqlSettings:
    """The ``settings`` table (key -> value); a backend gives its three statements."""

    GET: ClassVar[str]
    SET: ClassVar[str]
    DELETE_PREFIX: ClassVar[str]

    def __init__(self, conn: Executes) -> None:
        self.conn = conn

    def get(self, key: str) -> str | None:
        row = self.conn.execute(self.GET, (key,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        self.conn.execute(self.SET, (key, value))

    def delete_prefix(self, prefix: str) -> None:
        self.conn.execute(self.DELETE_PREFIX, (prefix,))


def count_rows(conn: Executes, langs_order: str) -> Counts:
    """Row counts for ``stats`` in three queries; ``langs_order`` orders the language pairs
    (``ORDER BY`` clause: PostgreSQL breaks ties by name)."""
    q = conn.execute
    units, documents, links, embedded = q(
        "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM documents),"
        " (SELECT count(*) FROM unit_docs), (SELECT count(*) FROM embeddings)").fetchone() \
        or (0, 0, 0, 0)
    langs = {f"{a}/{b}": int(n) for a, b, n in q(
        f"SELECT en_lang, ru_lang, count(*) FROM units GROUP BY 1, 2 ORDER BY {langs_order}")}
    origins = {str(o): int(n) for o, n in q(
        "SELECT origin, count(*) FROM units GROUP BY 1 ORDER BY 1")}
    return Counts(int(units), int(documents), int(links), int(embedded), langs, origins)


class SqlStore:
    """The shared half of a backend's store: :meth:`transaction` and :meth:`_migrate`.

    A subclass sets ``readonly``, ``shown`` and ``_depth = 0``, ``_failure`` (the driver's
    error that becomes "...; nothing was changed") and ``_migrations``, and writes the hooks.
    """

    readonly: bool
    shown: str
    _depth: int
    _failure: type[BaseException]
    _migrations: Sequence[str]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; ``ROLLBACK`` if the block raises. Re-entrant: an inner block
        runs inside the outer one, which alone begins and commits."""
        if self.readonly:
            raise TMError(f"{self.shown} is open read-only here: nothing can be changed")
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._lock()
        self._depth = 1
        try:
            self._begin()
            yield
            self._commit()
        except self._failure as exc:  # disk full, I/O error, connection lost: nothing written
            self._rollback()
            raise TMError(f"{self.explain(exc)}; nothing was changed") from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _lock(self) -> None:
        """Before the outermost block's ``try``: what may fail without a rollback."""

    def _begin(self) -> None:
        """The outermost block's start, inside its ``try`` (a failure rolls back)."""

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def explain(self, exc: BaseException) -> str | None:
        raise NotImplementedError

    @property
    def schema_version(self) -> int:
        raise NotImplementedError

    def _migrate(self) -> None:
        """Bring the schema up to date in one write transaction (nothing when it is)."""
        if self.schema_version == len(self._migrations):
            return
        with self.transaction():
            self._migrating()
            version = self.schema_version  # another process may have migrated meanwhile
            for number in range(version, len(self._migrations)):
                self._migration(number)
            self._migrated()

    def _migrating(self) -> None:
        """Under the write lock, before the version is read again."""

    def _migration(self, number: int) -> None:
        raise NotImplementedError

    def _migrated(self) -> None:
        """After the last migration, before the commit."""
