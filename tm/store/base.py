"""The connection, migrations, transactions and settings of a translation memory."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tm.errors import TMError
from tm.store.location import locate
from tm.store.schema import MIGRATIONS, connect, split_sql
from tm.store.types import DbSource

if TYPE_CHECKING:
    from typing import Self


class StoreBase:
    """One open SQLite file: lifecycle, ``transaction()`` and ``settings``."""

    def __init__(self, conn: sqlite3.Connection, path: Path,
                 source: DbSource = DbSource.option) -> None:
        self.conn = conn
        self.path = path
        self.source = source
        self._depth = 0

    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> Self:
        """Open (or create) the TM at ``path`` (None: the rule of :func:`tm.store.locate`) and
        bring its schema up to date. ``create=False`` refuses a missing file (read-only
        commands such as ``search``)."""
        where = locate(path)
        p = where.path
        if p.is_dir():
            raise TMError(f"{p} is a directory: pass --db with a database file name")
        if not p.exists() and not create:
            raise TMError(f"no translation memory at {p}: create one with `diptych add EN RU` "
                          "or `diptych import FILE.tmx`, or pass --db / set DIPTYCH_DB")
        if where.source is DbSource.default:
            p.parent.mkdir(parents=True, exist_ok=True)
        if not p.parent.exists():
            raise TMError(f"cannot create {p}: folder {p.parent} does not exist")
        tm = cls(connect(p), p, where.source)
        tm._migrate()
        return tm

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection (this process or
        another) commits to the file, so a cache built on this connection knows it is stale."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise TMError(f"{self.path} is not a diptych database ({exc}): pass --db with "
                          "another path") from None
        if version > len(MIGRATIONS):
            raise TMError(f"{self.path} has schema version {version}, newer than this diptych "
                          f"understands ({len(MIGRATIONS)}): upgrade diptych")
        if version == len(MIGRATIONS):
            return
        with self.transaction():
            version = self.schema_version  # another process may have migrated meanwhile
            for number in range(version, len(MIGRATIONS)):
                for statement in split_sql(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; ``ROLLBACK`` if the block raises. Re-entrant."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, I/O error...: nothing is written
            self._rollback()
            raise TMError(f"cannot write to {self.path}: {exc}; nothing was changed") from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _begin(self) -> None:
        for attempt in range(8):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise TMError(f"cannot write to {self.path}: {exc}") from None
                time.sleep(0.05 * 2**attempt)
        raise TMError(f"{self.path} stayed locked by another process for too long: try again "
                      "when the other diptych command has finished")

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                              (key, value))

    def delete_settings(self, prefix: str) -> None:
        """Remove every setting whose key starts with ``prefix``."""
        with self.transaction():
            self.conn.execute("DELETE FROM settings WHERE key LIKE ? || '%'", (prefix,))
