"""The root ``diptych`` command: align's commands plus the translation-memory commands.

Each command is a thin adapter: parse options, call one library function, render.
Domain errors (AlignError, TMError) become one line on stderr and exit code 1.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from align.cli import register as register_align_commands
from align.errors import AlignError
from tm.errors import TMError


class _DiptychGroup(TyperGroup):
    """Turns domain errors raised by any command into one line on stderr and exit code 1."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
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
        "  diptych add story.en.txt story.ru.txt     [dim]# store it in ./diptych.db[/dim]\n\n"
        "  diptych search \"a new sentence\"          [dim]# look it up[/dim]\n\n"
        "  diptych pretranslate new-story.en.txt     [dim]# draft from the memory[/dim]\n\n"
        "  diptych export memory.tmx                 [dim]# for OmegaT, Trados, memoQ[/dim]"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

register_align_commands(app)


def _version(value: bool) -> None:
    if value:
        from align.cli import tool_version

        typer.echo(f"diptych {tool_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
        = False,
) -> None:
    """Align, store, look up and exchange translations (see the commands below)."""

# Translation-memory commands register themselves below (one `register(app)` per module).
__import__("tm.commands").commands.register(app)  # add, search, pretranslate, stats, index
__import__("tm.tmx_cli").tmx_cli.register(app)  # import, export (TMX 1.4b)
__import__("align.pair_cli").pair_cli.register(app)  # pair (archive: which EN is which RU)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("diptych: interrupted", err=True)
        sys.exit(130)
