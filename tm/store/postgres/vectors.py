"""PostgreSQL: ``embeddings``, one int8 vector per unit (tm.vectors.embed), as bytes, and, where
the server has pgvector, as a ``vector`` column searched inside the database.

The ``v`` column holds the int8 values / 127, the matrix SQLite memories search in the process
(tm.vectors.ann), and is searched by negative inner product (``<#>``), so a hit's similarity
is the same dot product on both backends (the vectors are unit vectors before quantisation:
this is their cosine). The HNSW index (``vector_ip_ops``; pgvector's defaults m 16,
ef_construction 64) is on ``v::vector(dim)``, made when the first vectors of a model are stored.
Without pgvector the vectors are still stored (a copy to a server with it loses nothing) and
semantic search says, in one line, what to install; no process loads every vector instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tm.errors import TMError

if TYPE_CHECKING:
    import psycopg

NO_PGVECTOR = ("semantic search on PostgreSQL runs in the database and needs the pgvector"
               " extension on the server (PGDG's postgresql-NN-pgvector package, or enable"
               " `vector` on a managed service), then open the memory once with a writing"
               " command, e.g. `diptych index`")


def ensure_pgvector(conn: psycopg.Connection[Any]) -> bool:
    """Give ``embeddings`` its ``vector`` column where the server has pgvector (in the
    caller's transaction); whether it has one now."""
    has = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_name ="
                       " 'embeddings' AND column_name = 'v' AND table_schema ="
                       " current_schema()").fetchone()
    if has:
        return True
    available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
                             ).fetchone()
    if not available:
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
    conn.execute("ALTER TABLE embeddings ADD COLUMN v public.vector")
    conn.execute("UPDATE embeddings SET v = (SELECT array_agg(b::float4 / 127) FROM"
                 " (SELECT CASE WHEN get_byte(vec, i) > 127 THEN get_byte(vec, i) - 256"
                 " ELSE get_byte(vec, i) END AS b FROM generate_series(0, length(vec) - 1)"
                 " AS i) t)::public.vector")
    return True


def _floats(vec: bytes) -> str:
    """pgvector's text form of an int8 vector / 127."""
    return "[" + ",".join(repr((b - 256 if b > 127 else b) / 127) for b in vec) + "]"


class PgVectors:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._pgvector: bool | None = None

    @property
    def in_database(self) -> bool:
        return True

    def forget(self) -> None:
        """Look again whether the ``vector`` column is there (it may have been added)."""
        self._pgvector = None

    def has_column(self) -> bool:
        if self._pgvector is None:
            self._pgvector = self._one(
                "SELECT count(*) FROM information_schema.columns WHERE table_name ="
                " 'embeddings' AND column_name = 'v' AND table_schema = current_schema()") > 0
        return bool(self._pgvector)

    def _dim(self) -> int | None:
        got = self._one("SELECT value FROM settings WHERE key = 'embedding_dim'")
        return None if got is None else int(got)

    def nearest(self, q: Sequence[float], k: int) -> list[tuple[int, float]]:
        if not self.has_column():
            raise TMError(NO_PGVECTOR)
        dim = self._dim() or len(q)
        query = "[" + ",".join(repr(float(x)) for x in q) + "]"
        with self.conn.transaction():
            self.conn.execute(f"SET LOCAL hnsw.ef_search = {max(40, 2 * int(k))}")
            rows = self.conn.execute(
                f"SELECT unit_id, -(v::public.vector({dim}) OPERATOR(public.<#>)"
                f" %s::public.vector({dim})) FROM embeddings WHERE v IS NOT NULL"
                f" ORDER BY v::public.vector({dim}) OPERATOR(public.<#>)"
                f" %s::public.vector({dim}) LIMIT %s", (query, query, k)).fetchall()
        return [(int(i), float(s)) for i, s in rows]

    def _index(self, dim: int) -> None:
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS embeddings_hnsw_{dim} ON embeddings USING hnsw"
            f" ((v::public.vector({dim})) public.vector_ip_ops)")

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def has(self) -> bool:
        return self._one("SELECT 1 FROM embeddings LIMIT 1") is not None

    def count(self, above: int) -> int:
        return int(self._one("SELECT count(*) FROM embeddings WHERE unit_id > %s", (above,)))

    def stamp(self) -> tuple[int, int]:
        row = self.conn.execute(
            "SELECT count(*), coalesce(max(unit_id), 0) FROM embeddings").fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def store(self, rows: Iterable[tuple[int, bytes]]) -> None:
        rows = list(rows)
        with self.conn.cursor() as cur:
            if self.has_column():
                cur.executemany("INSERT INTO embeddings (unit_id, vec, v) VALUES (%s, %s,"
                                " %s::public.vector) ON CONFLICT (unit_id) DO UPDATE SET vec ="
                                " excluded.vec, v = excluded.v",
                                [(i, v, _floats(v)) for i, v in rows])
                if rows:
                    self._index(len(rows[0][1]))
            else:
                cur.executemany("INSERT INTO embeddings (unit_id, vec) VALUES (%s, %s)"
                                " ON CONFLICT (unit_id) DO UPDATE SET vec = excluded.vec", rows)

    def delete(self, ids: Iterable[int] | None) -> None:
        if ids is None:
            self.conn.execute("DELETE FROM embeddings")
        else:
            self.conn.execute("DELETE FROM embeddings WHERE unit_id = ANY(%s)", (list(ids),))

    def after(self, above: int, limit: int | None) -> list[tuple[int, bytes]]:
        return [(int(i), bytes(v)) for i, v in self.conn.execute(
            "SELECT unit_id, vec FROM embeddings WHERE unit_id > %s ORDER BY unit_id LIMIT %s",
            (above, limit))]

    def changed(self, since: str, up_to: int) -> list[tuple[int, bytes | None]]:
        return [(int(i), None if v is None else bytes(v)) for i, v in self.conn.execute(
            "SELECT u.id, e.vec FROM units u LEFT JOIN embeddings e ON e.unit_id = u.id"
            " WHERE u.changed >= %s AND u.id <= %s ORDER BY u.id", (since, up_to))]

    def sample(self, n: int) -> list[bytes]:
        return [bytes(r[0]) for r in self.conn.execute(
            "SELECT vec FROM embeddings ORDER BY random() LIMIT %s", (n,))]

    def missing(self, batch: int) -> Iterator[list[tuple[int, str, str]]]:
        last = 0
        while True:
            rows = [(int(i), str(en), str(ru)) for i, en, ru in self.conn.execute(
                "SELECT id, en, ru FROM units u WHERE id > %s AND NOT EXISTS"
                " (SELECT 1 FROM embeddings e WHERE e.unit_id = u.id) ORDER BY id LIMIT %s",
                (last, batch))]
            if not rows:
                return
            yield rows
            last = rows[-1][0]
