"""``add --batch`` workers die with their parent, SIGKILL or SIGTERM (issue 13, item 8).

A real process tree: the CLI in a subprocess, two workers each stuck reading a page from a
server on 127.0.0.1 that accepts and never answers. Every wait is bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def children(pid: int) -> set[int]:
    """Live (not zombie) direct children of ``pid``, from /proc."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            out.add(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_worker_survives_its_parent(tmp_path: Path, sig: signal.Signals) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(240)  # the workers load the encoder first
    base = f"http://127.0.0.1:{server.getsockname()[1]}"
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{base}/{n}.en\t{base}/{n}.ru\t0.9\n" for n in range(4)))
    env = dict(os.environ, DIPTYCH_WORKERS="2")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tm.cli import main; main()", "add", "--batch", str(pairs),
         "--db", str(tmp_path / "t.db"), "--timeout", "600"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    held, workers = [], set()
    try:
        for _ in range(2):  # both workers are inside a fetch now
            held.append(server.accept()[0])
        workers = children(proc.pid)
        assert len(workers) >= 2, workers
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 60
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived their parent"
    finally:
        for pid in {proc.pid, *children(proc.pid), *(w for w in workers if alive(w))}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=60)
        for conn in held:
            conn.close()
        server.close()
    if sig is signal.SIGTERM:
        assert proc.returncode == 1
        (line,) = proc.stderr.read().decode().strip().splitlines()[-1:]
        assert "SIGTERM" in line
