"""The one output writer: atomic, umask-honouring, mode-keeping, and never over a device."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from align.errors import InputError
from align.output import write_atomically, write_output


@pytest.fixture()
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_honours_the_umask(tmp_path: Path, umask_022: None) -> None:
    write_atomically(tmp_path / "new.txt", b"x")
    assert mode(tmp_path / "new.txt") == 0o644
    os.umask(0o077)
    write_atomically(tmp_path / "private.txt", b"x")
    assert mode(tmp_path / "private.txt") == 0o600


def test_an_existing_file_keeps_its_mode_and_gets_the_new_bytes(tmp_path: Path,
                                                                 umask_022: None) -> None:
    out = tmp_path / "out.txt"
    out.write_bytes(b"old")
    out.chmod(0o640)
    write_atomically(out, b"new")
    assert (out.read_bytes(), mode(out)) == (b"new", 0o640)


def test_a_symlink_to_a_file_writes_its_target_and_stays(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_bytes(b"old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomically(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


@pytest.mark.parametrize("kind", ["device", "fifo", "link to a device", "folder"])
def test_anything_but_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "device":
        path = Path("/dev/null")
    elif kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    elif kind == "folder":
        path = tmp_path
    else:
        path = tmp_path / "null"
        path.symlink_to("/dev/null")
    before = path.lstat()
    with pytest.raises(InputError, match="cannot write") as err:
        write_atomically(path, b"x")
    assert "\n" not in str(err.value)
    after = path.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not list(tmp_path.glob(".*.part"))


def test_nothing_is_left_behind_when_the_writer_fails(tmp_path: Path) -> None:
    out = tmp_path / "out.tmx"
    out.write_bytes(b"kept")

    def half(f: BinaryIO) -> int:
        f.write(b"half a file")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomically(out, half)
    assert out.read_bytes() == b"kept" and os.listdir(tmp_path) == ["out.tmx"]


def test_stdout(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert write_output("-", lambda f: f.write(b"to stdout")) == 9
    write_output(None, b"!")
    assert capfdbinary.readouterr().out == b"to stdout!"


KILLED_WRITER = """
import sys, time
from pathlib import Path
from align.output import write_atomically
def half(f):
    f.write(b"x" * 1_000_000)
    f.flush()
    Path(sys.argv[2]).write_text("writing")
    time.sleep(600)
write_atomically(sys.argv[1], half)
"""


def test_a_kill_mid_write_leaves_nothing_behind(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    out, flag = tmp_path / "out" / "memory.tmx", tmp_path / "flag"
    out.parent.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out), str(flag)])
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    if not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE here: a named .part file is left after a kill")
    assert os.listdir(out.parent) == []
