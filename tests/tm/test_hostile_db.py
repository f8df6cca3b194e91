"""Databases that are not ours, damaged, of unknown versions, or on a full disk (issue 13,
items 7 and 9): one line on stderr, exit 1, and the file's bytes and journal mode unchanged."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.store import MIGRATIONS, TM, DocumentIn, UnitIn

runner = CliRunner()

READERS = [["search", "hello"], ["search", "hello", "--mode", "concordance"], ["stats"],
           ["documents"], ["export", "OUT"]]
WRITERS = [["import", "TMX"], ["index"], ["terms"], ["edit", "1", "--en", "x"],
           ["delete", "--unit", "1"]]


def state(path: Path) -> tuple[bytes, list[str]]:
    """The file's bytes and the side files beside it."""
    return path.read_bytes(), sorted(p.name for p in path.parent.glob(path.name + "-*"))


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def refused(path: Path, args: list[str], expect: str, *, side_files: bool = False) -> None:
    """``args`` run against ``path``: exit 1, one stderr line holding ``expect``, no
    traceback, the file (and, unless ``side_files``, the side files) as it was, no output.

    ``side_files``: a WAL database of ours, damaged past its schema, is opened as SQLite opens
    any WAL file (an empty -wal and the -shm index appear beside it)."""
    tmx = path.parent / "in.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   ' srclang="en" datatype="plaintext"/><body><tu><tuv xml:lang="en"><seg>Hi.'
                   '</seg></tuv><tuv xml:lang="ru"><seg>Привет.</seg></tuv></tu></body></tmx>')
    out = path.parent / "out.tmx"
    argv = [{"OUT": str(out), "TMX": str(tmx)}.get(a, a) for a in args]
    before = state(path)
    res = runner.invoke(app, [*argv, "--db", str(path)])
    assert res.exit_code == 1, (args, res.output)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], (args, res.stderr)
    assert res.exception is None or isinstance(res.exception, SystemExit)
    after = state(path)
    assert after[0] == before[0], args
    if side_files:
        assert set(after[1]) <= {path.name + "-wal", path.name + "-shm"}
        assert not path.with_name(path.name + "-wal").exists() or \
            path.with_name(path.name + "-wal").stat().st_size == 0
    else:
        assert after[1] == before[1], args
    assert not out.exists()


def foreign_db(path: Path, table: str = "notes") -> Path:
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE {table} (key TEXT, value TEXT)")
    conn.execute(f"INSERT INTO {table} VALUES ('a', 'b')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("table", ["notes", "settings"])  # "settings": a table we would create
@pytest.mark.parametrize("args", READERS + WRITERS, ids=lambda a: a[0])
def test_another_applications_database_is_refused_and_left_as_it_was(
        tmp_path: Path, args: list[str], table: str) -> None:
    other = foreign_db(tmp_path / "other.db", table)
    refused(other, args, "another application")
    assert journal_mode(other) == "delete"
    assert [r[0] for r in sqlite3.connect(other).execute(
        "SELECT name FROM sqlite_master")] == [table]


@pytest.mark.parametrize("version", [-1, len(MIGRATIONS) + 1])
@pytest.mark.parametrize("args", READERS + WRITERS, ids=lambda a: a[0])
def test_an_unknown_schema_version_is_refused(tmp_path: Path, args: list[str],
                                              version: int) -> None:
    path = tmp_path / "v.db"
    with TM.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    refused(path, args, "another application" if version < 0 else "upgrade diptych")


@pytest.mark.parametrize("args", READERS, ids=lambda a: a[0])
def test_an_empty_file_or_database_is_refused_by_readers_unchanged(tmp_path: Path,
                                                                  args: list[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    refused(empty, args, "empty file")
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM").connection.close()
    refused(blank, args, "holds no translation memory")


def test_a_non_sqlite_file_and_a_fifo_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello world\n" * 100)
    for args in READERS + WRITERS:
        refused(junk, args, "not an SQLite database")
    import os

    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)  # opening it would block: refused before SQLite sees it
    res = runner.invoke(app, ["stats", "--db", str(fifo)])
    assert res.exit_code == 1 and "not a regular file" in res.stderr


def ours(path: Path, n: int = 400) -> Path:
    with TM.open(path) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Hello", fingerprint="f"))
        tm.add_units([UnitIn(f"Hello number {i} from the long sentence of the test.",
                             f"Привет номер {i} из длинного предложения теста.")
                      for i in range(n)], document=doc, origin="aligned")
    return path


@pytest.mark.parametrize("args", READERS, ids=lambda a: a[0])
def test_read_only_commands_do_not_change_our_database(tmp_path: Path,
                                                       args: list[str]) -> None:
    path = ours(tmp_path / "t.db")
    before = path.read_bytes()
    out = tmp_path / "out.tmx"
    argv = [str(out) if a == "OUT" else a for a in args]
    res = runner.invoke(app, [*argv, "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert path.read_bytes() == before and journal_mode(path) == "wal"


def damage(path: Path) -> None:
    """Garbage over every page but the first (the header stays, so SQLite opens the file)."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = bytes((i * 37 + 11) % 251 for i in range(len(data) - page))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("args", READERS + WRITERS, ids=lambda a: a[0])
def test_a_damaged_database_is_refused_in_one_line(tmp_path: Path, args: list[str]) -> None:
    path = ours(tmp_path / "t.db")
    damage(path)
    refused(path, args, "damaged", side_files=True)


# ---------------------------------------------------------------- a full disk
FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from tm.cli import main
sys.argv = ["diptych", *sys.argv[2:]]
main()
"""


def full_disk(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``diptych ARGS`` where no file can grow past ``limit`` bytes (a disk that is full)."""
    return subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), *args],
                          check=False, capture_output=True, text=True, timeout=300)


def test_a_failed_create_on_a_full_disk_leaves_no_file(tmp_path: Path) -> None:
    tmx = tmp_path / "in.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   ' srclang="en" datatype="plaintext"/><body/></tmx>')
    res = full_disk(0, "import", str(tmx), "--db", str(tmp_path / "new.db"))
    assert res.returncode == 1, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert "disk is full" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tmx"]


def test_a_search_on_a_full_disk_says_so(tmp_path: Path) -> None:
    """SQLite cannot make the WAL index (-shm) a reader of a WAL memory needs."""
    path = ours(tmp_path / "t.db", n=10)
    before = path.read_bytes()
    res = full_disk(0, "search", "hello", "--db", str(path))
    assert res.returncode == 1, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert "disk is full" in line and "free some space" in line
    assert path.read_bytes() == before


def test_an_import_on_a_full_disk_says_so_and_changes_nothing(tmp_path: Path) -> None:
    path = ours(tmp_path / "t.db", n=10)
    before = path.read_bytes()
    body = "".join(f'<tu><tuv xml:lang="en"><seg>Sentence {i} of a big import file.</seg></tuv>'
                   f'<tuv xml:lang="ru"><seg>Предложение {i} большого файла.</seg></tuv></tu>'
                   for i in range(3000))
    tmx = tmp_path / "in.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   f' srclang="en" datatype="plaintext"/><body>{body}</body></tmx>')
    res = full_disk(len(before) + 50_000, "import", str(tmx), "--db", str(path))
    assert res.returncode == 1, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert "disk is full" in line and "nothing was changed" in line
    with TM.open(path, readonly=True) as tm:
        assert tm.count_units() == 10


# ---------------------------------------------------------------- a kill mid-export
KILLED_EXPORT = """
import sys, time
from pathlib import Path
import tm.tmx
flag, original = Path(sys.argv[1]), tm.tmx.write_tmx
def slow(out, header, units):
    def stalled():
        for n, unit in enumerate(units):
            if n == 200:
                out.flush()
                flag.write_text("writing")
                time.sleep(600)
            yield unit
    return original(out, header, stalled())
tm.tmx.write_tmx = slow
from tm.cli import main
sys.argv = ["diptych", *sys.argv[2:]]
main()
"""


def test_sigkill_during_export_leaves_no_part_file(tmp_path: Path) -> None:
    import os
    import signal
    import time

    db = ours(tmp_path / "t.db")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    flag = tmp_path / "flag"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, str(flag), "export",
                             str(out_dir / "memory.tmx"), "--db", str(db)])
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    if not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE here: a named .part file is left after a kill")
    assert os.listdir(out_dir) == []


@pytest.mark.parametrize("args", READERS, ids=lambda a: a[0])
def test_an_older_memory_is_read_as_it_is_and_migrated_only_by_a_writer(
        tmp_path: Path, args: list[str]) -> None:
    from tm.store.sqlite.schema import split_sql

    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    for statement in split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO units (en, ru, origin, created, changed, en_key, ru_key) VALUES"
                 " ('Hello there.', 'Привет.', 'aligned', 't', 't', 1, 2)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = old.read_bytes()
    argv = [str(tmp_path / "out.tmx") if a == "OUT" else a for a in args]
    res = runner.invoke(app, [*argv, "--db", str(old)])
    assert res.exit_code == 0, res.output
    assert old.read_bytes() == before and journal_mode(old) == "delete"
    tmx = tmp_path / "in.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   ' srclang="en" datatype="plaintext"/><body/></tmx>')
    res = runner.invoke(app, ["import", str(tmx), "--db", str(old)])
    assert res.exit_code == 0, res.output
    with TM.open(old, readonly=True) as tm:
        assert tm.schema_version == len(MIGRATIONS) and tm.edits(1) == 0
