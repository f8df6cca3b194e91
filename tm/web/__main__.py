"""``python -m tm.web [OPTIONS]``: the same as ``diptych serve``."""

from __future__ import annotations

import typer

from tm.errors import TMError
from tm.web.cli import serve_command


def main() -> None:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(serve_command)
    try:
        app()
    except TMError as exc:
        typer.echo(f"diptych: error: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
