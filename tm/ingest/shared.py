"""``add --batch`` shared by workers on several machines: one list, one memory, each pair done
once.

The list's pairs are rows of the memory's job table (``tm.store.interface.Jobs``), keyed by the
SHA-256 of the list file's bytes, so every machine given the same list joins the same job. A
worker claims the next waiting pair for ``lease`` seconds, aligns it in its own process, stores
it (one transaction; a pair stored already is skipped by its fingerprint) and marks it done or
failed. A worker that dies leaves its claim to expire: another worker then takes the pair. A
worker with nothing left to claim waits while other workers still run pairs (one of them may
die), and ends when every pair is done or failed. ``--status`` reads the same rows.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tm.ingest.batch import (
    REVIEW_BELOW,
    BatchSummary,
    PairJob,
    WorkerOptions,
    _init_worker,
    _Outcome,
    _take,
    _work,
)
from tm.store import TM

if TYPE_CHECKING:
    from tm.store.types import JobItem

LEASE = 600.0
"""Seconds a claim holds before another worker may take the pair (``add --batch --lease``):
well over one pair's work (a long story takes 20-60 s to fetch, align and embed on one core),
short enough that a dead machine's pairs are taken over within minutes. A lease shorter than
a pair's work has that pair aligned twice (stored once: the second finds its fingerprint)."""
WAIT = 5.0
"""Seconds between two looks for expired claims once nothing is left to claim (at most half
the lease, so a short ``--lease`` is taken over as soon as it ends)."""


def job_key(listing: Path) -> str:
    """The job of a pair list: the SHA-256 of its bytes (the same list on every machine)."""
    return hashlib.sha256(listing.read_bytes()).hexdigest()


def run_shared(tm: TM, jobs: Sequence[PairJob], key: str, options: WorkerOptions, *,
               lease: float = LEASE, wait: float = WAIT, review_below: float = REVIEW_BELOW,
               progress: Callable[[PairJob, str], None] | None = None,
               work: Callable[[PairJob], _Outcome] | None = None,
               worker: str | None = None) -> BatchSummary:
    """Claim, align and store pairs of job ``key`` until none is left (module docstring).

    The summary counts the pairs THIS worker did: the workers' summaries add up to the list.
    ``work`` replaces the aligner (tests)."""
    start = time.perf_counter()
    host = socket.gethostname()
    worker = worker or f"{host}:{os.getpid()}"
    tm.enqueue_job(key, len(jobs))
    if work is None:
        _init_worker(options)  # this process aligns: one encoder
        work = _work
    summary = BatchSummary(kept_weak=options.keep_weak)
    while True:
        item = tm.claim_item(key, host, worker, lease)
        if item is None:
            if not any(i.state == "running" for i in tm.job_progress(key)):
                break
            time.sleep(min(wait, lease / 2))  # a short lease is watched as often
            continue
        out = work(jobs[item])
        status = _take(tm, out, options.model, review_below, summary)
        tm.finish_item(key, item, worker, error=out.error)
        summary.pairs += 1
        if progress:
            progress(out.job, status)
    summary.seconds = time.perf_counter() - start
    return summary


def status_lines(items: Sequence[JobItem], jobs: Sequence[PairJob], listing: str) -> list[str]:
    """``--status``: the whole job's progress, then each running pair (where, by whom, until
    when its claim holds) and each failed pair with its reason."""
    if not items:
        return [f"{listing}: no shared run of this list in the memory yet"]
    counts = {s: sum(i.state == s for i in items) for s in ("done", "running", "waiting",
                                                             "failed")}
    lines = [f"{listing}: {len(items)} pairs: " + ", ".join(f"{n} {s}"
                                                           for s, n in counts.items())]
    now = time.time()
    for i in items:
        job = jobs[i.item] if i.item < len(jobs) else None
        where = f"{listing}:{job.line} {job.en} / {job.ru}" if job else f"pair {i.item}"
        if i.state == "running":
            left = (i.until or now) - now
            held = (f"claim expires in {left:.0f} s" if left > 0 else
                    "claim expired: the next worker takes it over")
            lines.append(f"running on {i.host} ({i.worker}): {where}; {held}")
        elif i.state == "failed":
            lines.append(f"failed: {where}: {i.message}")
    return lines
