"""Inverted-file (IVF) vector search core: spherical k-means lists over unit vectors.

Arrays in, arrays out, no I/O (tm.vectors.embed keeps the lists on disk and reads only the probed
ones). Vectors are int8 rows (``round(127 * v)`` of unit vectors); centroids are float32 unit
vectors; similarity is the dot product.

>>> rng = np.random.default_rng(0)
>>> vecs = quantize(normalize(rng.normal(size=(2000, 16)).astype(np.float32)))
>>> cents = train(vecs, nlist=8, seed=0)
>>> labels = assign(vecs, cents)
>>> cents.shape, labels.shape, int(labels.max()) < 8
((8, 16), (2000,), True)
"""

from __future__ import annotations

import numpy as np


def normalize(v: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    v = np.asarray(v, dtype=np.float32)
    out: np.ndarray = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)
    return out


def quantize(v: np.ndarray) -> np.ndarray:
    """Unit vectors as int8: ``round(127 * v)``."""
    out: np.ndarray = np.clip(np.rint(v * 127), -127, 127).astype(np.int8)
    return out


def dequantize(v: np.ndarray) -> np.ndarray:
    return v.astype(np.float32) / 127.0


def nlist_for(count: int) -> int:
    """About sqrt(n) lists (1M vectors: 1,000 lists of ~1,000), at least 1."""
    return max(1, min(count // 32, int(np.sqrt(count))))


def assign(vecs: np.ndarray, centroids: np.ndarray, batch: int = 20_000) -> np.ndarray:
    """Index of the nearest centroid of each int8 row, in batches (bounded memory)."""
    out = np.empty(len(vecs), dtype=np.int32)
    for start in range(0, len(vecs), batch):
        block = dequantize(vecs[start:start + batch])
        out[start:start + batch] = np.argmax(block @ centroids.T, axis=1)
    return out


def train(sample: np.ndarray, nlist: int, *, iters: int = 8, seed: int = 0) -> np.ndarray:
    """Spherical k-means on int8 rows: ``nlist`` float32 unit centroids."""
    rng = np.random.default_rng(seed)
    nlist = min(nlist, len(sample))
    cents = dequantize(sample[rng.choice(len(sample), nlist, replace=False)])
    for _ in range(iters):
        labels = assign(sample, cents)
        order = np.argsort(labels, kind="stable")
        sorted_labels = labels[order]
        starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
        sums = np.zeros_like(cents)
        sums[sorted_labels[starts]] = np.add.reduceat(dequantize(sample[order]), starts, axis=0)
        empty = ~sums.any(axis=1)
        if empty.any():  # re-seed empty lists with random rows
            sums[empty] = dequantize(sample[rng.choice(len(sample), int(empty.sum()))])
        cents = normalize(sums)
    return cents


def probe(centroids: np.ndarray, q: np.ndarray, nprobe: int) -> np.ndarray:
    """The ``nprobe`` lists whose centroids are nearest to the float32 query ``q``."""
    scores = centroids @ q
    nprobe = min(nprobe, len(scores))
    top = np.argpartition(-scores, nprobe - 1)[:nprobe]
    return top[np.argsort(-scores[top])]


def scores(vecs: np.ndarray, q: np.ndarray, *, chunk: int = 4096) -> np.ndarray:
    """Dot products of int8 rows with the float32 unit query, converting ``chunk`` rows at a
    time into one reused float32 buffer (no large temporaries, few page faults)."""
    out = np.empty(len(vecs), dtype=np.float32)
    buf = np.empty((min(chunk, len(vecs)), vecs.shape[1]), dtype=np.float32)
    scaled = (q / 127.0).astype(np.float32)
    for start in range(0, len(vecs), chunk):
        block = vecs[start:start + chunk]
        view = buf[:len(block)]
        np.copyto(view, block, casting="unsafe")
        np.dot(view, scaled, out=out[start:start + len(block)])
    return out
