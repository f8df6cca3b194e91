"""PostgreSQL: one open memory (a database named by a libpq URI), its connection, migrations
and transactions, and its parts.

Writes are serialised as SQLite's are: every write transaction first takes one
transaction-level advisory lock (:data:`WRITE_LOCK`), so the same de-duplication and id rules
hold with any number of writers on any number of machines, and readers never wait. Every write
transaction bumps ``diptych_state.version``: :meth:`PgStore.data_version` reads it, so a desk
sees what other processes and machines committed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm.errors import TMError
from tm.store.base import SqlSettings, SqlStore, count_rows
from tm.store.location import shown
from tm.store.postgres.schema import MIGRATIONS
from tm.store.postgres.team import PgJobs, PgUsers
from tm.store.postgres.units import index_row
from tm.store.postgres.vectors import ensure_pgvector
from tm.store.rows import TABLES, select_all
from tm.store.types import Counts, DbSource

if TYPE_CHECKING:
    import psycopg

WRITE_LOCK = 0x64697074
"""The advisory lock every write transaction holds ("dipt" in ASCII), with the hash of the
memory's schema as its second key: advisory locks are per database, and memories in two
schemas of one database must not wait for each other (a 1M-unit import in one held up every
write to the others for minutes)."""

INSTALL = "pip install 'diptych[postgres]' (psycopg 3 and psycopg_pool)"


def connect(uri: str) -> psycopg.Connection[Any]:
    """An autocommit connection (transactions are explicit); one line when it cannot be made."""
    try:
        import psycopg
    except ImportError:
        raise TMError(f"a PostgreSQL memory needs psycopg: {INSTALL}") from None
    try:
        return psycopg.connect(uri, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise TMError(f"cannot connect to {shown(uri)}: {' '.join(str(exc).split())}") from None


class PgSettings(SqlSettings):
    GET = "SELECT value FROM settings WHERE key = %s"
    SET = ("INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key)"
           " DO UPDATE SET value = excluded.value")
    DELETE_PREFIX = "DELETE FROM settings WHERE starts_with(key, %s)"


class PgStore(SqlStore):
    """One open PostgreSQL memory (a :class:`tm.store.interface.Store`)."""

    _migrations = MIGRATIONS

    def __init__(self, conn: psycopg.Connection[Any], uri: str,
                 source: DbSource = DbSource.option, *, readonly: bool = False) -> None:
        import psycopg

        from tm.store.postgres.documents import PgDocuments
        from tm.store.postgres.fulltext import PgFullText
        from tm.store.postgres.history import PgHistory
        from tm.store.postgres.terms import PgTerms
        from tm.store.postgres.units import PgUnits
        from tm.store.postgres.vectors import PgVectors

        self.conn = conn
        self.uri = uri
        self.path = Path(shown(uri))
        self.shown = shown(uri)
        self.source = source
        self.readonly = readonly
        self._depth = 0
        self._failure = psycopg.Error
        self.units = PgUnits(conn)
        self.documents = PgDocuments(conn)
        self.history = PgHistory(conn)
        self.text = PgFullText(conn)
        self.vectors = PgVectors(conn)
        self.terms = PgTerms(conn)
        self.settings = PgSettings(conn)
        self.users = PgUsers(conn)
        self.jobs = PgJobs(conn)
        self.shared_batches = True  # a server: add --batch shares its list (tm.ingest.shared)

    @classmethod
    def open(cls, uri: str, source: DbSource, *, create: bool = True,
             readonly: bool = False) -> PgStore:
        """Connect and bring the schema up to date (``readonly``: neither, and refuse a
        database that holds no memory yet)."""
        store = cls(connect(uri), uri, source, readonly=readonly)
        try:
            version = store.schema_version
            if version > len(MIGRATIONS):
                raise TMError(f"{shown(uri)} has schema version {version}, newer than this"
                              f" diptych understands ({len(MIGRATIONS)}): upgrade diptych")
            if version == 0 and (readonly or not create):
                raise TMError(f"no translation memory in {shown(uri)} yet: create one with"
                              " `diptych add` or `diptych import`")
            if version == 0 and store._foreign():
                raise TMError(f"{shown(uri)} holds tables of another application (units or"
                              " documents) in its schema: give a database or a schema of its"
                              " own (?options=-csearch_path%3Dtm); it was not changed")
            if readonly:
                store.conn.execute("SET default_transaction_read_only = on")
            else:
                store._migrate()
                if not store.vectors.has_column():
                    with store.transaction():
                        ensure_pgvector(store.conn)
                    store.vectors.forget()
        except BaseException:
            store.close()
            raise
        return store

    def _foreign(self) -> bool:
        row = self.conn.execute("SELECT to_regclass('units') IS NOT NULL OR"
                                " to_regclass('documents') IS NOT NULL").fetchone()
        return bool(row and row[0])

    @property
    def schema_version(self) -> int:
        row = self.conn.execute("SELECT to_regclass('diptych_schema') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        got = self.conn.execute("SELECT version FROM diptych_schema").fetchone()
        return int(got[0]) if got else 0

    def _migrating(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS diptych_schema (version int NOT NULL)")

    def _migration(self, number: int) -> None:
        self.conn.execute(MIGRATIONS[number])

    def _migrated(self) -> None:
        self.conn.execute("DELETE FROM diptych_schema")
        self.conn.execute("INSERT INTO diptych_schema VALUES (%s)", (len(MIGRATIONS),))

    def data_version(self) -> int:
        row = self.conn.execute("SELECT version FROM diptych_state").fetchone()
        return int(row[0]) if row else 0

    # transaction(): ``BEGIN``, the write lock, ... the bulk load's indexes, the version bump,
    # ``COMMIT``

    def _begin(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))",
                          (WRITE_LOCK,))
        self.units.added, self.units.deferred, self.units.gathered = 0, False, None
        self.units.postings.reset()

    def _commit(self) -> None:
        self.units.finish()
        self.conn.execute("UPDATE diptych_state SET version = version + 1")
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        import psycopg

        try:
            self.conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # the connection is gone: the server rolled back already

    @contextmanager
    def patience(self, ms: int) -> Iterator[None]:
        """Wait at most ``ms`` for the write lock inside the block (``lock_timeout``)."""
        self.conn.execute(f"SET lock_timeout = {int(ms)}")
        try:
            yield
        finally:
            self.conn.execute("SET lock_timeout = 0")

    def explain(self, exc: BaseException) -> str | None:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None
        text = " ".join(str(exc).split())
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return f"{self.shown} is locked by another process ({text}): try again later"
        return f"cannot use {self.shown}: {text}"

    def backup(self, dest: Path) -> int:
        raise TMError("a PostgreSQL memory is backed up with PostgreSQL's own tool:"
                      " pg_dump --format=custom 'URL' > memory.dump (pg_restore reads it back)")

    def follow(self, other: object) -> None:
        """Nothing to follow: a server's database is not a file that can be replaced under the
        connection (the SQLite backend watches its file, tm.store.watch)."""

    def size(self) -> int:
        """Bytes of the memory's tables with their indexes and TOAST (its schema's share of
        the database: other schemas may hold other memories)."""
        row = self.conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
            ).fetchone()
        return int(row[0]) if row else 0

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            yield from cur.stream(select_all(table))

    def put(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        cols = TABLES[table]
        if table == "embeddings":
            self.vectors.store([(int(r[0]), bytes(r[1])) for r in rows])
            return
        extra: list[tuple[Any, ...]] = [()] * len(rows)
        names, marks = list(cols), ["%s"] * len(cols)
        if table == "units":
            extra = [index_row(r[1], r[2]) for r in rows]
            names += ["en_terms", "ru_terms", "en_len", "ru_len"]
            marks += ["%s::tsvector", "%s::tsvector", "%s", "%s"]
        with self.conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES"
                            f" ({', '.join(marks)}) ON CONFLICT DO NOTHING",
                            [(*r, *e) for r, e in zip(rows, extra)])

    def finish_copy(self) -> None:
        self.vectors.build_index()  # the rows came by COPY: the HNSW index in one pass
        self.units.postings.rebuild()  # the copy's units, in one pass
        self.conn.execute("UPDATE diptych_state SET units = (SELECT count(*) FROM units),"
                          " tokens = (SELECT coalesce(sum(en_len + ru_len), 0) FROM units)")

    def counts(self) -> Counts:
        return count_rows(self.conn, "3 DESC, 1, 2")

    def close(self) -> None:
        self.conn.close()
