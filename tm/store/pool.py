"""Connections for a server's threads (``diptych serve``): each request borrows the memory and
gives it back.

:func:`open_pool` opens the memory once (a missing one is refused now, with one line; the
schema is brought up to date) and returns a :class:`Pool`:

- SQLite (:class:`PerThread`): each thread keeps its own connection, opened on its first
  borrow (a file has no server to share connections with, and a connection is cheap). Every
  thread's memory follows the first (:meth:`tm.store.TM.follow`): a thread that opens after the
  file was replaced must not write to the newcomer.
- PostgreSQL (:class:`tm.store.postgres.pool.PgPool`): one ``psycopg_pool`` pool per process,
  ``size`` connections at most (the server's thread count), checked on each borrow so that a
  connection the server dropped (a restart, ``pg_terminate_backend``) is replaced, not handed
  out; no free connection within ``timeout`` seconds raises :class:`tm.errors.Unavailable`.

A thread borrows one memory at a time (:meth:`Pool.borrow` is not re-entrant: the caller keeps
what it borrowed for nested calls, as ``tm.web.backend`` does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from tm.store.memory import TM

WAIT = 30.0
"""Seconds a request waits for a free connection before the desk answers 503: well above a
slow lookup (p95 under 50 ms at 1M units) times the queue a small pool builds, short enough
that a translator sees an answer rather than a hung page."""


class Pool(Protocol):
    """The memory as a server's threads share it."""

    def borrow(self) -> AbstractContextManager[TM]:
        """The memory, on a connection this thread holds until the block ends."""
        ...

    def data_version(self, held: TM) -> int:
        """Changes whenever anyone (this process or another) committed to the memory; ``held``
        is what the caller borrowed (a thread holds one connection at a time)."""
        ...

    def close(self) -> None: ...


def open_pool(path: str | Path, *, size: int, readonly: bool = False,
              timeout: float = WAIT) -> Pool:
    """The memory at ``path`` (which must exist) for up to ``size`` threads at once."""
    def opened() -> TM:
        return TM.open(path, readonly=True) if readonly else TM.open(path, create=False)

    first = opened()
    uri = getattr(first.store, "uri", None)
    if uri is None:
        return PerThread(first, opened)
    from tm.store.postgres.pool import PgPool

    first.close()  # it checked the memory and migrated it; the pool opens its own
    return PgPool(str(uri), first.source, size=size, readonly=readonly, timeout=timeout)


class PerThread:
    """SQLite: one connection per thread, kept for the thread's life."""

    def __init__(self, first: TM, opened: Callable[[], TM]) -> None:
        self._first = first
        self._opened = opened
        self._local = threading.local()
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[TM]:
        tm: TM | None = getattr(self._local, "tm", None)
        if tm is None:
            tm = self._local.tm = self._opened()
            tm.follow(self._first)
        yield tm

    def data_version(self, held: TM) -> int:
        """SQLite's ``PRAGMA data_version`` of the first connection: it changes when any other
        connection commits (so always asked of the same one)."""
        with self._lock:
            return self._first.data_version()

    def close(self) -> None:
        self._first.close()
