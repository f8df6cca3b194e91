"""What the translation-memory commands share: options, help layout, consoles, escaping."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from tm.search.modes import RULE

if TYPE_CHECKING:
    from rich.console import Console

DbOption = Annotated[str | None, typer.Option(
    "--db", help=f"Translation memory file or postgresql:// URI (default: {RULE}).",
    show_default=False)]
ModelOption = Annotated[str, typer.Option(
    "--model", "-m", help="Sentence encoder for embeddings ('use-m3' is embedded).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.1, help="Seconds to wait for a web page.")]
MaxSizeOption = Annotated[float, typer.Option(
    "--max-size", min=0.001, help="Refuse input files larger than this many MB.")]


class Lang(str, Enum):
    en = "en"
    ru = "ru"


def help_text(text: str) -> str:
    """Join the wrapped lines of each prose paragraph (rich keeps line breaks as they are)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        out.append(block if block.startswith("  ") else " ".join(block.split("\n")))
    return "\n\n".join(out)


def console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def echo_json(obj: object) -> None:
    import json

    typer.echo(json.dumps(obj, ensure_ascii=False))


def safe(text: object) -> str:
    """User text (titles, units, queries) escaped for rich markup."""
    from rich.markup import escape

    return escape(str(text))
