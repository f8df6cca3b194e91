"""Who is changing the memory: the name every write records (created by / changed by).

A server sets it per request (:func:`acting_as`, a context variable: each request's thread sees
its own); a command acts as ``$DIPTYCH_USER`` or, without it, the login name. Names are
recorded, not checked: the file's permissions (SQLite) or the database's roles (PostgreSQL)
decide who may write; the desk's user tokens decide who may do what through it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ENV = "DIPTYCH_USER"
MAX_NAME = 64
"""The longest name a person may have (a login name or an e-mail address fits; longer is a
mistake, and the name is shown in every unit page)."""
_ACTOR: ContextVar[str | None] = ContextVar("diptych_actor", default=None)


def login_name() -> str:
    """``$DIPTYCH_USER``, else the login name (``unknown`` where there is none, e.g. a container
    without a passwd entry)."""
    name = os.environ.get(ENV, "").strip()
    if name:
        return name[:MAX_NAME]
    try:
        return getpass.getuser()[:MAX_NAME] or "unknown"
    except (OSError, KeyError):
        return "unknown"


def current() -> str:
    """The name writes are recorded under now."""
    return _ACTOR.get() or login_name()


@contextmanager
def acting_as(name: str | None) -> Iterator[None]:
    """Record writes inside the block as ``name`` (None: the default of :func:`current`)."""
    token = _ACTOR.set(name)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def set_actor(name: str | None) -> None:
    """Record this context's writes as ``name`` from now on (a server's request middleware:
    the request's own context ends with it)."""
    _ACTOR.set(name)
