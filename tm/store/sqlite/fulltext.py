"""SQLite: FTS5 lookups over each side's Snowball stems (``units_fts``, contentless)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from tm.store.interface import fts_quote


class SqliteFullText:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def ids(self, lang: str, expr: str, limit: int) -> list[int]:
        """Ids of units whose ``lang`` side matches the FTS5 expression, newest first."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT rowid FROM units_fts WHERE units_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (f"{lang}: ({expr})", limit))]

    def ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]:
        """Ids of the ``limit`` best units by BM25 (side ``lang`` only) among the ``pool``
        newest units whose ``lang`` side matches the FTS5 expression."""
        weights = "1.0, 0.0" if lang == "en" else "0.0, 1.0"
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT rowid FROM (SELECT rowid, bm25(units_fts, {weights}) AS r FROM units_fts"
            " WHERE units_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY r, rowid DESC LIMIT ?",
            (f"{lang}: ({expr})", pool, limit))]

    def count(self, lang: str, term: str, cap: int) -> int:
        """How many units hold ``term`` (a stem) on side ``lang``, counted up to ``cap``."""
        return int(self.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM units_fts WHERE units_fts MATCH ? LIMIT ?)",
            (f"{lang}: {fts_quote(term)}", cap)).fetchone()[0])

    def counts(self, lang: str, terms: Sequence[str], cap: int) -> dict[str, int]:
        return {t: self.count(lang, t, cap) for t in terms}

    def most_shared(self, lang: str, terms: Sequence[str], per_term: int,
                    limit: int) -> list[int]:
        """Ids of the units holding the most of ``terms`` (each posting list read up to
        ``per_term`` rows), counted inside SQLite; most shared first, then newest."""
        if not terms:
            return []
        part = ("SELECT * FROM (SELECT rowid AS id FROM units_fts WHERE units_fts MATCH ?"
                " ORDER BY rowid DESC LIMIT ?)")
        sql = (f"SELECT id FROM ({' UNION ALL '.join([part] * len(terms))})"
               " GROUP BY id ORDER BY count(*) DESC, id DESC LIMIT ?")
        args: list[object] = []
        for t in terms:
            args += [f"{lang}: {fts_quote(t)}", per_term]
        return [int(r[0]) for r in self.conn.execute(sql, [*args, limit])]
