"""SQLite: ``embeddings``, one int8 vector per unit (tm.vectors.embed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from tm.errors import TMError


class SqliteVectors:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    in_database = False

    def nearest(self, q: Sequence[float], k: int) -> list[tuple[int, float]]:
        raise TMError("SQLite memories are searched by tm.vectors.ann, not in the database")

    def has_index(self) -> bool:
        return False

    def build_index(self) -> int | None:
        return None  # the IVF side files are the process's (tm.vectors.ann.build_ann)

    def has(self) -> bool:
        return self.conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone() is not None

    def count(self, above: int) -> int:
        return int(self.conn.execute("SELECT count(*) FROM embeddings WHERE unit_id > ?",
                                     (above,)).fetchone()[0])

    def stamp(self) -> tuple[int, int]:
        n, top = self.conn.execute(
            "SELECT count(*), coalesce(max(unit_id), 0) FROM embeddings").fetchone()
        return int(n), int(top)

    def store(self, rows: Iterable[tuple[int, bytes]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO embeddings (unit_id, vec) VALUES (?, ?)",
                              rows)

    def delete(self, ids: Iterable[int] | None) -> None:
        if ids is None:
            self.conn.execute("DELETE FROM embeddings")
        else:
            self.conn.executemany("DELETE FROM embeddings WHERE unit_id = ?", ((i,) for i in ids))

    def after(self, above: int, limit: int | None) -> list[tuple[int, bytes]]:
        return [(int(i), bytes(v)) for i, v in self.conn.execute(
            "SELECT unit_id, vec FROM embeddings WHERE unit_id > ? ORDER BY unit_id LIMIT ?",
            (above, -1 if limit is None else limit))]

    def changed(self, since: str, up_to: int) -> list[tuple[int, bytes | None]]:
        return [(int(i), None if v is None else bytes(v)) for i, v in self.conn.execute(
            "SELECT u.id, e.vec FROM units u LEFT JOIN embeddings e ON e.unit_id = u.id"
            " WHERE u.changed >= ? AND u.id <= ? ORDER BY u.id", (since, up_to))]

    def sample(self, n: int) -> list[bytes]:
        return [bytes(r[0]) for r in self.conn.execute(
            "SELECT vec FROM embeddings ORDER BY random() LIMIT ?", (n,))]

    def missing(self, batch: int) -> Iterator[list[tuple[int, str, str]]]:
        last = 0
        while True:
            rows = [(int(i), str(en), str(ru)) for i, en, ru in self.conn.execute(
                "SELECT id, en, ru FROM units u WHERE id > ? AND NOT EXISTS"
                " (SELECT 1 FROM embeddings e WHERE e.unit_id = u.id) ORDER BY id LIMIT ?",
                (last, batch))]
            if not rows:
                return
            yield rows
            last = rows[-1][0]
