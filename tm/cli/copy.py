"""``copy``: a whole memory from SQLite to PostgreSQL, back, or to another file."""

from __future__ import annotations

import typer

from align.cli import Command, Group
from tm.cli.common import console, help_text

app = typer.Typer(cls=Group)

COPY_HELP = """Copy a whole translation memory into a new one: SQLite to PostgreSQL, back, or to
another file.

Documents, units (with their ids, origins and dates), links, edit history, saved corrections,
term links, vectors and settings are copied row for row, in one transaction on the target: an
interrupted copy leaves the target as it was. The target must hold nothing yet (a new file, or
a PostgreSQL database or schema without a memory).

[bold]Examples[/bold]

  diptych copy diptych.db postgresql://diptych@db.newsroom.example/tm

  diptych copy postgresql://diptych@db.newsroom.example/tm backup.db
"""


@app.command("copy", help=help_text(COPY_HELP), cls=Command)
def copy_command(
    src: str = typer.Argument(..., help="The memory to copy: a file or a postgresql:// URI."),
    dst: str = typer.Argument(..., help="The new memory: a file or a postgresql:// URI."),
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tm.store import TM
    from tm.store.copy import copy_memory

    with TM.open(src, readonly=True) as source, TM.open(dst) as target, Progress(
            TextColumn("copying"), BarColumn(), MofNCompleteColumn(),
            console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("copying", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        rows = copy_memory(source, target, progress)
        counts = target.counts()
        typer.echo(f"copied {rows} rows: {counts.documents} documents, {counts.units} units,"
                   f" {counts.embedded} vectors from {source.shown} to {target.shown}")
