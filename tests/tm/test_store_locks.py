"""Opening a memory a second time in one process keeps the first connection's locks: another
process must not take the file for unused and delete the WAL under a writer (the writer's
later commits were lost to everyone else: seen with `diptych serve`, one connection a thread)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tm.store import TM, UnitIn

COUNT = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute('SELECT count(*) FROM units').fetchone()[0]); c.close()"


def _count_elsewhere(db: Path) -> int:
    out = subprocess.run([sys.executable, "-c", COUNT, str(db)], capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_a_second_open_keeps_the_writers_commits_visible(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with TM.open(db) as writer:
        writer.add_units([UnitIn("One.", "Один.")], origin="aligned")
        with TM.open(db, create=False):  # another thread's connection, as the web server has
            pass
        assert _count_elsewhere(db) == 1  # another process opens and closes the file
        writer.add_units([UnitIn("Two.", "Два.")], origin="aligned")
        assert _count_elsewhere(db) == 2
