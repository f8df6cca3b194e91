"""The root ``diptych`` command: align's commands plus the translation-memory commands.

Each command is a thin adapter: parse options, call one function of :mod:`tm.service` (or of
align's library), render. Domain errors (AlignError, TMError) become one line on stderr and
exit code 1. Sub-apps are mounted with Typer's ``add_typer``; heavy modules load inside the
commands, so ``diptych --help`` and ``--version`` stay light.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from align.cli import Group
from align.cli import app as align_app
from align.errors import AlignError
from tm.cli import exchange, lookup, memory
from tm.errors import TMError
from tm.web.cli import app as web_app  # diptych serve


class _DiptychGroup(Group):
    """Turns domain errors raised by any command into one line on stderr and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (AlignError, TMError) as exc:
            typer.echo(f"diptych: error: {exc}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="diptych",
    cls=_DiptychGroup,
    help=(
        "Align English and Russian editions of a story, keep the pairs in a translation memory,"
        " look them up while translating, and exchange them as TMX 1.4b.\n\n"
        "[bold]Workflow[/bold]\n\n"
        "  diptych align story.en.txt story.ru.txt   [dim]# review an alignment[/dim]\n\n"
        "  diptych add story.en.txt story.ru.txt     [dim]# store it in the memory[/dim]\n\n"
        "  diptych search \"a new sentence\"          [dim]# look it up[/dim]\n\n"
        "  diptych pretranslate new-story.en.txt     [dim]# draft from the memory[/dim]\n\n"
        "  diptych export memory.tmx                 [dim]# for OmegaT, Trados, memoQ[/dim]\n\n"
        "[bold]Which memory[/bold]: --db PATH, else $DIPTYCH_DB, else a diptych.db in the"
        " current folder or a parent, else diptych.db in your data folder"
        " (`diptych stats` shows the one in use)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
for sub in (align_app, memory.app, lookup.app, exchange.app, web_app):
    app.add_typer(sub)


def _version(value: bool) -> None:
    if value:
        from align.output import tool_version

        typer.echo(f"diptych {tool_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
        = False,
) -> None:
    """Align, store, look up and exchange translations (see the commands below)."""


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("diptych: interrupted", err=True)
        sys.exit(130)
