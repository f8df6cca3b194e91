"""PostgreSQL: one ``psycopg_pool.ConnectionPool`` per server process (:mod:`tm.store.pool`).

Each borrow hands out a connection the pool checked just before (an empty query, one round
trip): a connection the server dropped (a restart, ``pg_terminate_backend``, an idle timeout of
a proxy) is thrown away and another one made, so the request after a restart works. A
connection that breaks while a request holds it is thrown away on its return (psycopg_pool
does not reuse a closed connection) and the request fails with :class:`tm.errors.Unavailable`
(503, try again), as does a borrow that finds no free connection within ``timeout`` seconds
(all busy, or the server down).

The pool keeps one connection open while idle and makes more, up to ``size``, as requests
come (``min_size`` 1: a desk nobody uses holds one of the server's ``max_connections``, and
any number of desks can share a server). The :class:`~tm.store.postgres.store.PgStore` around
a connection is made once per connection and kept while it lives (its parts cache what they
learnt of the schema, e.g. whether pgvector's column is there).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tm.errors import TMError, Unavailable
from tm.store.location import shown
from tm.store.memory import TM
from tm.store.postgres.store import INSTALL, PgStore
from tm.store.types import DbSource

if TYPE_CHECKING:
    import psycopg


class PgPool:
    """Up to ``size`` connections to the memory at ``uri`` (a :class:`tm.store.pool.Pool`)."""

    def __init__(self, uri: str, source: DbSource, *, size: int, readonly: bool = False,
                 timeout: float = 30.0) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise TMError(f"a PostgreSQL desk needs psycopg_pool: {INSTALL}") from None
        self.uri, self.source, self.readonly = uri, source, readonly
        self.size, self.timeout = size, timeout
        self._memories: weakref.WeakKeyDictionary[psycopg.Connection[Any], TM] = \
            weakref.WeakKeyDictionary()
        self.pool: ConnectionPool[Any] = ConnectionPool(
            uri, min_size=1, max_size=size, open=False, name="diptych", timeout=timeout,
            kwargs={"autocommit": True, "connect_timeout": 10},
            configure=self._configure, check=ConnectionPool.check_connection)
        self.pool.open()

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        if self.readonly:
            conn.execute("SET default_transaction_read_only = on")

    @contextmanager
    def borrow(self) -> Iterator[TM]:
        from psycopg_pool import PoolTimeout

        try:
            conn = self.pool.getconn()
        except PoolTimeout:
            raise Unavailable(f"no connection to {shown(self.uri)} within {self.timeout:g} s"
                              f" (all {self.size} busy, or the server does not answer):"
                              " try again") from None
        tm = self._memories.get(conn)
        if tm is None:
            tm = self._memories[conn] = TM(PgStore(conn, self.uri, self.source,
                                                   readonly=self.readonly))
        try:
            yield tm
        except Exception as exc:
            if conn.broken or conn.closed:
                raise Unavailable(f"the connection to {shown(self.uri)} was lost (the server"
                                  " restarted or ended it): try again") from exc
            raise
        finally:
            self.pool.putconn(conn)

    def data_version(self, held: TM) -> int:
        """``diptych_state.version`` (every write transaction of any process bumps it), read
        through the connection the caller holds."""
        return held.data_version()

    def stats(self) -> dict[str, int]:
        """psycopg_pool's counters (``pool_size``, ``requests_queued``...), for tests and
        benches."""
        return dict(self.pool.get_stats())

    def close(self) -> None:
        self.pool.close()
