"""PostgreSQL: ``embeddings``, one int8 vector per unit (tm.vectors.embed), as bytes, and, where
the server has pgvector, as a ``vector`` column searched inside the database.

The ``v`` column holds the int8 values / 127, the matrix SQLite memories search in the process
(tm.vectors.ann), and is searched by negative inner product (``<#>``), so a hit's similarity
is the same dot product on both backends (the vectors are unit vectors before quantisation:
this is their cosine). The HNSW index (``vector_ip_ops``; pgvector's defaults m 16,
ef_construction 64) is on ``v::vector(dim)``. A small store (under :data:`BULK` rows: ``add``,
each batch of ``index``) makes it when it is missing, and the index then grows row by row; a
bulk store (``copy``, a bench's million stand-in vectors) writes the rows by ``COPY`` and
leaves the index to :meth:`PgVectors.build_index` after the load, which builds it in one pass
(pgvector's own advice: inserting a million rows into an HNSW graph one by one is many times
slower than building it once).
Without pgvector the vectors are still stored (a copy to a server with it loses nothing) and
semantic search says, in one line, what to install; no process loads every vector instead.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

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


EF_SEARCH = 200
"""Candidates HNSW keeps while it searches (pgvector's default 40). A million vectors (20,000
real, 49 noisy copies of each: bench/tm.py's stand-ins), 50 queries, the exact nearest found
first at 40 / 100 / 200 / 400: 18 / 24 / 32 / 35 of 50, for p50 4.3 / 3.3 / 10.3 / 16.5 ms a
search on a loaded machine (load 6 on 2 cores)."""
BULK = 1000
"""Rows from which :meth:`PgVectors.store` loads by ``COPY`` (binary) through a staging
table and leaves the HNSW index to :meth:`PgVectors.build_index`."""
BUILD_MEMORY_CAP = 4 << 30
"""Most ``maintenance_work_mem`` an index build asks for: the HNSW graph of a million
512-dimensional vectors takes about 2.5 GB (4 bytes a value plus m 16 links a layer), and a
build whose graph outgrows that memory slows down many times (pgvector's notice "hnsw graph
no longer fits into maintenance_work_mem")."""


def _copy_binary(rows: Sequence[tuple[int, bytes]]) -> bytes:
    """``(unit id, int8 bytes)`` rows as PostgreSQL's binary COPY stream of ``(unit_id, vec,
    v)``: ``v`` in pgvector's binary form (dim, 0, dim big-endian float4), values / 127."""
    dim = len(rows[0][1])
    n = len(rows)
    rec = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("vec_len", ">i4"),
                    ("vec", "i1", (dim,)), ("v_len", ">i4"), ("v_dim", ">i2"),
                    ("v_unused", ">i2"), ("v", ">f4", (dim,))])
    out = np.zeros(n, dtype=rec)
    out["fields"] = 3
    out["id_len"], out["vec_len"], out["v_len"] = 8, dim, 4 + 4 * dim
    out["id"] = [r[0] for r in rows]
    mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(n, dim)
    out["vec"] = mat
    out["v_dim"] = dim
    out["v"] = mat.astype(np.float32) / np.float32(127)
    return (b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + out.tobytes()
            + struct.pack(">h", -1))


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
            self.conn.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, 2 * int(k))}")
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

    def has_index(self) -> bool:
        dim = self._dim()
        return dim is not None and self._one(
            "SELECT to_regclass(%s) IS NOT NULL", (f"embeddings_hnsw_{dim}",)) is True

    def build_index(self) -> int | None:
        """Build the HNSW index over the stored vectors when it is missing (after a bulk
        load), with ``maintenance_work_mem`` for the whole graph (:data:`BUILD_MEMORY_CAP`)
        for this transaction only; the vectors it covers (None without pgvector)."""
        dim = self._dim()
        if not self.has_column() or dim is None:
            return None
        count = int(self._one("SELECT count(*) FROM embeddings"))
        if not self.has_index():
            need = min(BUILD_MEMORY_CAP, max(64 << 20, int(1.3 * count * (4 * dim + 300))))
            have = int(self._one("SELECT setting::bigint * 1024 FROM pg_settings"
                                 " WHERE name = 'maintenance_work_mem'"))
            if need > have:
                self.conn.execute(f"SET LOCAL maintenance_work_mem = '{need >> 20}MB'")
            self._index(dim)
        return count

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
        if len(rows) >= BULK and self.has_column():
            self._bulk(rows)
            return
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

    def _bulk(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Store many rows: binary ``COPY`` into a staging table, then one upsert."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS embeddings_in (unit_id bigint, vec"
                          " bytea, v public.vector) ON COMMIT DELETE ROWS")
        with self.conn.cursor() as cur:
            with cur.copy("COPY embeddings_in (unit_id, vec, v) FROM STDIN (FORMAT BINARY)"
                          ) as copy:
                copy.write(_copy_binary(rows))
            cur.execute("INSERT INTO embeddings (unit_id, vec, v) SELECT unit_id, vec, v FROM"
                        " embeddings_in ON CONFLICT (unit_id) DO UPDATE SET vec = excluded.vec,"
                        " v = excluded.v")
            cur.execute("TRUNCATE embeddings_in")

    def delete(self, ids: Iterable[int] | None) -> None:
        if ids is None:  # all: the index goes too (rebuilt in one pass after the next load)
            dim = self._dim()
            if dim is not None:
                self.conn.execute(f"DROP INDEX IF EXISTS embeddings_hnsw_{dim}")
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
