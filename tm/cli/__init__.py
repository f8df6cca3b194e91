"""The root ``diptych`` command: align's commands plus the translation-memory commands.

May import tm.service (and tm.web for serve/review) and align.cli; no SQL, no lookups of its own.

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
from tm.cli import copy, exchange, lookup, memory
from tm.errors import TMError
from tm.web.cli import app as web_app  # diptych serve
from tm.web.editor_cli import app as review_app  # diptych review


class _DiptychGroup(Group):
    """Turns domain errors raised by any command into one line on stderr and exit code 1; so
    are SQLite errors met mid-command (a damaged page, a full disk) and memory exhaustion."""

    def invoke(self, ctx: Any) -> Any:
        import sqlite3

        try:
            return super().invoke(ctx)
        except (AlignError, TMError) as exc:
            message = str(exc)
        except sqlite3.Error as exc:
            from tm.store.sqlite.check import explain

            message = explain(exc)
        except MemoryError:
            message = ("out of memory: the input is too large for this machine; split it, or"
                       " give a smaller one")
        typer.echo(f"diptych: error: {' '.join(message.split())}", err=True)
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
        "[bold]Which memory[/bold]: --db PATH (or a postgresql:// URI), else $DIPTYCH_DB, else a diptych.db in the"
        " current folder or a parent, else diptych.db in your data folder"
        " (`diptych stats` shows the one in use)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
for sub in (align_app, memory.app, lookup.app, exchange.app, copy.app, web_app, review_app):
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
    """Console entry point. A usage error (unknown command or option, a value out of range or
    not a number) is one line on stderr and exit code 2, like every other error, not a box."""
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("diptych: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        # click's ClickException/UsageError (vendored as typer._click in typer >= 0.29)
        exit_code = getattr(exc, "exit_code", None)
        if not (hasattr(exc, "format_message") and isinstance(exit_code, int)):
            raise
        message = " ".join(str(exc.format_message()).split())
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        typer.echo(f"diptych: error: {message}{hint}", err=True)
        sys.exit(exit_code)
    sys.exit(code if isinstance(code, int) else 0)
