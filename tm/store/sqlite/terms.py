"""SQLite: term translations (tm.terms.lexicon), the fitted lexicon and each unit's word links.

``lexicon (en, ru, score)`` holds Dice associations over eflomal link counts (the 20 best
partners of each English word); ``unit_links (unit_id, links)`` each aligned unit's links as
bytes, ``i0 j0 i1 j1 ...`` (uint8 token indexes; a token past the 255th is not linked).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from tm.store.types import Links, decode_links, encode_links


class SqliteTerms:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def lexicon_rows(self, keys: Iterable[str], lang: str) -> dict[str, dict[str, float]]:
        """``{key: {other-language key: score}}`` for the words ``keys`` of side ``lang``."""
        col, other = ("en", "ru") if lang[:2] == "en" else ("ru", "en")
        wanted = sorted(set(keys))
        rows: dict[str, dict[str, float]] = {k: {} for k in wanted}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for k, o, s in self.conn.execute(
                    f"SELECT {col}, {other}, score FROM lexicon WHERE {col} IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                rows[str(k)][str(o)] = float(s)
        return rows

    def links(self, ids: Sequence[int]) -> dict[int, Links]:
        """The stored word links of the units ``ids`` (absent: not aligned yet)."""
        out: dict[int, Links] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            out.update((int(i), decode_links(bytes(b))) for i, b in self.conn.execute(
                f"SELECT unit_id, links FROM unit_links WHERE unit_id IN"
                f" ({','.join('?' * len(chunk))})", chunk))
        return out

    def has_lexicon(self) -> bool:
        return self.conn.execute("SELECT 1 FROM lexicon LIMIT 1").fetchone() is not None

    def coverage(self) -> tuple[int, int]:
        """``(units with links, units added after the newest of them)``: a fit aligns the
        newest units, so the units above the newest linked id came after it."""
        linked, newest = self.conn.execute(
            "SELECT count(*), max(unit_id) FROM unit_links").fetchone()
        newer = self.conn.execute("SELECT count(*) FROM units WHERE id > ?",
                                  (newest or 0,)).fetchone()[0]
        return int(linked), int(newer)

    def replace(self, entries: Iterable[tuple[str, str, float]],
                links: Iterable[tuple[int, Links]]) -> None:
        """Replace the lexicon and all unit links."""
        self.conn.execute("DELETE FROM lexicon")
        self.conn.execute("DELETE FROM unit_links")
        self.conn.executemany("INSERT INTO lexicon (en, ru, score) VALUES (?, ?, ?)", entries)
        self.conn.executemany("INSERT INTO unit_links (unit_id, links) VALUES (?, ?)",
                              ((i, encode_links(ln)) for i, ln in links))
