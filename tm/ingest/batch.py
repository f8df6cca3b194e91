"""``diptych add --batch``: align and store thousands of article pairs, resumably, on all cores.

Reading and aligning is CPU bound, so it runs in a process pool with one encoder per worker;
the database is written only by the parent, one transaction per pair, in the order of the pair
list (so an interrupted and resumed run stores the same TM as an uninterrupted one). A pair is
identified by the content hashes of its two sides: the SHA-256 of the file for local files (as
``diptych add`` does), of the extracted story text for web pages (whose menus and ads change on
every visit). Pairs already in the TM are skipped, so running the same batch again resumes it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.embed import DEFAULT_MODEL
from align.sources import MAX_BYTES, is_url, read_text_file
from align.types import WEAK_BELOW
from tm.errors import TMError
from tm.ingest.pairs import (
    Prepared,
    content_hash,
    document_for,
    fingerprint_of,
    prepare,
    refuse_unrelated,
    store_prepared,
)
from tm.ingest.workers import die_with, stopping
from tm.store import TM

if TYPE_CHECKING:
    from align.embed import Encoder

REVIEW_BELOW = 0.7
"""Pairs whose pairing confidence is under this are listed for review."""


@dataclass(frozen=True)
class PairJob:
    """One line of the pair list: sources as given (paths or URLs) and the pairing confidence."""

    line: int
    en: str
    ru: str
    confidence: float | None = None


@dataclass
class BatchSummary:
    """What a batch run did. ``review`` and ``failed`` hold ``(job, reason)``."""

    pairs: int = 0
    stored: int = 0
    skipped: int = 0
    units_added: int = 0
    units_existing: int = 0
    weak: int = 0
    kept_weak: bool = False
    unreviewed: int = 0
    failed: list[tuple[PairJob, str]] = field(default_factory=list)
    review: list[tuple[PairJob, str]] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The closing summary, a line per fact."""
        rate = self.stored / self.seconds * 60 if self.seconds > 0 else 0.0
        return [
            (f"{self.pairs} pairs: {self.stored} stored, {self.skipped} already in the TM,"
             f" {len(self.failed)} failed ({self.seconds:.0f} s, {rate:.1f} stored pairs/min)"),
            (f"{self.units_added} units added ({self.unreviewed} weak, under {WEAK_BELOW}:"
             f" marked unreviewed), {self.units_existing} already there, {self.weak} pairs"
             " under --min-score " + ("stored (--keep-weak)" if self.kept_weak else
                                      "left out")),
            f"{len(self.review)} pairs to review (low confidence)",
        ]


def read_pairs(path: Path) -> list[PairJob]:
    """Lines ``en_source<TAB>ru_source[<TAB>confidence]`` (``diptych pair``'s output).

    Blank lines and ``#`` comments are skipped. Relative paths are taken from the current
    folder, as ``pair`` prints them, else from the pair file's folder. The list is read with a
    story's limits (size, UTF-8/UTF-16, not binary): an :class:`InputError` says what is wrong.
    """
    if path.exists() and not path.is_file():
        raise TMError(f"pair list '{path}' is not a file; pass the TSV that `diptych pair` wrote")
    if not path.is_file():
        raise TMError(f"pair list '{path}' does not exist; make one with `diptych pair EN RU -o"
                      f" {path.name}`")
    jobs = []
    for no, raw in enumerate(read_text_file(path, what="list of pairs").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in raw.split("\t")]
        conf: float | None = None
        if len(parts) == 3:
            try:
                conf = float(parts[2])
            except ValueError:
                conf = -1.0
        if len(parts) not in (2, 3) or not all(parts[:2]) or (conf is not None
                                                              and not 0 <= conf <= 1):
            raise TMError(f"{path}:{no}: expected en_source<TAB>ru_source<TAB>confidence (0..1),"
                          f" as `diptych pair` writes; got {raw[:80]!r}")
        en, ru = (_resolve(p, path.parent) for p in parts[:2])
        jobs.append(PairJob(no, en, ru, conf))
    if not jobs:
        raise TMError(f"pair list '{path}' holds no pairs")
    return jobs


def _resolve(source: str, base: Path) -> str:
    if is_url(source) or Path(source).is_absolute() or Path(source).exists():
        return source
    return str(base / source) if (base / source).exists() else source


# --------------------------------------------------------------------------- worker side
@dataclass(frozen=True)
class WorkerOptions:
    """What every worker needs to read, align and embed a pair."""

    model: str
    known: frozenset[str]
    min_score: float
    timeout: float
    max_bytes: int
    parent: int = 0
    """The parent's pid: a worker ends itself when its parent is gone (0: do not watch)."""
    keep_weak: bool = False


@dataclass
class _Worker:
    options: WorkerOptions
    encoder: Encoder


_worker: _Worker | None = None


def _init_worker(options: WorkerOptions) -> None:
    """Load one encoder per process (single-threaded: the pool supplies the parallelism)."""
    global _worker
    from tm.vectors.model import load_encoder

    if options.parent:
        die_with(options.parent)

    _worker = _Worker(options, load_encoder(options.model, cache=True))


@dataclass(frozen=True)
class _Outcome:
    job: PairJob
    fingerprint: str | None = None
    prepared: Prepared | None = None
    error: str | None = None


def _work(job: PairJob) -> _Outcome:
    """Read, align and embed one pair (in a worker). Errors come back as text, never raised."""
    from align.errors import AlignError
    from align.pipeline import align_texts
    from align.sources import read_source

    assert _worker is not None, "_init_worker runs first"
    opts, encoder = _worker.options, _worker.encoder
    try:
        en = read_source(job.en, timeout=opts.timeout, max_bytes=opts.max_bytes)
        ru = read_source(job.ru, timeout=opts.timeout, max_bytes=opts.max_bytes)
        fingerprint = fingerprint_of(en, ru)
        if fingerprint in opts.known:
            return _Outcome(job, fingerprint)
        al = align_texts(en.text, ru.text, encoder=encoder)
        refuse_unrelated(al, keep_weak=opts.keep_weak)
    except (AlignError, TMError) as exc:
        return _Outcome(job, error=str(exc))
    doc = document_for(en, ru, fingerprint=fingerprint,
                       meta={"pair_confidence": job.confidence})
    return _Outcome(job, fingerprint,
                    prepare(al, doc, min_score=opts.min_score, encoder=encoder,
                            keep_weak=opts.keep_weak))


# --------------------------------------------------------------------------- parent side
def _store(tm: TM, out: _Outcome, model: str, summary: BatchSummary) -> None:
    """Write one pair's document, units and vectors in one transaction."""
    assert out.prepared is not None
    result = store_prepared(tm, out.prepared, model=model)
    if not result.new_document:
        summary.skipped += 1
        return
    summary.units_added += result.added
    summary.units_existing += result.existing
    summary.stored += 1
    summary.weak += result.weak
    summary.unreviewed += result.unreviewed


def run_batch(tm: TM, jobs: Sequence[PairJob], *, model: str = DEFAULT_MODEL,
              workers: int | None = None, min_score: float = 0.5,
              review_below: float = REVIEW_BELOW, timeout: float = 20.0,
              max_bytes: int = MAX_BYTES, keep_weak: bool = False,
              progress: Callable[[PairJob, str], None] | None = None) -> BatchSummary:
    """Align and store every pair of ``jobs`` into ``tm`` (see the module docstring).

    ``progress(job, status)`` is called in the parent after each pair, with status
    ``stored``, ``skipped`` or ``failed``.
    """
    import multiprocessing

    start = time.perf_counter()
    summary = BatchSummary(pairs=len(jobs))
    known = tm.fingerprints()
    todo = []
    for job in jobs:  # local files: known pairs are skipped without reading them
        hashes = (content_hash(job.en, max_bytes), content_hash(job.ru, max_bytes))
        if None not in hashes and f"{hashes[0]}:{hashes[1]}" in known:
            summary.skipped += 1
            if progress:
                progress(job, "skipped")
        else:
            todo.append(job)
    options = WorkerOptions(model, known, min_score, timeout, max_bytes, parent=os.getpid(),
                            keep_weak=keep_weak)
    summary.kept_weak = keep_weak
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if todo:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded, DB-holding parent
        pool = ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(options,))
        with stopping(pool):
            try:
                for out in pool.map(_work, todo):  # in list order: the same TM however it runs
                    status = _take(tm, out, model, review_below, summary)
                    if progress:
                        progress(out.job, status)
            except BrokenProcessPool:
                raise TMError("a worker process died (out of memory?); run the same command"
                              " again: pairs already stored are skipped") from None
    summary.seconds = time.perf_counter() - start
    return summary


def _take(tm: TM, out: _Outcome, model: str, review_below: float,
          summary: BatchSummary) -> str:
    """Count (and store) one worker's outcome; returns its status."""
    if out.error is not None:
        summary.failed.append((out.job, out.error))
        return "failed"
    if out.prepared is None:
        summary.skipped += 1
        return "skipped"
    before = summary.stored
    _store(tm, out, model, summary)
    _review(out, review_below, summary)
    return "stored" if summary.stored > before else "skipped"


def _review(out: _Outcome, review_below: float, summary: BatchSummary) -> None:
    reasons = []
    if out.job.confidence is not None and out.job.confidence < review_below:
        reasons.append(f"pairing confidence {out.job.confidence:.3f}")
    reasons += list(out.prepared.warnings if out.prepared else ())
    if reasons:
        summary.review.append((out.job, "; ".join(reasons)))
