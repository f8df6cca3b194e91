"""The desk's connections (tm.store.pool): requests borrow the memory and give it back; on
PostgreSQL from one pool per process, smaller than the requests in flight, with dead
connections replaced and a JSON 503 when none comes free in time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest

from tests.web.conftest import make_memory

N = 8
"""Requests in flight at once (the server's thread count)."""


def _hits(client: Any, q: str = "prices", mode: str = "concordance") -> list[Any]:
    r = client.get("/api/search", params={"q": q, "mode": mode})
    assert r.status_code == 200, r.text
    hits: list[Any] = r.json()["hits"]
    return hits


@contextmanager
def _holding(backend: Any, count: int) -> Iterator[set[int]]:
    """``count`` of the backend's connections held by other threads for the block; on
    PostgreSQL the server processes behind them."""
    held, done = threading.Barrier(count + 1), threading.Event()
    pids: set[int] = set()

    def hold() -> None:
        with backend.pool.borrow() as tm:
            if tm.conn is not None and hasattr(tm.conn, "info"):
                pids.add(tm.conn.info.backend_pid)
            held.wait()
            done.wait(60)

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for t in threads:
        t.start()
    held.wait(60)
    try:
        yield pids
    finally:
        done.set()
        for t in threads:
            t.join(60)


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60  # a bound against hanging, not a timing assertion
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_more_requests_at_once_than_connections_all_succeed(memory_at: str,
                                                            client_for: Any) -> None:
    make_memory(memory_at)  # type: ignore[arg-type]
    client = client_for(memory_at, connections=2)
    backend = client.app.app.state.backend
    answers: list[list[Any]] = []
    requests = [threading.Thread(target=lambda: answers.append(_hits(client)))
                for _ in range(N)]
    postgres = "://" in memory_at
    with _holding(backend, 2) if postgres else nullcontext():
        for t in requests:
            t.start()
        if postgres:  # every request is waiting for one of the 2 connections
            _until(lambda: backend.pool.stats().get("requests_waiting", 0) >= N,
                   f"{N} requests waiting for the pool")
    for t in requests:
        t.join(60)
    assert [len(a) for a in answers] == [1] * N
    if postgres:
        stats = backend.pool.stats()
        assert stats["pool_max"] == 2 and stats["pool_size"] <= 2
        assert stats["requests_queued"] >= N and stats.get("requests_errors", 0) == 0


def _terminate(uri: str, pids: set[int]) -> None:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def test_a_killed_connection_is_replaced_and_the_next_request_succeeds(
        pg_uri: str, client_for: Any) -> None:
    make_memory(pg_uri)  # type: ignore[arg-type]
    client = client_for(pg_uri, connections=2)
    backend = client.app.app.state.backend
    with _holding(backend, 2) as before:
        pass
    assert len(before) == 2
    _terminate(pg_uri, before)  # as a server restart leaves them
    for _ in range(3):
        assert len(_hits(client)) == 1
    with _holding(backend, 2) as after:
        pass
    assert len(after) == 2 and not after & before


def test_a_connection_lost_mid_request_is_a_503_and_then_replaced(pg_uri: str,
                                                                 client_for: Any) -> None:
    from tm.errors import Unavailable

    make_memory(pg_uri)  # type: ignore[arg-type]
    client = client_for(pg_uri, connections=1)
    backend = client.app.app.state.backend
    # a request holding its connection when it dies
    with pytest.raises(Unavailable, match="connection .* was lost"), backend.lease() as tm:
        _terminate(pg_uri, {tm.conn.info.backend_pid})
        backend.search("prices", mode="concordance")
    assert len(_hits(client)) == 1


def test_no_free_connection_in_time_is_a_json_503(pg_uri: str, client_for: Any) -> None:
    make_memory(pg_uri)  # type: ignore[arg-type]
    client = client_for(pg_uri, connections=1, wait=0.2)
    with _holding(client.app.app.state.backend, 1):
        r = client.get("/api/search", params={"q": "prices", "mode": "concordance"})
        page = client.get("/documents", headers={"Accept": "text/html"})
    assert r.status_code == 503 and r.headers["content-type"] == "application/json"
    assert "no connection to" in r.json()["error"] and "try again" in r.json()["error"]
    assert page.status_code == 503 and "try again" in page.text
    assert len(_hits(client)) == 1  # given back: the desk goes on
