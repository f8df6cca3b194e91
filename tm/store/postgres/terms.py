"""PostgreSQL: term translations (tm.terms.lexicon), the lexicon and each unit's word links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tm.store.types import Links, decode_links, encode_links

if TYPE_CHECKING:
    import psycopg


class PgTerms:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def lexicon_rows(self, keys: Iterable[str], lang: str) -> dict[str, dict[str, float]]:
        col, other = ("en", "ru") if lang[:2] == "en" else ("ru", "en")
        wanted = sorted(set(keys))
        rows: dict[str, dict[str, float]] = {k: {} for k in wanted}
        for k, o, s in self.conn.execute(
                f"SELECT {col}, {other}, score FROM lexicon WHERE {col} = ANY(%s)", (wanted,)):
            rows[str(k)][str(o)] = float(s)
        return rows

    def links(self, ids: Sequence[int]) -> dict[int, Links]:
        return {int(i): decode_links(bytes(b)) for i, b in self.conn.execute(
            "SELECT unit_id, links FROM unit_links WHERE unit_id = ANY(%s)", (list(ids),))}

    def has_lexicon(self) -> bool:
        return self.conn.execute("SELECT 1 FROM lexicon LIMIT 1").fetchone() is not None

    def coverage(self) -> tuple[int, int]:
        row = self.conn.execute("SELECT count(*), max(unit_id) FROM unit_links").fetchone()
        linked, newest = row if row else (0, 0)
        newer = self.conn.execute("SELECT count(*) FROM units WHERE id > %s",
                                  (newest or 0,)).fetchone()
        return int(linked), int(newer[0] if newer else 0)

    def replace(self, entries: Iterable[tuple[str, str, float]],
                links: Iterable[tuple[int, Links]]) -> None:
        self.conn.execute("DELETE FROM lexicon")
        self.conn.execute("DELETE FROM unit_links")
        with self.conn.cursor() as cur:
            cur.executemany("INSERT INTO lexicon (en, ru, score) VALUES (%s, %s, %s)", entries)
            cur.executemany("INSERT INTO unit_links (unit_id, links) VALUES (%s, %s)",
                            ((i, encode_links(ln)) for i, ln in links))
