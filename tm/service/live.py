"""A vector index that follows a memory other processes keep adding to (a server's lookups).

Reloading a :class:`tm.vectors.ann.VectorSearch` reads every vector outside the IVF side files (about
1 s for 50k vectors on a loaded 2-core machine), too much to repeat each time ``diptych add``
commits. So vectors appended since the index was loaded (new units: ids above the highest it
holds) are read on their own and searched exactly beside it; it is loaded again only when
vectors were dropped or replaced (edits, deletions, ``diptych index --rebuild``), when the IVF
files were rebuilt, or when the appended part passes :attr:`LiveIndex.APPENDED_MAX`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tm.store import TM

if TYPE_CHECKING:
    from tm.vectors.ann import VectorSearch

Stamp = tuple[int, int, int]
"""(vectors stored, the highest unit id holding one, when the IVF files were built)."""


def stamp(tm: TM) -> Stamp:
    """What :class:`LiveIndex` compares to know whether the stored vectors changed."""
    from tm.vectors.ann import ann_path

    try:
        built = ann_path(tm).stat().st_mtime_ns
    except FileNotFoundError:
        built = 0
    return (*tm.vector_stamp(), built)


@dataclass(frozen=True)
class Snapshot:
    """A loaded index plus the vectors appended after it; read-only, shared by threads."""

    base: VectorSearch
    loaded: Stamp
    current: Stamp
    ids: np.ndarray
    mat: np.ndarray

    @property
    def dim(self) -> int:
        return self.base.dim

    def search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        hits = dict(self.base.search(q, k))
        if len(self.ids):
            sims = self.mat @ q
            top = np.argsort(-sims)[:k]
            for i in top:
                hits[int(self.ids[i])] = max(hits.get(int(self.ids[i]), -1.0), float(sims[i]))
        return sorted(hits.items(), key=lambda kv: -kv[1])[:k]


class LiveIndex:
    """The process's vector index, brought up to date with :meth:`get`."""

    APPENDED_MAX = 20_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        self.loads = 0  # full loads so far

    def get(self, tm: TM, now: Stamp) -> Snapshot:
        """The index as of ``now`` (:func:`stamp`), read through ``tm`` where it changed."""
        with self._lock:
            snap = self._snap
            if snap is not None and snap.current == now:
                return snap
            if snap is not None and self._appended_only(tm, snap.loaded, now):
                ids, mat = _vectors_after(tm, snap.loaded[1], snap.base.dim)
                self._snap = Snapshot(snap.base, snap.loaded, now, ids, mat)
            else:
                self._snap = self._load(tm, now)
            return self._snap

    def _appended_only(self, tm: TM, loaded: Stamp, now: Stamp) -> bool:
        added = now[0] - loaded[0]
        return (now[2] == loaded[2] and 0 <= added <= self.APPENDED_MAX
                and tm.count_vectors(above=loaded[1]) == added)

    def _load(self, tm: TM, now: Stamp) -> Snapshot:
        from tm.vectors.ann import VectorSearch

        base = VectorSearch(tm)
        base.search(np.zeros(base.dim, dtype=np.float32), 1)  # reads its vectors now, once
        self.loads += 1
        empty = np.empty(0, dtype=np.int64)
        return Snapshot(base, now, now, empty, np.empty((0, base.dim), dtype=np.float32))


def _vectors_after(tm: TM, above: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    rows = tm.vectors_after(above)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    raw = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8)
    return ids, raw.reshape(len(rows), dim).astype(np.float32) / 127.0
