"""``import`` and ``export``: TMX 1.4b in and out of the memory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from align.cli import Command, Group
from tm.choices import SegType
from tm.cli.common import DbOption, console, help_text

app = typer.Typer(cls=Group)

IMPORT_HELP = """Import a TMX file (from OmegaT, Trados, memoQ, or diptych) into the translation memory.

Units need an English and a Russian variant (any region: en-US, EN-GB, ru-RU; of several,
the srclang one); props, notes, inline tags, header props and other variants are kept for
export. The same text with other inline tags is another unit; a duplicate's tuid, props and
notes are merged into the stored unit. The import is one transaction: a broken, hostile or
interrupted file, or one without a single English-Russian TU, leaves the memory as it was. Embeddings for semantic search are not
computed here: run `diptych index` afterwards.

[bold]Examples[/bold]

  diptych import project-memory.tmx

  diptych import trados-export.tmx --db newsroom.db && diptych index --db newsroom.db
"""

EXPORT_HELP = """Export the translation memory as TMX 1.4b, for OmegaT, Trados, memoQ.

Streams in constant memory. Put the file in an OmegaT project's tm/ (or tm/auto/) folder to get
its matches. Keep --segtype sentence (the default) when the CAT tool splits sentences.

[bold]Examples[/bold]

  diptych export memory.tmx

  diptych export - --since 2024-05-01 | gzip > new-units.tmx.gz

  diptych export story.tmx --doc "Rail deal" --min-score 0.7
"""


@app.command("import", help=help_text(IMPORT_HELP), no_args_is_help=True, cls=Command)
def import_command(
    file: Annotated[Path, typer.Argument(
        help="The TMX file to import.", metavar="FILE.tmx", show_default=False)],
    db: DbOption = None,
) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from tm import service
    from tm.errors import TMError
    from tm.store import locate

    if not file.is_file():
        raise TMError(f"no TMX file at {file}: check the path")
    err = console(stderr=True)
    target = locate(db).path
    new = not target.exists()
    try:
        with service.TM.open(db) as tm, Progress(
                "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                TimeRemainingColumn(), console=err, transient=True,
                disable=not err.is_terminal) as progress:
            task = progress.add_task("importing", total=file.stat().st_size)
            report = service.import_tmx(tm, file, on_progress=lambda n: progress.advance(task, n))
            typer.echo(f"{file.name}: {report} in {tm.path}")
    except TMError:
        if new:  # a memory this command created for a file it could not import: not left behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                target.with_name(target.name + suffix).unlink(missing_ok=True)
        raise


@app.command("export", help=help_text(EXPORT_HELP), no_args_is_help=True, cls=Command)
def export_command(
    file: Annotated[str, typer.Argument(
        help="Output TMX file, or - for stdout.", metavar="FILE.tmx", show_default=False)],
    db: DbOption = None,
    doc: Annotated[str | None, typer.Option(
        "--doc", help="Only this document (id, title, URL or fingerprint; see"
        " `diptych documents`).", show_default=False)] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only units changed on or after this date (YYYY-MM-DD).",
        show_default=False)] = None,
    min_score: Annotated[float | None, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="Only units aligned with at least this confidence (imported units pass).",
        show_default=False)] = None,
    segtype: Annotated[SegType, typer.Option(
        "--segtype", help="The header's segtype: sentence units for sentence-splitting tools.")]
        = SegType.sentence,
) -> None:
    from align.output import check_writable, is_stdout, write_output
    from tm import service

    if not is_stdout(file):
        check_writable(file)
    with service.TM.open(db, readonly=True) as tm:
        write = service.export_writer(tm, service.ExportRequest(doc, since, min_score, segtype))
        n = write_output(file, write) or 0
    typer.echo(f"exported {n} units" + ("" if is_stdout(file) else f" to {file}"), err=True)


BACKUP_HELP = """Copy the translation memory to FILE, safely, even while the desk or another command writes.

Uses SQLite's online backup: the copy is consistent and self-contained (one file, no -wal), and
it is written beside FILE and renamed over it, so a failed backup leaves nothing half-made.
Copying the .db file with cp while diptych runs can give a damaged copy (its -wal holds the
latest changes). To restore, stop the desk and every diptych command first, then copy the
backup over the memory file and delete the memory's -wal and -shm files if any. A PostgreSQL
memory is backed up with pg_dump.

[bold]Examples[/bold]

  diptych backup backups/newsroom-2026-05-01.db

  diptych backup /mnt/usb/memory.db --db newsroom.db
"""


@app.command("backup", help=help_text(BACKUP_HELP), no_args_is_help=True, cls=Command)
def backup_command(
    file: Annotated[Path, typer.Argument(
        help="The backup file to write (replaced if it exists).", metavar="FILE",
        show_default=False)],
    db: DbOption = None,
) -> None:
    from tm import service

    size, source = service.backup(db, file)
    typer.echo(f"backed up {source} to {file} ({size / 1e6:.1f} MB)", err=True)
