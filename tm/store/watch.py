"""Is the memory file still the one this connection opened? Checked by every write.

A connection keeps writing to the file it opened even when the path no longer leads to it:
deleted (``rm``), replaced (``mv other.db memory.db``, a restore copied over it) or its ``-wal``
removed, every later commit "succeeds" into a file nobody will open again, and the desk
answered 200 for edits that were lost (issue 18). So a read-write :class:`~tm.store.TM`
records the file's identity when it opens it and checks it inside every write transaction,
after ``BEGIN IMMEDIATE`` and again just before ``COMMIT``:

- the path still names the same inode (device and inode number): else deleted or replaced;
- the file is still an SQLite database with the same page size and application id, as an
  immutable read-only SQLite connection sees it: something written over the live file in place
  (same inode) that is not such a database is caught here. The file is never opened with
  ``open()``: closing any descriptor of a file drops every POSIX lock this process holds on it,
  and SQLite's locks are those (another process's close then deleted the -wal under us);
- the ``-wal`` file, once seen, is still there with the same inode (SQLite never deletes it
  while a connection is open: only the last connection's close does).

A failed check rolls back and raises :class:`MemoryGone`; the memory then refuses every later
write with the same line (the caller restarts or stops). Reads go on from what is open. Each
commit is checkpointed (passive) so what was confirmed is in the main file, not only in the
``-wal`` that someone may delete.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from tm.errors import TMError


class MemoryGone(TMError):
    """The memory file was deleted, replaced or lost its ``-wal`` while it was open."""


@dataclass(frozen=True)
class FileId:
    dev: int
    ino: int


def file_id(path: Path) -> FileId | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return FileId(st.st_dev, st.st_ino)


def header(path: Path) -> tuple[int, int] | None:
    """(page size, application id) of the database at ``path``, read by an immutable SQLite
    connection (no lock, no side file, and SQLite keeps this process's locks on close); None
    when it is not an SQLite database any more."""
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1",
                               uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # garbage fails here
            page = int(conn.execute("PRAGMA page_size").fetchone()[0])
            app = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return page, app


class Watch:
    """The identity of one open memory file and of its ``-wal``; :meth:`check` compares."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.db_id = file_id(path)
        self.head = self._header()
        self.wal_id = file_id(self.wal)
        self.gone: str | None = None

    def check(self) -> None:
        """:class:`MemoryGone` when the file is no longer the one opened (see the module)."""
        if self.gone is None:
            self.gone = self._what_changed()
        if self.gone is not None:
            raise MemoryGone(
                f"{self.path} {self.gone} while diptych had it open; nothing was written and"
                " nothing more will be: restart the desk or the command (and restore from"
                " `diptych backup` if the memory was lost)")

    def _header(self) -> tuple[int, int] | None:
        """:func:`header`, read again (up to 5 times, 10 ms apart) when it fails: a read without
        locks may meet another process's checkpoint halfway."""
        for _ in range(5):
            head = header(self.path)
            if head is not None:
                return head
            time.sleep(0.01)
        return None

    def _what_changed(self) -> str | None:
        now = file_id(self.path)
        if now is None:
            return "was deleted"
        if now != self.db_id:
            return "was replaced by another file"
        if self._header() != self.head:
            return "was overwritten (its header changed)"
        wal = file_id(self.wal)
        if self.wal_id is None:
            self.wal_id = wal  # first seen inside a write: SQLite made it for this connection
        elif wal != self.wal_id:
            return "lost its -wal file (deleted or replaced)"
        return None
