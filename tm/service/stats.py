"""What a translation memory holds (``diptych stats``), as numbers; the CLI formats them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tm.store import TM, DbSource


@dataclass(frozen=True)
class Stats:
    path: Path | str  # a file, or a PostgreSQL URI without its password
    source: DbSource
    units: int
    documents: int
    document_links: int
    languages: Mapping[str, int]
    origins: Mapping[str, int]
    db_bytes: int
    vector_index_bytes: int
    embedded: int
    embedding_model: str | None
    schema_version: int

    @property
    def embedding_coverage(self) -> float | None:
        """Share of units with a vector (None for an empty memory)."""
        return self.embedded / self.units if self.units else None


def collect(tm: TM) -> Stats:
    """Counts, languages, origins, size on disk and embedding coverage."""
    counts = tm.counts()
    size = tm.size()
    from tm.vectors.ann import ann_bytes

    ivf = ann_bytes(tm)
    return Stats(
        path=tm.shown, source=tm.source, units=counts.units, documents=counts.documents,
        document_links=counts.links, languages=counts.languages, origins=counts.origins,
        db_bytes=size, vector_index_bytes=ivf, embedded=counts.embedded,
        embedding_model=tm.get_setting("embedding_model"), schema_version=tm.schema_version)
