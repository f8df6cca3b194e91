"""PostgreSQL: ``history``, a unit's text before each of its edits, newest last."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tm.store.postgres.documents import next_id
from tm.store.types import Earlier, Unit, Version

if TYPE_CHECKING:
    import psycopg


class PgHistory:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def push(self, unit: Unit, stamp: str) -> None:
        self.conn.execute(
            "INSERT INTO history (id, unit_id, en, ru, en_markup, ru_markup, origin, changed,"
            " edited) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (next_id(self.conn, "history"), unit.id, unit.en, unit.ru, unit.en_markup,
             unit.ru_markup, unit.origin, unit.changed, stamp))

    def last(self, unit_id: int) -> tuple[int, Version] | None:
        row = self.conn.execute(
            "SELECT id, en, ru, en_markup, ru_markup, origin, changed FROM history"
            " WHERE unit_id = %s ORDER BY id DESC LIMIT 1", (unit_id,)).fetchone()
        return None if row is None else (int(row[0]), Version(*row[1:]))

    def drop(self, row_id: int) -> None:
        self.conn.execute("DELETE FROM history WHERE id = %s", (row_id,))

    def count(self, unit_id: int) -> int:
        row = self.conn.execute("SELECT count(*) FROM history WHERE unit_id = %s",
                                (unit_id,)).fetchone()
        return int(row[0]) if row else 0

    def list(self, unit_id: int) -> list[Earlier]:
        return [Earlier(*row) for row in self.conn.execute(
            "SELECT en, ru, origin, changed, edited FROM history WHERE unit_id = %s"
            " ORDER BY id DESC", (unit_id,))]
