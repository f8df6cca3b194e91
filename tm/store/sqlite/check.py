"""Is a file a diptych database this version understands? And SQLite errors in plain words.

A file is looked at before anything is written to it: a database of another application, a
damaged file or a schema version this diptych does not know is refused with one line, and is
never migrated, switched to WAL or otherwise changed (issue 13, item 7).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tm.errors import TMError
from tm.store.sqlite.schema import MIGRATIONS

SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES: tuple[frozenset[str], ...] = tuple(
    frozenset(re.findall(r"CREATE (?:VIRTUAL )?TABLE (\w+)", script)) for script in MIGRATIONS)
"""The tables each migration adds: a file at version N holds those of the first N."""

ANOTHER_DB = "pass --db with a diptych database, or a new file name to create one"


_OPENED: set[tuple[int, int]] = set()
"""(device, inode) of the database files this process has opened with SQLite."""


def remember(path: Path) -> None:
    """Note that this process has ``path`` open with SQLite: :func:`is_blank` must not read
    it again. Closing ANY file descriptor of a file drops every POSIX lock this process holds
    on it, so a header read while a connection is open loses that connection's WAL locks;
    another process then takes the file for unused, checkpoints and deletes the WAL, and this
    process's later commits go to the deleted WAL, invisible to everyone else."""
    st = path.stat()
    _OPENED.add((st.st_dev, st.st_ino))


def is_blank(path: Path) -> bool:
    """True if ``path`` does not exist or is an empty file (a database may be created there),
    False if it starts like an SQLite database. Anything else is refused here, before SQLite
    opens it (a FIFO would block, a device be read without end). A file this process has
    open with SQLite already is not read again (see :func:`remember`)."""
    if not path.exists():
        return True
    if not path.is_file():
        raise TMError(f"{path} is not a regular file, so not a diptych database: {ANOTHER_DB}")
    st = path.stat()
    if (st.st_dev, st.st_ino) in _OPENED and st.st_size:
        return False
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise TMError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head:
        return True
    if head != SQLITE_MAGIC:
        raise TMError(f"{path} is not an SQLite database, so not a diptych database:"
                      f" {ANOTHER_DB}")
    return False


def schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The diptych schema version of an open file (0: an empty database, nothing in it).

    Refuses (:class:`TMError`, one line) a damaged file, another application's database and
    a version this diptych does not know."""
    try:
        # one statement, one snapshot: read apart, another process creating the memory could
        # commit its tables between the two reads (version 0 with tables: "not ours")
        rows = conn.execute(
            "SELECT user_version, NULL FROM pragma_user_version"
            " UNION ALL SELECT NULL, name FROM sqlite_master WHERE type = 'table'").fetchall()
        version = int(next(r[0] for r in rows if r[0] is not None))
        tables = {str(r[1]) for r in rows if r[1] is not None}
    except sqlite3.DatabaseError as exc:
        raise TMError(damaged(path, exc)) from None
    known = len(MIGRATIONS)
    if version < 0 or (version == 0 and tables):
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        what = f"tables {shown}" if tables else f"schema version {version}"
        raise TMError(f"{path} is an SQLite database of another application ({what}), not a"
                      f" translation memory; diptych leaves it as it is: {ANOTHER_DB}")
    if version > known:
        raise TMError(f"{path} has schema version {version}, newer than this diptych"
                      f" understands ({known}): upgrade diptych; the file was not changed")
    missing = set().union(*TABLES[:version]) - tables
    if missing:
        raise TMError(f"{path} is not a diptych database (schema version {version} but no table"
                      f" {', '.join(sorted(missing))}); diptych leaves it as it is: {ANOTHER_DB}")
    return version


READER_NEEDS_NOT = ("CREATE INDEX", "PRAGMA writable_schema", "UPDATE sqlite_schema")
"""Statements of a migration a reader can do without: an index, and a loosened CHECK (the
'translated' origin: it restricts writes only)."""


def stand_in_tables(conn: sqlite3.Connection, version: int, path: Path) -> None:
    """Give a read-only connection to an older memory the tables of the migrations it lacks,
    empty, in its TEMP schema (in memory): it reads as a migrated memory with nothing in them,
    and the file is not touched. A column a migration adds to an existing table is stood in for
    by a TEMP view of that table with the column's default. Any other change of existing
    tables cannot be: then the memory must be upgraded by a writing command first."""
    from tm.store.sqlite.schema import split_sql

    made_here: set[str] = set()
    added: dict[str, list[str]] = {}
    for script in MIGRATIONS[version:]:
        for statement in split_sql(script):
            made = re.sub(r"^CREATE (VIRTUAL )?TABLE (\w+)", r"CREATE \1TABLE temp.\2", statement)
            column = _ADD_COLUMN.match(statement)
            if made != statement:
                conn.execute(made)
                made_here.update(re.findall(r"^CREATE (?:VIRTUAL )?TABLE (\w+)", statement))
            elif column and column[1] in made_here:
                conn.execute(statement.replace("ALTER TABLE ", "ALTER TABLE temp.", 1))
            elif column:
                added.setdefault(column[1], []).append(f"{column[3] or 'NULL'} AS {column[2]}")
            elif not statement.startswith(READER_NEEDS_NOT):
                raise TMError(f"{path} has schema version {version}, older than this diptych's"
                              f" {len(MIGRATIONS)}: run a command that writes to it once (e.g."
                              " `diptych index`) to upgrade it")
    for table, columns in added.items():  # a TEMP view is found before the main table
        conn.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {', '.join(columns)}"
                     f" FROM main.{table}")


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+) \w+(?:.*DEFAULT (\S+))?")
"""A migration's added column: a read-only connection stands in for it with its default."""


def damaged(path: Path, exc: BaseException) -> str:
    return (f"{path} is damaged or not a diptych database ({exc}): restore it from a backup,"
            f" or {ANOTHER_DB}")


def explain(exc: sqlite3.Error, path: Path | str | None = None) -> str:
    """One line for an SQLite error met while reading or writing ``path``."""
    where = f" {path}" if path else " the translation memory"
    text = str(exc)
    if "full" in text or "disk I/O" in text:
        return (f"cannot use{where}: the disk is full or failing ({text}); free some space"
                " (or pass --db with a file on another disk) and run the command again")
    if "readonly" in text or "unable to open" in text:
        return (f"cannot use{where} ({text}): check that you may write its folder and file,"
                " and that the disk has space")
    if "locked" in text or "busy" in text:
        return f"{where.strip()} is locked by another process ({text}): try again later"
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return damaged(Path(path) if path else Path("the translation memory"), exc)
    return f"cannot use{where}: {text}"
