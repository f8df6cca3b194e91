"""``users``: the people of a shared desk (``diptych serve``), each with a role and a token.

The memory keeps only each token's hash: a token is printed once, when it is made (``add``,
``token``). Commands themselves act as ``$DIPTYCH_USER`` or the login name (what created by /
changed by record); who may write the memory at all is the file's (or the database's) business.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from align.cli import Command, Group
from tm.cli.common import DbOption, JsonOption, console, echo_json, safe

app = typer.Typer(cls=Group)
users = typer.Typer(name="users", cls=Group, no_args_is_help=True, help=(
    "The people of a shared desk: readers look up; translators also add, edit, review and"
    " save; admins also delete, import and manage people. Once anyone is defined, `diptych"
    " serve` asks every request for a person's token."))
app.add_typer(users)
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The person's name (as shown in"
                                        " created by / changed by).", show_default=False)]


class Role(str, Enum):
    reader = "reader"
    translator = "translator"
    admin = "admin"


def _token_line(name: str, token: str) -> None:
    typer.echo(f"token for {name} (shown once; the memory keeps only its hash): {token}")


@users.command("add", no_args_is_help=True, cls=Command)
def add_command(name: NameArg, role: Annotated[Role, typer.Option(
        "--role", help="What the person may do.")] = Role.translator,
        db: DbOption = None, as_json: JsonOption = False) -> None:
    """Add a person and print their token (once)."""
    from tm.store import TM

    with TM.open(db) as tm:
        token = tm.add_user(name, role.value)
    if as_json:
        echo_json({"name": name.strip(), "role": role.value, "token": token})
        return
    _token_line(name.strip(), token)


@users.command("list", cls=Command)
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the people, with their roles, when and by whom they were added."""
    from rich.table import Table

    from tm.store import TM

    with TM.open(db, readonly=True) as tm:
        people = tm.users()
    if as_json:
        echo_json([{"name": u.name, "role": u.role, "created": u.created,
                    "created_by": u.created_by} for u in people])
        return
    table = Table(title=f"{len(people)} people")
    for col in ("name", "role", "added", "by"):
        table.add_column(col)
    for u in people:
        table.add_row(safe(u.name), u.role, u.created, safe(u.created_by or ""))
    console().print(table)


@users.command("remove", no_args_is_help=True, cls=Command)
def remove_command(name: NameArg, db: DbOption = None) -> None:
    """Remove a person (their token stops working at once)."""
    from tm.store import TM

    with TM.open(db, create=False) as tm:
        tm.remove_user(name)
    typer.echo(f"removed {safe(name)}")


@users.command("token", no_args_is_help=True, cls=Command)
def token_command(name: NameArg, db: DbOption = None) -> None:
    """Give a person a new token (the old one stops working) and print it (once)."""
    from tm.store import TM

    with TM.open(db, create=False) as tm:
        token = tm.new_token(name)
    _token_line(safe(name), token)
