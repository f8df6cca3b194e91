"""SQLite: one open memory file, its connection, migrations, transactions, and its parts."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tm.errors import TMError
from tm.store.base import SqlSettings, SqlStore, count_rows
from tm.store.rows import TABLES, select_all
from tm.store.sqlite.check import explain, is_blank, remember, schema_version, stand_in_tables
from tm.store.sqlite.documents import SqliteDocuments
from tm.store.sqlite.fulltext import SqliteFullText
from tm.store.sqlite.history import SqliteHistory
from tm.store.sqlite.jobs import SqliteJobs
from tm.store.sqlite.schema import MIGRATIONS, connect, split_sql, use_wal
from tm.store.sqlite.terms import SqliteTerms
from tm.store.sqlite.units import SqliteUnits
from tm.store.sqlite.users import SqliteUsers
from tm.store.sqlite.vectors import SqliteVectors
from tm.store.types import Counts, DbLocation, DbSource
from tm.store.watch import Watch
from tm.text.tokens import fts_text

if TYPE_CHECKING:
    from typing import Self


def writable(path: Path) -> bool:
    """Whether the memory's folder and file can be written (SQLite needs both for WAL's side
    files); False on a read-only medium."""
    import os

    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)


def tidy_side_files(path: Path) -> None:
    """Let SQLite remove the ``-wal``/``-shm`` a read-only connection left: a read-write
    connection that reads and closes deletes them when it is the last one open (it writes
    nothing: the -wal of a reader is empty)."""
    try:
        conn = connect(path, mode="rw")
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, TMError):
        pass


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


class SqliteSettings(SqlSettings):
    GET = "SELECT value FROM settings WHERE key = ?"
    SET = "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"
    DELETE_PREFIX = "DELETE FROM settings WHERE key LIKE ? || '%'"


class SqliteStore(SqlStore):
    """One open SQLite file (a :class:`tm.store.interface.Store`)."""

    _failure = sqlite3.OperationalError
    _migrations = MIGRATIONS

    def __init__(self, conn: sqlite3.Connection, path: Path,
                 source: DbSource = DbSource.option, *, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.shown = str(path)
        self.source = source
        self.readonly = readonly
        self._depth = 0
        self._tidy = False
        self.watch: Watch | None = None
        """The file's identity, checked by every write (:mod:`tm.store.watch`)."""
        self.units = SqliteUnits(conn)
        self.documents = SqliteDocuments(conn)
        self.history = SqliteHistory(conn)
        self.text = SqliteFullText(conn)
        self.vectors = SqliteVectors(conn)
        self.terms = SqliteTerms(conn)
        self.settings = SqliteSettings(conn)
        self.users = SqliteUsers(conn)
        self.jobs = SqliteJobs(conn)
        self.shared_batches = False  # one machine: the process pool of tm.ingest.batch

    @classmethod
    def open(cls, where: DbLocation, *, create: bool = True, readonly: bool = False) -> Self:
        """Open (or create) the memory file ``where`` names and bring its schema up to date. ``create=False`` refuses a missing file.

        ``readonly=True`` (search, stats, export...) opens the file with SQLite's ``mode=ro``
        and neither creates, migrates nor switches it to WAL. In both modes a file that is not
        a diptych database this version understands is refused with one line, unchanged; a
        database this call created and could not finish (disk full) is removed again.
        """
        p = where.path
        if p.is_dir():
            raise TMError(f"{p} is a directory: pass --db with a database file name")
        new = not p.exists()
        if new and (readonly or not create):
            raise TMError(f"no translation memory at {p}: create one with `diptych add EN RU` "
                          "or `diptych import FILE.tmx`, or pass --db / set DIPTYCH_DB")
        blank = is_blank(p)
        if readonly:
            if blank:
                raise TMError(f"{p} is an empty file, not a translation memory yet: add to it"
                              " (`diptych add`, `diptych import`), or pass --db")
            return cls._open_readonly(p, where.source)
        if where.source is DbSource.default:
            p.parent.mkdir(parents=True, exist_ok=True)
        if not p.parent.exists():
            raise TMError(f"cannot create {p}: folder {p.parent} does not exist")
        tm = cls(connect(p), p, where.source)
        remember(p)
        try:
            schema_version(tm.conn, p)  # refuses what is not ours before anything is written
            use_wal(tm.conn)
            tm._migrate()
            tm.watch = Watch(p)
        except BaseException as exc:
            tm.close()
            if new:  # nothing half-made stays behind (a 0-byte file after a full disk...)
                for suffix in ("", "-wal", "-shm", "-journal"):
                    p.with_name(p.name + suffix).unlink(missing_ok=True)
            if isinstance(exc, sqlite3.Error):
                raise TMError(explain(exc, p)) from None
            raise
        return tm

    @classmethod
    def _open_readonly(cls, p: Path, source: DbSource) -> Self:
        """A read-only TM (SQLite ``mode=ro``) that leaves no side files behind.

        With no ``-wal`` beside the file (no writer has it open), the file is first looked at
        immutable (no lock, no side file). Where the folder or the file cannot be written (a
        read-only medium, a CD, a mounted backup) it stays immutable: SQLite could create no
        ``-shm`` there and refused to open it at all. Elsewhere a ``mode=ro`` connection makes
        ``-wal``/``-shm`` that a reader cannot remove, so :meth:`close` lets a short read-write
        connection close last, which SQLite's own protocol ends by deleting them (when no other
        connection is open; otherwise the last of those does it)."""
        wal = p.with_name(p.name + "-wal")
        shm = p.with_name(p.name + "-shm")
        quiet = not wal.exists() and not shm.exists()
        if quiet:  # look without making side files
            cls._check_readable(connect(p, readonly=True, immutable=True), p)
        frozen = quiet and not writable(p)
        tm = cls(connect(p, readonly=True, immutable=frozen), p, source, readonly=True)
        tm._tidy = quiet and not frozen
        remember(p)
        cls._check_readable(tm.conn, p, close=False)
        return tm

    @staticmethod
    def _check_readable(conn: sqlite3.Connection, path: Path, *, close: bool = True) -> None:
        """Refuse (and close) what read-only commands cannot read; ``close`` the connection
        when done with it."""
        try:
            version = schema_version(conn, path)
            if version == 0:
                raise TMError(f"{path} holds no translation memory yet (an empty SQLite"
                              " database): add to it, or pass --db")
            if not close:
                stand_in_tables(conn, version, path)
        except BaseException:
            conn.close()
            raise
        if close:
            conn.close()

    def follow(self, other: object) -> None:
        if isinstance(other, SqliteStore) and other.watch is not None:
            self.watch = other.watch

    def close(self) -> None:
        self.conn.close()
        if self._tidy:
            self._tidy = False
            tidy_side_files(self.path)

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection (this process or
        another) commits to the file, so a cache built on this connection knows it is stale."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def _migration(self, number: int) -> None:
        for statement in split_sql(MIGRATIONS[number]):
            self.conn.execute(statement)
        self.conn.execute(f"PRAGMA user_version = {number + 1}")

    def _migrated(self) -> None:
        # a changed stored schema (writable_schema) is reparsed only after this bump
        cookie = int(self.conn.execute("PRAGMA schema_version").fetchone()[0])
        self.conn.execute(f"PRAGMA schema_version = {cookie + 1}")

    # transaction(): ``BEGIN IMMEDIATE`` (waiting for another writer) ... ``COMMIT``, the file
    # checked to be still ours after the lock is taken and again before the commit

    def _begin(self) -> None:
        self._still_ours()

    def _commit(self) -> None:
        self._still_ours()  # the write lock is held: nothing can change the file now
        self.conn.execute("COMMIT")
        self._checkpoint()

    def _still_ours(self) -> None:
        if self.watch is not None:
            self.watch.check()

    def _checkpoint(self) -> None:
        """Copy what was just committed from the -wal into the file (passive: waits for no
        reader), so a confirmed write survives the -wal being deleted; a busy checkpoint is
        left to the next commit."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError:
            pass

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _lock(self) -> None:
        for attempt in range(8):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise TMError(explain(exc, self.path)) from None
                time.sleep(0.05 * 2**attempt)
        raise TMError(f"{self.path} stayed locked by another process for too long: try again "
                      "when the other diptych command has finished")

    def backup(self, dest: Path) -> int:
        """A consistent copy of the memory at ``dest`` while others may be writing (SQLite's
        online backup, 1,024 pages a step), as one self-contained file (rollback journal, no
        -wal), written beside ``dest`` and renamed over it: a failed backup leaves nothing.
        Returns the copy's size in bytes."""
        import os
        import tempfile

        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            target = sqlite3.connect(tmp, isolation_level=None)
            try:
                self.conn.backup(target, pages=1024)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, dest)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise TMError(f"cannot back up {self.path} to {dest}: {exc}; nothing was"
                              " written") from None
            raise
        return dest.stat().st_size

    @contextmanager
    def patience(self, ms: int) -> Iterator[None]:
        """Wait at most ``ms`` a try for another writer's lock inside this block (a page
        should hear "locked" within seconds, not after minutes)."""
        before = int(self.conn.execute("PRAGMA busy_timeout").fetchone()[0])
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {before}")

    def explain(self, exc: BaseException) -> str | None:
        return explain(exc, self.path) if isinstance(exc, sqlite3.Error) else None

    def size(self) -> int:
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name
                                                                             + "-wal"))
                   if p.exists())

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        yield from self.conn.execute(select_all(table))

    def put(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        cols = TABLES[table]
        self.conn.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES"
                              f" ({', '.join('?' * len(cols))})", rows)
        if table == "units":
            self.conn.executemany("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)",
                                  ((r[0], fts_text(r[1], "en"), fts_text(r[2], "ru"))
                                   for r in rows))

    def finish_copy(self) -> None:
        pass

    def counts(self) -> Counts:
        """Row counts for ``stats``."""
        return count_rows(self.conn, "3 DESC")
