"""What the routers share: the settings, the backend, and page rendering (Jinja2, autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from tm.store.pool import WAIT
from tm.web.backend import Backend

HERE = Path(__file__).resolve().parent
MODES = ("auto", "exact", "fuzzy", "concordance", "semantic")


@dataclass(frozen=True)
class Settings:
    """How ``diptych serve`` was started (what the pages need to know)."""

    db: Path | str  # a file, or a PostgreSQL URI
    token: str | None = None
    read_only: bool = False
    lang: str | None = None
    model: str | None = None
    max_body: int = 5_000_000
    timeout: float = 20.0
    private_urls: bool = False
    """Pre-translate may fetch URLs of private, loopback or link-local addresses (``serve``
    allows them when it listens on loopback only, or with --allow-private-urls)."""
    connections: int | None = None
    """PostgreSQL: the most connections a worker process holds (None: one a server thread,
    tm.web.app.THREADS); requests beyond them wait for one to be given back."""
    wait: float = WAIT
    """PostgreSQL: seconds a request waits for a free connection before the answer is 503."""


_env = Environment(loader=FileSystemLoader(HERE / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


def code_marks(text: str) -> Markup:
    """A docstring for a page: escaped, its ``code`` and `code` spans as <code> (the API page
    showed the raw double backticks)."""
    import re

    escaped = str(escape(text))
    return Markup(re.sub(r"``(.+?)``|`([^`]+)`",
                         lambda m: f"<code>{m.group(1) or m.group(2)}</code>", escaped))


_env.filters["code"] = code_marks


def backend(request: Request) -> Backend:
    """The app's backend (a FastAPI dependency)."""
    b: Backend = request.app.state.backend
    return b


def settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page: ``template`` extends base.html; memory text is escaped by Jinja2."""
    s = settings(request)
    page = _env.get_template(template).render(
        request=request, read_only=s.read_only, default_lang=s.lang or "", modes=MODES,
        path=request.url.path, **context)
    return HTMLResponse(page, status_code=status)
