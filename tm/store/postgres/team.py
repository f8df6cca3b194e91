"""PostgreSQL: ``users`` (the people of a shared desk) and ``batch_items`` (a pair list shared
by ``add --batch`` workers on several machines); the same rows as SQLite's
(tm.store.sqlite.users, tm.store.sqlite.jobs). A claim takes its row with ``FOR UPDATE SKIP
LOCKED``: workers never wait for each other's claims."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tm.store.types import JobItem, User

if TYPE_CHECKING:
    import psycopg

_USER = "name, role, created, created_by"


class PgUsers:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def add(self, user: User, token_sha256: str) -> bool:
        return self.conn.execute(
            "INSERT INTO users (name, role, token_sha256, created, created_by)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (user.name, user.role, token_sha256, user.created, user.created_by)).rowcount == 1

    def all(self) -> list[User]:
        return [User(*r) for r in self.conn.execute(f"SELECT {_USER} FROM users ORDER BY name")]

    def count(self) -> int:
        row = self.conn.execute("SELECT count(*) FROM users").fetchone()
        return int(row[0]) if row else 0

    def by_token(self, token_sha256: str) -> User | None:
        row = self.conn.execute(f"SELECT {_USER} FROM users WHERE token_sha256 = %s",
                                (token_sha256,)).fetchone()
        return None if row is None else User(*row)

    def remove(self, name: str) -> bool:
        return self.conn.execute("DELETE FROM users WHERE name = %s", (name,)).rowcount == 1

    def set_token(self, name: str, token_sha256: str) -> bool:
        return self.conn.execute("UPDATE users SET token_sha256 = %s WHERE name = %s",
                                 (token_sha256, name)).rowcount == 1


class PgJobs:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def enqueue(self, job: str, count: int) -> None:
        self.conn.execute("INSERT INTO batch_items (job, item, state) SELECT %s, i, 'waiting'"
                          " FROM generate_series(0, %s - 1) i ON CONFLICT DO NOTHING",
                          (job, count))

    def claim(self, job: str, host: str, worker: str, now: float, until: float) -> int | None:
        row = self.conn.execute(
            "UPDATE batch_items SET state = 'running', host = %s, worker = %s, until = %s,"
            " message = NULL WHERE (job, item) = (SELECT job, item FROM batch_items WHERE"
            " job = %s AND (state = 'waiting' OR (state = 'running' AND until < %s))"
            " ORDER BY item LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING item",
            (host, worker, until, job, now)).fetchone()
        return None if row is None else int(row[0])

    def finish(self, job: str, item: int, worker: str, state: str, message: str | None,
               stamp: str) -> bool:
        return self.conn.execute(
            "UPDATE batch_items SET state = %s, message = %s, finished = %s, until = NULL"
            " WHERE job = %s AND item = %s AND worker = %s AND state = 'running'",
            (state, message, stamp, job, item, worker)).rowcount == 1

    def progress(self, job: str) -> list[JobItem]:
        return [JobItem(*row) for row in self.conn.execute(
            "SELECT item, state, host, worker, until, finished, message FROM batch_items"
            " WHERE job = %s ORDER BY item", (job,))]
