"""``add --batch`` shared through the memory's job table (tm.ingest.shared), on SQLite: claims
never overlap, a dead worker's claim is taken over once it expires, three worker processes
with one of them SIGKILLed do every pair exactly once, ``--status`` tells the progress.

The aligner is stood in for (a pair's work is recorded, not aligned): what is tested is who
does which pair; storing a prepared pair is ``add --batch``'s own path (test_batch)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.ingest.batch import PairJob, WorkerOptions, _Outcome
from tm.ingest.shared import job_key, run_shared
from tm.store import TM

OPTIONS = WorkerOptions("none", frozenset(), 0.5, 1.0, 1000)


def _listing(folder: Path, n: int) -> tuple[Path, list[PairJob]]:
    listing = folder / "pairs.tsv"
    listing.write_text("".join(f"/a/{k}.en.txt\t/a/{k}.ru.txt\n" for k in range(n)))
    return listing, [PairJob(k + 1, f"/a/{k}.en.txt", f"/a/{k}.ru.txt") for k in range(n)]


def test_claims_never_overlap_and_an_expired_one_is_taken_over(memory_at: str) -> None:
    with TM.open(memory_at) as tm:
        tm.enqueue_job("j", 3)
        tm.enqueue_job("j", 3)  # a second worker joins: nothing added
        assert tm.claim_item("j", "h1", "w1", lease=60) == 0
        assert tm.claim_item("j", "h2", "w2", lease=-1) == 1  # expires at once: w2 "died"
        assert tm.claim_item("j", "h3", "w3", lease=60) == 1  # taken over
        assert tm.claim_item("j", "h3", "w3", lease=60) == 2
        assert tm.claim_item("j", "h1", "w1", lease=60) is None
        assert not tm.finish_item("j", 1, "w2")  # no longer w2's
        assert tm.finish_item("j", 1, "w3") and tm.finish_item("j", 0, "w1", error="boom")
        states = {i.item: (i.state, i.worker, i.message) for i in tm.job_progress("j")}
    assert states == {0: ("failed", "w1", "boom"), 1: ("done", "w3", None),
                      2: ("running", "w3", None)}


def test_a_worker_waits_for_running_pairs_and_finishes_a_dead_workers(tmp_path: Path) -> None:
    listing, jobs = _listing(tmp_path, 4)
    key = job_key(listing)
    done: list[int] = []

    def work(job: PairJob) -> _Outcome:
        done.append(job.line)
        return _Outcome(job, error="unreadable") if job.line == 3 else _Outcome(job, "fp")

    with TM.open(tmp_path / "m.db") as tm:
        tm.enqueue_job(key, len(jobs))
        assert tm.claim_item(key, "gone", "dead:1", lease=0.3) == 0  # dies holding pair 1
        summary = run_shared(tm, jobs, key, OPTIONS, work=work, wait=0.05, worker="b:2")
        assert sorted(done) == [1, 2, 3, 4]  # pair 1 after its claim expired
        assert (summary.pairs, summary.skipped, len(summary.failed)) == (4, 3, 1)
        assert all(i.worker == "b:2" for i in tm.job_progress(key))
    out = CliRunner().invoke(app, ["add", "--batch", str(listing), "--status", "--db",
                                   str(tmp_path / "m.db")])
    assert out.exit_code == 0, out.output
    assert "4 pairs: 3 done, 0 running, 0 waiting, 1 failed" in out.output
    assert f"failed: {listing}:3 /a/2.en.txt / /a/2.ru.txt: unreadable" in out.output


def _slow_worker(db: str, listing: str, name: str, log: str) -> None:
    """One 'machine': claims pairs, each taking 50 ms, and logs each pair it finished."""
    from tm.ingest.batch import read_pairs

    def work(job: PairJob) -> _Outcome:
        time.sleep(0.05)
        return _Outcome(job, "fp")

    jobs = read_pairs(Path(listing))
    with TM.open(db) as tm:
        summary = run_shared(tm, jobs, job_key(Path(listing)), OPTIONS, work=work, lease=1.0,
                             wait=0.1, worker=name,
                             progress=lambda job, _: _append(log, f"{name} {job.line}"))
    _append(log, f"{name} summary {summary.pairs}")


def _append(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_three_workers_one_killed_do_every_pair_once(tmp_path: Path, memory_at: str) -> None:
    """Three 'machines' on one memory (SQLite, and PostgreSQL: SKIP LOCKED claims)."""
    listing, jobs = _listing(tmp_path, 40)
    db, log = memory_at, tmp_path / "log.txt"
    TM.open(db).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_slow_worker, args=(str(db), str(listing), f"w{k}", str(log)))
             for k in range(3)]
    for p in procs:
        p.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill w0 once it has done a few pairs
        if log.exists() and sum(1 for x in log.read_text().splitlines()
                                if x.startswith("w0 ")) >= 3:
            break
        time.sleep(0.02)
    assert procs[0].pid is not None
    os.kill(procs[0].pid, signal.SIGKILL)
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [-signal.SIGKILL, 0, 0]
    lines = log.read_text().splitlines()
    finished = [int(x.split()[1]) for x in lines if "summary" not in x]
    assert len(finished) == len(set(finished))  # no pair done twice
    with TM.open(db) as tm:
        items = tm.job_progress(job_key(listing))
    assert {i.state for i in items} == {"done"} and len(items) == len(jobs)
    summaries = {x.split()[0]: int(x.split()[-1]) for x in lines if "summary" in x}
    assert summaries == {w: sum(i.worker == w for i in items) for w in ("w1", "w2")}
    assert sum(summaries.values()) + sum(i.worker == "w0" for i in items) == len(jobs)
    assert sum(i.worker == "w0" for i in items) >= 3


def test_lease_sets_how_long_a_cli_workers_claim_holds(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``add --batch --lease S``: each claim the worker takes holds S seconds (default 600),
    read from the job table while the pair is in the worker's hands."""
    from tm.ingest import shared

    listing, _ = _listing(tmp_path, 2)
    db = str(tmp_path / "m.db")
    held: list[float] = []

    def work(job: PairJob) -> _Outcome:
        with TM.open(db, readonly=True) as tm:
            held.extend(i.until - time.time() for i in tm.job_progress(job_key(listing))
                        if i.state == "running" and i.until is not None)
        return _Outcome(job, "fp")

    monkeypatch.setattr(shared, "_work", work)
    monkeypatch.setattr(shared, "_init_worker", lambda options: None)
    TM.open(db).close()
    for lease, longest in (("7", 7.0), (None, 600.0)):
        held.clear()
        args = ["add", "--batch", str(listing), "--shared", "--db", db]
        out = CliRunner().invoke(app, args + (["--lease", lease] if lease else []))
        assert out.exit_code == 0, out.output
        assert len(held) == 2 and all(longest - 5 < h <= longest for h in held), held
        listing.write_text(listing.read_text() + "\n")  # another list: a new job


def test_lease_without_a_shared_run_is_refused(tmp_path: Path) -> None:
    listing, _ = _listing(tmp_path, 2)
    for how in (["--alone"], []):  # SQLite runs alone unless --shared
        out = CliRunner().invoke(app, ["add", "--batch", str(listing), *how, "--lease", "30",
                                       "--db", str(tmp_path / "m.db")])
        assert out.exit_code == 1 and "--lease is for a list shared" in out.output, out.output
    out = CliRunner().invoke(app, ["add", "--batch", str(listing), "--lease", "0.5", "--db",
                                   str(tmp_path / "m.db")])
    assert out.exit_code == 2  # under a second: refused by the option itself
