"""``diptych review EN RU``: open the alignment editor in the browser for one story pair.

Uses the desk already serving the memory on 127.0.0.1 at ``--port``, or starts one (in the
background, until it is stopped), then opens ``/editor?en=...&ru=...``: the page aligns the pair
with the library call ``add`` makes; the corrected beads are saved from the page.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import typer

from align.cli import Command, Group

app = typer.Typer(cls=Group)
"""``review`` as a sub-app, for the root app's ``add_typer``. Defined before the import below:
importing tm.cli.common runs tm/cli/__init__, which mounts this app, whichever of the two modules
is imported first (as in tm.web.cli); the command is added at the end of this module."""

from tm.cli.common import DbOption, help_text
from tm.errors import TMError

REVIEW_HELP = """Review and correct the alignment of a story pair in the browser, then save it to
the memory from the page.

Opens the alignment editor of the desk serving the memory on 127.0.0.1 (--port), and starts
that desk in the background first when none is running (stop it with the command it prints).
Weak beads and omissions come first in the review queue; join, split, move, omit and edit
fix them.

[bold]Examples[/bold]

  diptych review story.en.html story.ru.html

  diptych review https://example.org/en/story https://example.org/ru/story --db newsroom.db

  diptych review a.en.txt a.ru.txt --no-browser     [dim]# print the address only[/dim]
"""
START_TIMEOUT = 90.0


def _get(url: str, timeout: float = 2.0) -> dict[str, object] | None:
    """The JSON at ``url`` (the desk on this machine), or None when nothing answers there."""
    from align.errors import InputError  # here, not at the top: every command imports this
    from align.sources.fetch import fetch

    try:
        page = fetch(url, timeout=timeout, max_bytes=1_000_000,
                     types=frozenset({"application/json"}))
        data = json.loads(page.data.decode("utf-8"))
        return data if isinstance(data, dict) else None
    except (InputError, ValueError):
        return None


def _edition(value: str, role: str) -> str:
    """An absolute path of an existing file, or the URL as given."""
    if value.startswith(("http://", "https://")):
        return value
    path = Path(value).expanduser()
    if not path.is_file():
        raise TMError(f"{role} {value!r} is not a file: pass a text, Markdown or HTML file or an"
                      " http(s) URL")
    return str(path.resolve())


def ensure_server(db: str | Path, port: int, *,
                  echo: bool = True) -> tuple[str, subprocess.Popen[bytes] | None]:
    """The address of a desk serving ``db`` on 127.0.0.1:``port``, and the process when this
    call started it (it runs on after this command ends)."""
    from tm.store.location import shown

    db = str(db)  # a file, or a postgresql:// URI
    base = f"http://127.0.0.1:{port}"
    serving = _get(base + "/api/align/memory")
    if serving is not None:
        if str(serving.get("db")) not in (shown(db), str(Path(db).resolve())):
            raise TMError(f"the desk at {base} serves {serving.get('db')}, not {shown(db)}: pass"
                          " --port with a free port, or --db with that memory")
        return base, None
    proc = subprocess.Popen(
        [sys.executable, "-m", "tm.web", "--db", db, "--port", str(port), "--workers", "1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while _get(base + "/api/align/memory", timeout=1.0) is None:
        if proc.poll() is not None:
            err = (proc.stderr.read() if proc.stderr else b"").decode("utf-8", "replace")
            last = err.strip().splitlines()[-1] if err.strip() else f"exit code {proc.returncode}"
            last = last.removeprefix("diptych: error: ")  # ours adds it once
            raise TMError(f"could not start the desk on port {port}: {last}")
        if time.monotonic() > deadline:
            proc.terminate()
            raise TMError(f"the desk did not answer on port {port} in {START_TIMEOUT:.0f} s")
        time.sleep(0.3)
    if proc.stderr is not None:
        proc.stderr.close()
    if echo:
        typer.echo(f"diptych: started the desk for {shown(db)} at {base}/ (pid {proc.pid}; stop it"
                   f" with `kill {proc.pid}`)", err=True)
    return base, proc


def review(en: str, ru: str, *, db: str | Path | None = None, port: int = 8765,
           browser: bool = True) -> str:
    """Open the editor for the pair; returns its address."""
    from tm.store import TM
    from tm.web.cli import _need_extra

    _need_extra()  # one line now, not the server's error inside ours
    en_source = _edition(en, "English edition")
    ru_source = _edition(ru, "Russian edition")
    with TM.open(db) as tm:  # created when new, as `add` would
        target = tm.target
    base, _ = ensure_server(target, port)
    url = f"{base}/editor?{urlencode({'en': en_source, 'ru': ru_source})}"
    typer.echo(url)
    if browser:
        import webbrowser

        webbrowser.open(url)
    return url


def review_command(
    en_file: Annotated[str, typer.Argument(
        help="The English edition: a text, Markdown or HTML file, or an http(s) URL.",
        show_default=False)],
    ru_file: Annotated[str, typer.Argument(help="The Russian edition, in the same forms.",
                                           show_default=False)],
    db: DbOption = None,
    port: Annotated[int, typer.Option(min=1, max=65535,
                                      help="Port of the desk on 127.0.0.1.")] = 8765,
    no_browser: Annotated[bool, typer.Option(
        "--no-browser", help="Print the editor's address instead of opening a browser.")]
        = False,
) -> None:
    review(en_file, ru_file, db=db, port=port, browser=not no_browser)


def register(root: typer.Typer) -> None:
    """Add ``review`` to the root app."""
    root.command("review", help=help_text(REVIEW_HELP), cls=Command,
                 no_args_is_help=True)(review_command)


register(app)
