"""SQLite: ``history``, a unit's text before each of its edits, newest last."""

from __future__ import annotations

import sqlite3

from tm.store.types import Earlier, Unit, Version


class SqliteHistory:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def push(self, unit: Unit, stamp: str) -> None:
        self.conn.execute(
            "INSERT INTO history (unit_id, en, ru, en_markup, ru_markup, origin, changed,"
            " edited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (unit.id, unit.en, unit.ru, unit.en_markup, unit.ru_markup, unit.origin,
             unit.changed, stamp))

    def last(self, unit_id: int) -> tuple[int, Version] | None:
        row = self.conn.execute(
            "SELECT id, en, ru, en_markup, ru_markup, origin, changed FROM history"
            " WHERE unit_id = ? ORDER BY id DESC LIMIT 1", (unit_id,)).fetchone()
        return None if row is None else (int(row[0]), Version(*row[1:]))

    def drop(self, row_id: int) -> None:
        self.conn.execute("DELETE FROM history WHERE id = ?", (row_id,))

    def count(self, unit_id: int) -> int:
        return int(self.conn.execute("SELECT count(*) FROM history WHERE unit_id = ?",
                                     (unit_id,)).fetchone()[0])

    def list(self, unit_id: int) -> list[Earlier]:
        return [Earlier(*row) for row in self.conn.execute(
            "SELECT en, ru, origin, changed, edited FROM history WHERE unit_id = ?"
            " ORDER BY id DESC", (unit_id,))]
