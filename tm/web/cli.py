"""``diptych serve``: the translator's desk in the browser (mounted by tm.cli)."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import Annotated

import typer

from align.cli import Group
from tm.errors import TMError

app = typer.Typer(cls=Group)
"""Mounted by tm.cli (``diptych serve``). Defined before the import below: importing tm.cli.common
runs tm/cli/__init__, which mounts this app, whichever of the two modules is imported first."""

from tm.cli.common import DbOption, Lang, TimeoutOption, help_text

SERVE_HELP = """Serve the translator's desk in the browser, with a JSON API under /api.

Pages: lookups as you type, pre-translation of an article, and the memory's documents and
units (edit, undo, delete). Binds 127.0.0.1 (this computer only) unless --host says otherwise;
with any other host every request needs the token, generated and printed when --token is not
given. Another process may add to the memory while it serves. Ctrl-C stops it.

[bold]Examples[/bold]

  diptych serve                          [dim]# http://127.0.0.1:8765/[/dim]

  diptych serve --host 0.0.0.0 --read-only   [dim]# share it, read-only[/dim]

  curl -H "Authorization: Bearer TOKEN" "http://HOST:8765/api/search?q=oil"
"""

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _need_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise TMError(f"the web desk needs {exc.name}: pip install 'diptych[web]'") from None


def serve(db: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 8765,
          token: str | None = None, read_only: bool = False, lang: str | None = None,
          model: str | None = None, workers: int | None = None,
          max_body: int = 5_000_000, timeout: float = 20.0, allow_private_urls: bool = False,
          echo: bool = True) -> None:
    """Serve the desk until Ctrl-C or SIGTERM. ``workers`` processes (default: one a core),
    each with a small thread pool, each loading the encoder once. Listening beyond loopback,
    pre-translate fetches no URL of a private address unless ``allow_private_urls``."""
    _need_extra()
    import uvicorn

    from tm.store import TM
    from tm.store.location import is_uri
    from tm.web.app import ENV, app_from_env, create_app, settings_to_env
    from tm.web.common import Settings

    with TM.open(db, create=False, readonly=read_only) as tm:
        path, target, named = tm.path.resolve(), tm.target, tm.shown  # named: no password
    if token is None and host not in LOOPBACK:
        token = secrets.token_urlsafe(24)
    settings = Settings(db=target if is_uri(target) else path, token=token, read_only=read_only, lang=lang, model=model,
                        max_body=max_body, timeout=timeout,
                        private_urls=allow_private_urls or host in LOOPBACK)
    workers = workers or os.cpu_count() or 1
    if echo:
        shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
        where = f"[{shown}]" if ":" in shown else shown
        query = f"?token={token}" if token else ""
        typer.echo(f"diptych: serving {path if not is_uri(target) else named} at http://{where}:{port}/{query}"
                   f"{' (read-only)' if read_only else ''} with {workers} worker(s);"
                   " Ctrl-C stops", err=True)
    options = {"host": host, "port": port, "log_level": "warning", "access_log": False,
               "timeout_graceful_shutdown": 5, "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return
    os.environ[ENV] = settings_to_env(settings)
    uvicorn.run(f"{app_from_env.__module__}:{app_from_env.__name__}", factory=True,
                workers=workers, **options)  # type: ignore[arg-type]


@app.command("serve", help=help_text(SERVE_HELP))
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(
        help="Address to listen on; anything but 127.0.0.1/localhost requires the token.")]
        = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[str | None, typer.Option(
        envvar="DIPTYCH_TOKEN", help="Token every request must carry (generated and printed"
        " when --host is not local and none is given).", show_default=False)] = None,
    read_only: Annotated[bool, typer.Option(
        "--read-only", help="Refuse every change to the memory (403).")] = False,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language of queries (default: detected for each query).",
        show_default=False)] = None,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Encoder for semantic lookups (default: the one the memory"
        " was indexed with).", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Server processes (default: one a CPU core).", show_default=False)] = None,
    timeout: TimeoutOption = 20.0,
    allow_private_urls: Annotated[bool, typer.Option(
        "--allow-private-urls", help="Let pre-translate fetch URLs of private, loopback or"
        " link-local addresses even when --host shares the server.")] = False,
) -> None:
    if token is not None and len(token) < 16:
        raise TMError("--token must be at least 16 characters: leave it out to get a random one")
    serve(db, host=host, port=port, token=token, read_only=read_only,
          lang=lang.value if lang else None, model=model, workers=workers, timeout=timeout,
          allow_private_urls=allow_private_urls)

