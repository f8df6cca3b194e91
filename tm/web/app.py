"""The web app: routers per page group, one guard in front, errors as JSON.

A new page is a new router module plus a template that extends ``base.html``; add its router
to :data:`ROUTERS`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from align.errors import AlignError
from tm.errors import Conflict, NotFound, TMError, Unavailable
from tm.store import MemoryGone
from tm.store.location import is_uri, shown
from tm.web import api, editor, lookup, memory, pretranslate, translate, users
from tm.web.backend import Backend
from tm.web.common import HERE, Settings, render
from tm.web.security import Guard, Policy, TooLarge

ROUTERS = (lookup.router, pretranslate.router, translate.router, memory.router, editor.router,
           api.router, users.router)
THREADS = 8
"""Threads per worker for blocking calls (SQLite and numpy release the GIL); on PostgreSQL also
the connections each worker's pool holds at most (tm.store.pool)."""
ENV = "DIPTYCH_SERVE_SETTINGS"
log = logging.getLogger("diptych.web")


def create_app(settings: Settings) -> Guard:
    """The ASGI app for ``settings`` (the guard wrapping the FastAPI app)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        await anyio.to_thread.run_sync(app.state.backend.warm_up)
        yield
        app.state.backend.close()
        print(f"diptych: stopped serving {shown(str(settings.db))}", file=sys.stderr, flush=True)

    app = FastAPI(title="diptych", summary="The translation memory's desk: lookups, drafts,"
                  " memory maintenance.", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.settings = settings
    app.state.backend = Backend(settings.db, model=settings.model, readonly=settings.read_only,
                                connections=settings.connections or THREADS,
                                wait=settings.wait)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # asked for by browsers and tools that read no <link>
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    for router in ROUTERS:
        app.include_router(router)
    _errors(app)
    b = app.state.backend
    return Guard(app, Policy(token=settings.token, read_only=settings.read_only,
                             max_body=settings.max_body, people=b.user_for_token,
                             has_people=b.has_users))


def _reply(request: Request, status: int, message: str) -> Response:
    if not request.url.path.startswith("/api/") and \
            "text/html" in request.headers.get("accept", ""):
        return render(request, "error.html", status=status, message=message, title="Error")
    return JSONResponse({"error": message}, status_code=status)


def _errors(app: FastAPI) -> None:
    """Every error is a message (JSON for the API), never a traceback."""

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return JSONResponse({"error": str(exc), "what": exc.what, "id": exc.key,
                             "version": exc.version, "changed_by": exc.who,
                             "changed": exc.when}, status_code=409)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _reply(request, 404, f"no {exc.what} {exc.key} in the memory")

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        log.warning("%s", exc)
        return _reply(request, 503, str(exc))

    @app.exception_handler(MemoryGone)
    async def memory_gone(request: Request, exc: MemoryGone) -> Response:
        log.error("%s", exc)
        return _reply(request, 409, str(exc))

    @app.exception_handler(TMError)
    @app.exception_handler(AlignError)
    async def domain_error(request: Request, exc: Exception) -> Response:
        return _reply(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return _reply(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = ["{}: {}".format(".".join(str(p) for p in e["loc"] if p != "body"), e["msg"])
                 for e in exc.errors()]
        return _reply(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(UnicodeError)
    async def not_unicode(request: Request, exc: UnicodeError) -> Response:
        return _reply(request, 400, "the request holds text that is not valid Unicode (a lone"
                      " surrogate such as \\ud800); send UTF-8 text")

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> Response:
        return _reply(request, 413, "request too large")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return _reply(request, 500, f"internal error ({type(exc).__name__}); the server log"
                      " has the details")


def settings_to_env(settings: Settings) -> str:
    data = asdict(settings)
    data["db"] = str(settings.db)
    return json.dumps(data)


def app_from_env() -> Guard:
    """The app of a uvicorn worker process (settings passed by ``serve`` in the environment)."""
    data = json.loads(os.environ[ENV])
    data["db"] = data["db"] if is_uri(data["db"]) else Path(data["db"])
    return create_app(Settings(**data))
