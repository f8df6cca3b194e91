"""``diptych add --batch PAIRS.tsv``: progress bar and closing summary over :func:`run_batch`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tm.cli.common import console
from tm.errors import TMError
from tm.service import BatchRequest

if TYPE_CHECKING:
    from rich.console import Console

    from tm.ingest.batch import BatchSummary

MAX_LISTED = 20
"""Pairs to review (and failures) listed one a line; the rest are counted."""


def add_batch(batch: Path, *, db: str | Path | None, request: BatchRequest,
              story_options: Sequence[str] = ()) -> None:
    """Run ``add --batch`` (workers: ``$DIPTYCH_WORKERS`` or all cores).

    ``story_options`` names the single-story options given (refused with --batch); Ctrl-C
    ends with one line saying how many pairs are stored (a run again resumes)."""
    from tm.ingest.batch import read_pairs

    if story_options:
        raise TMError(f"{'/'.join(story_options)} describe one story; with --batch each pair's"
                      " title, URL and date come from its pages")
    total = len(read_pairs(batch))  # a bad list is refused before the TM is opened
    workers = os.environ.get("DIPTYCH_WORKERS", "")
    request = replace(request, workers=int(workers) if workers.isdigit() else None)
    err = console(stderr=True)
    counts = {"stored": 0, "skipped": 0, "failed": 0}
    try:
        summary, path = _run(db, request, total, counts, err)
    except KeyboardInterrupt:  # the bar stops first: this is the last line the user sees
        typer.echo(f"diptych: interrupted: {counts['stored']} of {total} stored,"
                   f" {counts['skipped']} there already; run again to resume", err=True)
        raise typer.Exit(130) from None
    for job, why in summary.failed[:MAX_LISTED]:
        typer.echo(f"diptych: failed: {batch}:{job.line} {job.en} / {job.ru}: {why}", err=True)
    for job, why in summary.review[:MAX_LISTED]:
        typer.echo(f"diptych: review: {batch}:{job.line} {job.en} / {job.ru}: {why}", err=True)
    hidden = max(0, len(summary.review) - MAX_LISTED) + max(0, len(summary.failed) - MAX_LISTED)
    if hidden:
        typer.echo(f"diptych: ... and {hidden} more", err=True)
    typer.echo(f"{path}: " + "\n".join(summary.lines()))
    if summary.failed:
        raise typer.Exit(1)


def _run(db: str | Path | None, request: BatchRequest, total: int, counts: dict[str, int],
         err: Console) -> tuple[BatchSummary, Path]:
    """The batch under a progress bar, counting into ``counts``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from tm import service
    from tm.ingest.batch import PairJob

    with service.TM.open(db) as tm, Progress(
        TextColumn("[bold]adding[/bold]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(), console=err, transient=False,
    ) as progress:
        task = progress.add_task("pairs", total=total, counts="")

        def advance(job: PairJob, status: str) -> None:
            counts[status] += 1
            if not err.is_terminal:  # logs: one line a pair instead of a live bar
                done = sum(counts.values())
                typer.echo(f"diptych: [{done}/{total}] {status}: {job.en} / {job.ru}",
                           err=True)
            progress.update(task, advance=1, counts=", ".join(f"{v} {k}"
                                                              for k, v in counts.items()))

        return service.add_batch(tm, request, progress=advance), tm.path


def batch_status(batch: Path, db: str | Path | None) -> None:
    """``add --batch LIST --status``: the shared run's progress (tm.ingest.shared)."""
    from tm import service
    from tm.cli.common import safe

    with service.TM.open(db, readonly=True) as tm:
        typer.echo("\n".join(safe(line) for line in service.batch_status(tm, batch)))
