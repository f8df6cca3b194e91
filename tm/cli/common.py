"""What the translation-memory commands share: options, help layout, consoles, escaping.

The options and helpers align's commands have too (--model, --timeout, --max-size, warn,
console) are align.cli's, imported here so both command sets say the same."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated

import typer

from align.cli import MaxSizeOption, ModelOption, TimeoutOption, console, max_bytes, warn
from tm.choices import RULE

__all__ = ["DbOption", "JsonOption", "Lang", "MaxSizeOption", "ModelOption", "TimeoutOption",
           "console", "echo_json", "help_text", "max_bytes", "safe", "warn"]
DbOption = Annotated[str | None, typer.Option(
    "--db", help=f"Translation memory file or postgresql:// URI (default: {RULE}).",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class Lang(str, Enum):
    en = "en"
    ru = "ru"


def help_text(text: str) -> str:
    """Join the wrapped lines of each prose paragraph (rich keeps line breaks as they are)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        out.append(block if block.startswith("  ") else " ".join(block.split("\n")))
    return "\n\n".join(out)


_C1 = re.compile("[\x7f-\x9f]")


def echo_json(obj: object) -> None:
    """``obj`` as one line of JSON; control characters escaped (json escapes C0, this C1)."""
    import json

    text = json.dumps(obj, ensure_ascii=False)
    typer.echo(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def safe(text: object) -> str:
    """User text (titles, units, queries) for the terminal: control characters made visible
    (:func:`align.clean.printable`) and escaped for rich markup."""
    from rich.markup import escape

    from align.clean import printable

    return escape(printable(str(text)))
