"""The lookup indexes of a memory: FTS5 over stems, unit vectors, and counts for ``stats``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from tm.store.base import StoreBase
from tm.store.types import Counts


def fts_quote(term: str) -> str:
    """A term as an FTS5 string literal."""
    return '"' + term.replace('"', '""') + '"'


class IndexStore(StoreBase):
    """Full-text (FTS5) and vector lookups, and the counts ``stats`` shows."""

    # ------------------------------------------------------------------ full text
    def fts_ids(self, lang: str, expr: str, limit: int) -> list[int]:
        """Ids of units whose ``lang`` side matches the FTS5 expression, newest first."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT rowid FROM units_fts WHERE units_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (f"{lang}: ({expr})", limit))]

    def fts_ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]:
        """Ids of the ``limit`` best units by BM25 (side ``lang`` only) among the ``pool``
        newest units whose ``lang`` side matches the FTS5 expression."""
        weights = "1.0, 0.0" if lang == "en" else "0.0, 1.0"
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT rowid FROM (SELECT rowid, bm25(units_fts, {weights}) AS r FROM units_fts"
            " WHERE units_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY r, rowid DESC LIMIT ?",
            (f"{lang}: ({expr})", pool, limit))]

    def fts_count(self, lang: str, term: str, cap: int) -> int:
        """How many units hold ``term`` (a stem) on side ``lang``, counted up to ``cap``."""
        return int(self.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM units_fts WHERE units_fts MATCH ? LIMIT ?)",
            (f"{lang}: {fts_quote(term)}", cap)).fetchone()[0])

    def fts_most_shared(self, lang: str, terms: Sequence[str], per_term: int,
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

    # ------------------------------------------------------------------ vectors
    def has_vectors(self) -> bool:
        return self.conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone() is not None

    def count_vectors(self, above: int = 0) -> int:
        """Stored vectors of units with an id over ``above``."""
        return int(self.conn.execute("SELECT count(*) FROM embeddings WHERE unit_id > ?",
                                     (above,)).fetchone()[0])

    def vector_stamp(self) -> tuple[int, int]:
        """(how many vectors, the highest unit id holding one): changes when vectors are added
        or dropped, so a process holding them in memory knows to reload."""
        n, top = self.conn.execute(
            "SELECT count(*), coalesce(max(unit_id), 0) FROM embeddings").fetchone()
        return int(n), int(top)

    def store_vectors(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """Store (or replace) ``(unit id, int8 bytes)`` rows."""
        with self.transaction():
            self.conn.executemany("INSERT OR REPLACE INTO embeddings (unit_id, vec) VALUES (?, ?)",
                                  rows)

    def delete_vectors(self, ids: Iterable[int] | None = None) -> None:
        """Drop the vectors of ``ids`` (all of them with None)."""
        with self.transaction():
            if ids is None:
                self.conn.execute("DELETE FROM embeddings")
            else:
                self.conn.executemany("DELETE FROM embeddings WHERE unit_id = ?",
                                      ((i,) for i in ids))

    def vectors_after(self, above: int, limit: int | None = None) -> list[tuple[int, bytes]]:
        """``(unit id, int8 bytes)`` of the vectors over ``above``, in id order."""
        return [(int(i), bytes(v)) for i, v in self.conn.execute(
            "SELECT unit_id, vec FROM embeddings WHERE unit_id > ? ORDER BY unit_id LIMIT ?",
            (above, -1 if limit is None else limit))]

    def changed_vectors(self, since: str, *, up_to: int) -> list[tuple[int, bytes | None]]:
        """``(unit id, int8 bytes or None)`` of the units with an id up to ``up_to`` whose text
        changed at or after ``since`` (an edit drops the vector: None until the next index)."""
        return [(int(i), None if v is None else bytes(v)) for i, v in self.conn.execute(
            "SELECT u.id, e.vec FROM units u LEFT JOIN embeddings e ON e.unit_id = u.id"
            " WHERE u.changed >= ? AND u.id <= ? ORDER BY u.id", (since, up_to))]

    def sample_vectors(self, n: int) -> list[bytes]:
        """``n`` stored vectors picked at random (k-means training)."""
        return [bytes(r[0]) for r in self.conn.execute(
            "SELECT vec FROM embeddings ORDER BY random() LIMIT ?", (n,))]

    def missing_vectors(self, batch: int) -> Iterator[list[tuple[int, str, str]]]:
        """Batches of ``(id, en, ru)`` of units without a vector, in id order."""
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

    # ------------------------------------------------------------------ counts
    def counts(self) -> Counts:
        """Row counts for ``stats``."""
        q = self.conn.execute
        units, documents, links, embedded = q(
            "SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM documents),"
            " (SELECT count(*) FROM unit_docs), (SELECT count(*) FROM embeddings)").fetchone()
        langs = {f"{a}/{b}": int(n) for a, b, n in q(
            "SELECT en_lang, ru_lang, count(*) FROM units GROUP BY 1, 2 ORDER BY 3 DESC")}
        origins = {str(o): int(n) for o, n in q(
            "SELECT origin, count(*) FROM units GROUP BY 1 ORDER BY 1")}
        return Counts(int(units), int(documents), int(links), int(embedded), langs, origins)
