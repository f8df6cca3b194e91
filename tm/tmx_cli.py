"""The ``import`` and ``export`` commands (TMX 1.4b): thin adapters over :mod:`tm.tmx`."""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from align.cli import write_atomically
from tm.errors import TMError

DbOption = Annotated[Path | None, typer.Option(
    "--db", envvar="DIPTYCH_DB", help="Translation memory file (default: ./diptych.db).",
    show_default=False)]


class SegType(str, Enum):
    sentence = "sentence"
    paragraph = "paragraph"


IMPORT_HELP = """Import a TMX file (from OmegaT, Trados, memoQ, or diptych) into the translation memory.

Units need one English and one Russian variant (any region: en-US, EN-GB, ru-RU); props, notes,
inline tags and other languages are kept for export. The import is one transaction: a broken,
hostile or interrupted file leaves the memory as it was. Embeddings for semantic search are not
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

_DATE = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?Z?)?")


def import_command(
    file: Annotated[Path, typer.Argument(
        help="The TMX file to import.", metavar="FILE.tmx", show_default=False)],
    db: DbOption = None,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from tm.store import TM
    from tm.tmx import import_tmx

    if not file.is_file():
        raise TMError(f"no TMX file at {file}: check the path")
    console = Console(stderr=True)
    with TM.open(db) as tm, Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
            TimeRemainingColumn(), console=console, transient=True,
            disable=not console.is_terminal) as progress:
        task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)
        report = import_tmx(tm, file, on_progress=lambda n: progress.advance(task, n))
        typer.echo(f"{file.name}: {report} in {tm.path}")


def export_command(
    file: Annotated[str, typer.Argument(
        help="Output TMX file, or - for stdout.", metavar="FILE.tmx", show_default=False)],
    db: DbOption = None,
    doc: Annotated[str | None, typer.Option(
        "--doc", help="Only this document (id, title, URL or fingerprint; see `diptych stats`).",
        show_default=False)] = None,
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
    from tm.store import TM
    from tm.tmx import export_tmx

    if since is not None and not _DATE.fullmatch(since):
        raise TMError(f"--since {since!r} is not a date: use YYYY-MM-DD")
    with TM.open(db, create=False) as tm:
        doc_id = tm.resolve_document(doc) if doc is not None else None

        def write(out: BinaryIO) -> int:
            return export_tmx(tm, out, doc=doc_id, since=since, min_score=min_score,
                              segtype=segtype.value)

        if file == "-":
            n = write(sys.stdout.buffer)
            sys.stdout.flush()
        else:
            n = write_atomically(Path(file), write) or 0
    typer.echo(f"exported {n} units" + ("" if file == "-" else f" to {file}"), err=True)


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the root app."""
    app.command("import", help=IMPORT_HELP, no_args_is_help=True)(import_command)
    app.command("export", help=EXPORT_HELP, no_args_is_help=True)(export_command)
