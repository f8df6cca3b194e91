"""Hostile or broken TMX files are refused with one clear line and change nothing."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.errors import TMXError
from tm.store import TM, UnitIn
from tm.tmx import export_header, import_tmx
from tm.tmx.model import TMXUnit, TMXVariant
from tm.tmx.read import MAX_HELD, SNIFF_BYTES, TMXReader
from tm.tmx.write import write_tmx

GOOD_TU = ('<tu><tuv xml:lang="en"><seg>Good {n}.</seg></tuv>'
           '<tuv xml:lang="ru"><seg>Хорошо {n}.</seg></tuv></tu>')
HEADER = ('<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" '
          'adminlang="en" srclang="en" datatype="plaintext"/>')


def tmx(body: str, prolog: str = "") -> bytes:
    good = "".join(GOOD_TU.format(n=n) for n in range(3))
    return f'<?xml version="1.0"?>{prolog}<tmx version="1.4">{HEADER}<body>{good}{body}' \
           f'</body></tmx>'.encode()


def fingerprint(db: Path) -> list[str]:
    """Every row of the database as SQL: equal before and after means unchanged."""
    with TM.open(db) as tm:
        return list(tm.conn.iterdump())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "tm.db"
    with TM.open(path) as tm:
        tm.add_units([UnitIn("Already here.", "Уже здесь.")], origin="aligned")
    return path


def refuse(db: Path, path: Path, *expected: str) -> str:
    """Import ``path`` through the CLI: exit 1, one line naming the problem, DB unchanged."""
    before = fingerprint(db)
    result = CliRunner().invoke(app, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diptych: error: "), result.output
    for word in expected:
        assert word in lines[0]
    assert fingerprint(db) == before
    return lines[0]


def test_external_entity_is_not_read(db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    bad = tmp_path / "xxe.tmx"
    bad.write_bytes(tmx('<tu><tuv xml:lang="en"><seg>&x;</seg></tuv></tu>',
                        f'<!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>'))
    line = refuse(db, bad, "entities")
    assert "TOP-SECRET" not in line


def test_billion_laughs(db: Path, tmp_path: Path) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    bad = tmp_path / "bomb.tmx"
    bad.write_bytes(tmx('<tu><tuv xml:lang="en"><seg>&l9;</seg></tuv></tu>',
                        f'<!DOCTYPE tmx [{"".join(levels)}]>'))
    refuse(db, bad, "entities")


@pytest.mark.parametrize("subset", ['<!ENTITY l "lol">', '<!ENTITY % p SYSTEM "{secret}"> %p;'])
def test_entities_hidden_beyond_the_sniffed_start_are_refused(db: Path, tmp_path: Path,
                                                              subset: str) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY l "TOP-SECRET">')
    padding = "<!--" + "x" * (2 * SNIFF_BYTES) + "-->"
    bad = tmp_path / "late.tmx"
    bad.write_bytes(tmx('<tu tuid="&l;"><tuv xml:lang="en"><seg>&l;</seg></tuv><tuv xml:lang="ru">'
                        '<seg>а</seg></tuv></tu>',
                        f'{padding}<!DOCTYPE tmx [{subset.format(secret=secret)}]>'))
    assert "TOP-SECRET" not in refuse(db, bad, "entities")


def test_undeclared_entity_from_an_unloaded_dtd(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "nbsp.tmx"
    bad.write_bytes(tmx('<tu><tuv xml:lang="en"><seg>a&nbsp;b</seg></tuv></tu>',
                        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'))
    refuse(db, bad, "&nbsp;")


@pytest.mark.parametrize("after", [0, 5000])  # near the end of a small file; mid-file
def test_undeclared_entity_without_a_dtd_is_named_not_called_truncated(
        db: Path, tmp_path: Path, after: int) -> None:
    bad = tmp_path / "nbsp.tmx"
    more = "".join(GOOD_TU.format(n=n) for n in range(after))
    bad.write_bytes(tmx(f'<tu><tuv xml:lang="en"><seg>a&nbsp;b</seg></tuv></tu>{more}'))
    line = refuse(db, bad, "&nbsp;", "does not declare", "line 1")
    assert "truncated" not in line and "well-formed" not in line


def test_deep_nesting(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "deep.tmx"
    bad.write_bytes(tmx('<tu><tuv xml:lang="en"><seg>' + "<hi>" * 5000 + "x" + "</hi>" * 5000
                        + "</seg></tuv></tu>"))
    refuse(db, bad, "deep")


def test_a_tu_too_big_to_hold(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "fat.tmx"
    bad.write_bytes(tmx("<tu>" + '<prop type="x">y</prop>' * (MAX_HELD + 1) + "</tu>"))
    refuse(db, bad, f"over {MAX_HELD:,} elements")


def test_invalid_utf8_after_good_units(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "utf8.tmx"
    bad.write_bytes(tmx('<tu><tuv xml:lang="en"><seg>caf\xe9</seg></tuv></tu>')
                    .replace(b"caf\xc3\xa9", b"caf\xe9\xff"))
    refuse(db, bad, "bytes are not in that encoding", "line 1")


def test_truncated_file(db: Path, tmp_path: Path) -> None:
    data = tmx("")
    bad = tmp_path / "cut.tmx"
    bad.write_bytes(data[: len(data) * 2 // 3])
    refuse(db, bad, "truncated")


def test_not_tmx_xml(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "page.tmx"
    bad.write_bytes(b'<?xml version="1.0"?><html><body><p>Hello</p></body></html>')
    refuse(db, bad, "not TMX", "<html>")
    late = tmp_path / "late-root.tmx"  # root element beyond the sniffed start
    late.write_bytes(b"<!--" + b"x" * 2 * SNIFF_BYTES + b"--><xliff version='1.2'/>")
    refuse(db, late, "not TMX", "<xliff>")


@pytest.mark.parametrize("content", [b"", b"   \n", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                                     "Просто текст".encode()])
def test_empty_and_binary_files(db: Path, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "junk.tmx"
    bad.write_bytes(content)
    refuse(db, bad)


def test_a_gigabyte_of_junk_fails_fast(db: Path, tmp_path: Path) -> None:
    """A sparse 1 GB file of NUL bytes (no disk used): refused from its first bytes."""
    junk = tmp_path / "junk.tmx"
    with open(junk, "wb") as f:
        f.truncate(1 << 30)
    refuse(db, junk, "not XML")


class EndlessJunk(io.RawIOBase):
    """An endless stream of junk that counts what was read from it."""

    def __init__(self, start: bytes) -> None:
        self.start, self.consumed = start, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray) -> int:  # type: ignore[override]
        chunk = (self.start if self.consumed == 0 else b"") + b"\xde\xad\xbe\xef" * len(buf)
        n = min(len(buf), len(chunk))
        buf[:n] = chunk[:n]
        self.consumed += n
        return n


@pytest.mark.parametrize("start", [b"", b"<tmx version='1.4'><header/><body>"])
def test_reader_stops_early_in_endless_junk(start: bytes) -> None:
    stream = EndlessJunk(start)
    with pytest.raises(TMXError):
        list(TMXReader(io.BufferedReader(stream), name="stream"))
    assert stream.consumed < 4 * SNIFF_BYTES


# ------------------------------------------------------------------ killed mid-import
def _units(n: int) -> Iterator[TMXUnit]:
    for i in range(n):
        yield TMXUnit((TMXVariant("en", f"Generated sentence number {i}."),
                       TMXVariant("ru", f"Созданное предложение номер {i}.")))


# `diptych import` in a subprocess whose storing stops for good, mid-transaction, once the
# open transaction has spilled SPILL bytes into the WAL (a small page cache makes it spill) (it
# says so in a flag file): the kill always lands mid-import, whatever the machine's speed. The
# file is big enough to be read by a second process (tm.tmx.ahead), which the kill must not
# leave behind.
_HALTING_IMPORT = """
import os, sys, time
from pathlib import Path
import tm.store.sqlite.store
from tm.store import TM
from tm.cli import main
connect = tm.store.sqlite.store.connect
def small_cache(path):  # 100 pages: the open transaction spills into the WAL early
    conn = connect(path)
    conn.execute("PRAGMA cache_size = 100")
    return conn
tm.store.sqlite.store.connect = small_cache
spill, flag, wal = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
start = wal.stat().st_size if wal.exists() else 0
add_units = TM.add_units
def halting(self, units, **kw):
    counts = add_units(self, units, **kw)
    if wal.exists() and wal.stat().st_size >= start + spill:
        flag.write_text(str(counts.added))
        time.sleep(600)
    return counts
TM.add_units = halting
sys.argv = ["diptych", *sys.argv[4:]]
main()
"""


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux: from /proc; elsewhere none are found)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return found


def test_import_killed_half_way_leaves_the_database_as_it_was(db: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.tmx"
    with open(big, "wb") as f:
        write_tmx(f, export_header(), _units(60_000))
    before = fingerprint(db)
    wal = Path(f"{db}-wal")
    flag = tmp_path / "halted"
    env = {**os.environ, "DIPTYCH_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-c", _HALTING_IMPORT, str(2**20), str(flag),
                             str(wal), "import", str(big)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists(), proc.stderr.read().decode() if proc.poll() is not None else "slow"
        assert proc.poll() is None  # halted inside the import's transaction, never finished
        readers = _children(proc.pid)
        assert readers or (os.cpu_count() or 1) < 2 or not Path("/proc").exists()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.05)  # the reading process ends at its next write into the closed pipe
    assert not [pid for pid in readers if Path(f"/proc/{pid}").exists()]
    assert fingerprint(db) == before
    with TM.open(db) as tm:  # and it is still usable
        small = tmp_path / "small.tmx"
        with open(small, "wb") as f:
            write_tmx(f, export_header(), _units(10))
        assert import_tmx(tm, small).added == 10
        assert tm.count_units() == 11
