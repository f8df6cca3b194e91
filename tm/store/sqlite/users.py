"""SQLite: ``users``, the people of a shared desk, each with a role and a token's hash."""

from __future__ import annotations

import sqlite3

from tm.store.types import User

_COLUMNS = "name, role, created, created_by"


class SqliteUsers:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, user: User, token_sha256: str) -> bool:
        """False when the name is taken."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO users (name, role, token_sha256, created, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (user.name, user.role, token_sha256, user.created, user.created_by))
        return cur.rowcount == 1

    def all(self) -> list[User]:
        return [User(*r) for r in self.conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name")]

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM users").fetchone()[0])

    def by_token(self, token_sha256: str) -> User | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM users WHERE token_sha256 = ?",
                                (token_sha256,)).fetchone()
        return None if row is None else User(*row)

    def remove(self, name: str) -> bool:
        return self.conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 1

    def set_token(self, name: str, token_sha256: str) -> bool:
        return self.conn.execute("UPDATE users SET token_sha256 = ? WHERE name = ?",
                                 (token_sha256, name)).rowcount == 1
