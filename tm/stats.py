"""What a translation memory holds (``diptych stats``)."""

from __future__ import annotations

from typing import Any

from tm.store import TM


def collect(tm: TM) -> dict[str, Any]:
    """Counts, languages, origins, size on disk and embedding coverage, as plain values."""
    q = tm.conn.execute
    units = int(q("SELECT count(*) FROM units").fetchone()[0])
    embedded = int(q("SELECT count(*) FROM embeddings").fetchone()[0])
    size = sum(p.stat().st_size for p in (tm.path, tm.path.with_name(tm.path.name + "-wal"))
               if p.exists())
    ivf = sum(p.stat().st_size for p in tm.path.parent.glob(tm.path.name + ".ivf.*"))
    langs = {f"{a}/{b}": int(n) for a, b, n in q(
        "SELECT en_lang, ru_lang, count(*) FROM units GROUP BY 1, 2 ORDER BY 3 DESC")}
    origins = {o: int(n) for o, n in q("SELECT origin, count(*) FROM units GROUP BY 1")}
    return {
        "path": str(tm.path),
        "units": units,
        "documents": int(q("SELECT count(*) FROM documents").fetchone()[0]),
        "document_links": int(q("SELECT count(*) FROM unit_docs").fetchone()[0]),
        "languages": langs,
        "origins": origins,
        "db_bytes": size,
        "db_size": f"{size / 1e6:.1f} MB",
        "vector_index_bytes": ivf,
        "embedded": embedded,
        "embedding_coverage": f"{100 * embedded / units:.1f}%" if units else "-",
        "embedding_model": tm.get_setting("embedding_model"),
        "schema_version": tm.schema_version,
    }
