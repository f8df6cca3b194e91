"""SQLite: ``batch_items``, the pairs of an ``add --batch`` list shared by workers.

A claim is one ``UPDATE ... RETURNING`` inside the caller's ``BEGIN IMMEDIATE`` transaction,
which already serialises writers; PostgreSQL takes the row with ``SELECT ... FOR UPDATE SKIP
LOCKED`` instead, so workers on several machines never wait for each other's claims.
"""

from __future__ import annotations

import sqlite3

from tm.store.types import JobItem

_CLAIMABLE = "job = ? AND (state = 'waiting' OR (state = 'running' AND until < ?))"


class SqliteJobs:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def enqueue(self, job: str, count: int) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO batch_items (job, item, state)"
                              " VALUES (?, ?, 'waiting')", ((job, i) for i in range(count)))

    def claim(self, job: str, host: str, worker: str, now: float, until: float) -> int | None:
        row = self.conn.execute(
            "UPDATE batch_items SET state = 'running', host = ?, worker = ?, until = ?,"
            " message = NULL WHERE job = ? AND item = (SELECT item FROM batch_items WHERE"
            f" {_CLAIMABLE} ORDER BY item LIMIT 1) RETURNING item",
            (host, worker, until, job, job, now)).fetchone()
        return None if row is None else int(row[0])

    def finish(self, job: str, item: int, worker: str, state: str, message: str | None,
               stamp: str) -> bool:
        return self.conn.execute(
            "UPDATE batch_items SET state = ?, message = ?, finished = ?, until = NULL"
            " WHERE job = ? AND item = ? AND worker = ? AND state = 'running'",
            (state, message, stamp, job, item, worker)).rowcount == 1

    def progress(self, job: str) -> list[JobItem]:
        return [JobItem(*row) for row in self.conn.execute(
            "SELECT item, state, host, worker, until, finished, message FROM batch_items"
            " WHERE job = ? ORDER BY item", (job,))]
