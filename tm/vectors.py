"""Unit embeddings for semantic search: computing them (``diptych index``) and searching them.

Each unit has one vector: the normalised sum of its English and Russian sentence embeddings,
stored as int8 (``round(127 * v)``) in the ``embeddings`` table, so a query in either language
lands near it. The encoder's name and dimension are kept in ``settings``; a TM indexed with one
model is never searched with another.

Search is exact (brute force) up to :data:`ANN_MIN` vectors. Above that, ``diptych index`` also
builds an HNSW index (usearch, int8, cosine) in a side file ``<db>.usearch``, memory-mapped at
search time so a lookup process stays small; vectors added after the index was built are
searched exactly and merged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tm.errors import TMError
from tm.store import TM

ANN_MIN = 100_000
"""Below this many vectors, semantic search is brute force (exact, and fast enough)."""
DEFAULT_MODEL = "use-m3"
EF_SEARCH = 512
"""HNSW search breadth: at 100k units, recall@10 against exact search rises from 0.77 (64) to
0.92 (512) for about 1 ms more per lookup."""


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def load_encoder(model: str = DEFAULT_MODEL) -> Encoder:
    """The aligner's encoder for ``index`` and ``add``, without its on-disk embedding cache
    (TM sentences are embedded once; caching millions would only fill the disk). use-m3 runs
    single-threaded: its BLAS threads gain little and, on a busy machine, cost up to 6x the
    CPU time (measured on 2 shared cores: 640 vs 100 sentences per CPU-second)."""
    if model == "use-m3":
        from align.embed import UseM3Encoder

        return UseM3Encoder(threads=1)  # type: ignore[no-any-return]
    from align.embed import load_encoder as load

    return load(model, use_cache=False)  # type: ignore[no-any-return]


def load_query_encoder(model: str = DEFAULT_MODEL) -> Encoder:
    """An encoder for one short query at a time (single-threaded, no disk cache)."""
    return load_encoder(model)


def unit_vectors(encoder: Encoder, en: Sequence[str], ru: Sequence[str]) -> np.ndarray:
    """int8 vectors [n, dim]: normalised sum of both sides' embeddings, times 127."""
    both = encoder.encode(list(en) + list(ru))
    v = both[: len(en)] + both[len(en):]
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return np.clip(np.rint(v * 127), -127, 127).astype(np.int8)


def query_vector(encoder: Encoder, text: str) -> np.ndarray:
    """float32 [dim] unit vector of a query."""
    v = np.asarray(encoder.encode([text])[0], dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def check_model(tm: TM, model: str, dim: int | None = None) -> None:
    """Record the model on first use; refuse mixing models in one TM."""
    stored = tm.get_setting("embedding_model")
    if stored is None:
        if dim is not None:
            with tm.transaction():
                tm.set_setting("embedding_model", model)
                tm.set_setting("embedding_dim", str(dim))
        return
    if stored != model:
        raise TMError(f"{tm.path} is indexed with model {stored!r}, not {model!r}: search with "
                      f"--model {stored}, or re-index with `diptych index --rebuild --model "
                      f"{model}`")


def store_vectors(tm: TM, ids: Sequence[int], vecs: np.ndarray) -> None:
    with tm.transaction():
        tm.conn.executemany("INSERT OR REPLACE INTO embeddings (unit_id, vec) VALUES (?, ?)",
                            zip(ids, (row.tobytes() for row in vecs)))


def embed_units(tm: TM, encoder: Encoder, model: str, ids: Sequence[int]) -> int:
    """Compute and store the vectors of the given units (``add`` does this for its units)."""
    units = tm.get_units(ids)
    if not units:
        return 0
    keys = list(units)
    vecs = unit_vectors(encoder, [units[i].en for i in keys], [units[i].ru for i in keys])
    check_model(tm, model, vecs.shape[1])
    store_vectors(tm, keys, vecs)
    return len(keys)


def coverage(tm: TM) -> tuple[int, int]:
    """(units with a vector, units)."""
    row = tm.conn.execute("SELECT (SELECT count(*) FROM embeddings),"
                          " (SELECT count(*) FROM units)").fetchone()
    return int(row[0]), int(row[1])


def missing(tm: TM, batch: int) -> Iterator[list[tuple[int, str, str]]]:
    """Batches of (id, en, ru) of units without a vector, in id order."""
    last = 0
    while True:
        rows = tm.conn.execute(
            "SELECT id, en, ru FROM units u WHERE id > ? AND NOT EXISTS"
            " (SELECT 1 FROM embeddings e WHERE e.unit_id = u.id) ORDER BY id LIMIT ?",
            (last, batch)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass(frozen=True)
class IndexResult:
    embedded: int
    total: int
    ann: int | None  # vectors in the ANN side file, if one was (re)built


def index(tm: TM, encoder: Encoder, model: str = DEFAULT_MODEL, *, batch: int = 256,
          rebuild: bool = False, ann: bool | None = None,
          progress: Callable[[int, int], None] | None = None) -> IndexResult:
    """Embed every unit that has no vector yet, committing each batch (so it is resumable).

    ``progress(done, todo)`` is called after each batch. ``ann`` builds the HNSW side file
    (default: when the TM has at least :data:`ANN_MIN` vectors).
    """
    if rebuild:
        with tm.transaction():
            tm.conn.execute("DELETE FROM embeddings")
            tm.conn.execute("DELETE FROM settings WHERE key LIKE 'embedding_%'")
        ann_path(tm).unlink(missing_ok=True)
    check_model(tm, model)
    have, total = coverage(tm)
    todo, done = total - have, 0
    for rows in missing(tm, batch):
        vecs = unit_vectors(encoder, [r[1] for r in rows], [r[2] for r in rows])
        check_model(tm, model, vecs.shape[1])
        store_vectors(tm, [r[0] for r in rows], vecs)
        done += len(rows)
        if progress is not None:
            progress(done, todo)
    have, total = coverage(tm)
    built = None
    if ann if ann is not None else (have >= ANN_MIN and _uncovered(tm) > 0):
        built = build_ann(tm)
    return IndexResult(done, total, built)


# --------------------------------------------------------------------------- search
def ann_path(tm: TM) -> Path:
    return tm.path.with_name(tm.path.name + ".usearch")


def _ann_meta_path(tm: TM) -> Path:
    return tm.path.with_name(tm.path.name + ".usearch.json")


def _dim(tm: TM) -> int:
    dim = tm.get_setting("embedding_dim")
    if dim is None:
        raise TMError(f"{tm.path} has no embeddings yet: run `diptych index` first")
    return int(dim)


def _uncovered(tm: TM) -> int:
    """Vectors not in the HNSW side file (all of them when there is none)."""
    meta = _ann_meta_path(tm)
    covered = int(json.loads(meta.read_text())["max_unit_id"]) \
        if meta.exists() and ann_path(tm).exists() else 0
    return int(tm.conn.execute("SELECT count(*) FROM embeddings WHERE unit_id > ?",
                               (covered,)).fetchone()[0])


def build_ann(tm: TM, batch: int = 50_000) -> int:
    """(Re)build the HNSW side file from the stored vectors; returns how many it holds."""
    try:
        from usearch.index import Index
    except ImportError:  # pragma: no cover - usearch is a dependency
        raise TMError("semantic search over large TMs needs usearch: pip install usearch") from None
    dim = _dim(tm)
    idx = Index(ndim=dim, metric="cos", dtype="i8", connectivity=16, expansion_add=64,
                expansion_search=64)
    last, top = 0, 0
    while True:
        rows = tm.conn.execute("SELECT unit_id, vec FROM embeddings WHERE unit_id > ?"
                               " ORDER BY unit_id LIMIT ?", (last, batch)).fetchall()
        if not rows:
            break
        keys = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(len(rows), dim)
        idx.add(keys, vecs)
        last = top = int(rows[-1][0])
    tmp = ann_path(tm).with_suffix(".part")
    idx.save(str(tmp))
    tmp.replace(ann_path(tm))
    _ann_meta_path(tm).write_text(json.dumps({"max_unit_id": top, "count": len(idx)}))
    return len(idx)


class VectorSearch:
    """Cosine search over the stored unit vectors; opened once per lookup process."""

    def __init__(self, tm: TM) -> None:
        self.tm = tm
        self.dim = _dim(tm)
        self._ann: Any = None
        self._covered = 0
        meta_path = _ann_meta_path(tm)
        if ann_path(tm).exists() and meta_path.exists():
            from usearch.index import Index

            self._ann = Index.restore(str(ann_path(tm)), view=True)
            self._ann.expansion_search = EF_SEARCH
            self._covered = int(json.loads(meta_path.read_text())["max_unit_id"])
        self._ids: np.ndarray | None = None
        self._mat: np.ndarray | None = None

    def _exact_part(self) -> tuple[np.ndarray, np.ndarray]:
        """ids and float32 matrix of the vectors not in the ANN file (all of them without one)."""
        if self._ids is None:
            rows = self.tm.conn.execute("SELECT unit_id, vec FROM embeddings WHERE unit_id > ?"
                                        " ORDER BY unit_id", (self._covered,)).fetchall()
            if self._ann is None and len(rows) > 4 * ANN_MIN:
                raise TMError(f"{self.tm.path} has {len(rows)} vectors and no vector index: run "
                              "`diptych index` to build it")
            self._ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            raw = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8)
            self._mat = raw.reshape(len(rows), self.dim).astype(np.float32) / 127.0
        assert self._mat is not None
        return self._ids, self._mat

    def search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(unit id, cosine) of the ``k`` nearest units, best first."""
        hits: dict[int, float] = {}
        ids, mat = self._exact_part()
        if len(ids):
            sims = mat @ q
            top = np.argpartition(-sims, min(k, len(ids) - 1))[:k] if len(ids) > k else \
                np.arange(len(ids))
            for i in top:
                hits[int(ids[i])] = float(sims[i])
        if self._ann is not None:
            found = self._ann.search(q, k)
            for key, dist in zip(found.keys, found.distances):
                hits[int(key)] = max(hits.get(int(key), -1.0), 1.0 - float(dist))
        return sorted(hits.items(), key=lambda kv: -kv[1])[:k]
