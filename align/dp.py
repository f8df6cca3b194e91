"""The alignment core: banded dynamic programming over sentence-span embeddings. No I/O.

Two passes, after Bertalign's idea, with our own scoring:

1. :func:`anchor_path` finds a monotone path of confident 1-1 links (margin-scored cosine,
   coarse-to-fine for long texts, so time and memory stay ~linear);
2. :func:`align_band` runs the full DP in a narrow band around that path, over beads of up to
   ``max_side`` sentences a side, insertions and deletions.

Cells are ``(i, j)``: ``i`` source and ``j`` target sentences consumed. A row of the band is the
interval ``lo[i] <= j <= hi[i]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BeadArrays", "CellScorer", "Params", "RowKeeper", "RowScorer", "anchor_path", "backtrack",
           "band_around", "bead_types", "by_rows", "forward", "run_dp"]

NEG = -1e30


@dataclass(frozen=True)
class Params:
    """Knobs of the aligner (defaults tuned on held-out data, see bench/align.py)."""

    max_side: int = 5
    max_total: int = 5
    window: int = 6
    anchor_knn: int = 4
    coarse_cells: int = 4_000_000
    chunk: int = 6000


def bead_types(max_side: int, max_total: int) -> list[tuple[int, int]]:
    """Bead shapes: 1-0, 0-1, then every a-b with 1 <= a, b <= max_side and a + b <= max_total,
    and one sentence against up to ``max_side`` (1-b, a-1) whatever ``max_total``.

    One long sentence cut into many (a German one the French cut at each semicolon of a list)
    is the large bead that real editions make: Text+Berg dev's gold has 1-4 / 1-5 beads 7 times,
    many-to-many ones past 5 sentences 4 times (2-5, 3-3, 4-3). With 1-5 and 5-1 (max_side 5)
    its strict F1 went 0.893 -> 0.902, the other dev genres unchanged but general (-0.0008,
    one bead), on seeds 13 and 201; adding 2-4, 4-2 and 3-3 too (max_total 6) lost 0.004 of it."""
    types = [(1, 0), (0, 1)]
    for total in range(2, max(max_total, max_side + 1) + 1):
        for a in range(1, max_side + 1):
            b = total - a
            if 1 <= b <= max_side and (total <= max_total or min(a, b) == 1):
                types.append((a, b))
    return types


# Scores the beads of shape (a, b) ending at the cells (I[k], J[k]) (two equal-length vectors,
# every cell's bead inside the matrix: I >= a, J >= b): a float vector, NEG where impossible.
CellScorer = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]
# The same for one row i: the target ends J of beads (a, b) ending at row i.
RowScorer = Callable[[int, int, int, np.ndarray], np.ndarray]
# Told the scores of beads (a, b) ending at the band's cells from flat index ``start`` on (the
# band held row after row, as forward() holds it), as forward() computed them.
RowKeeper = Callable[[int, int, int, np.ndarray], None]

ROWS_AT_ONCE = 1 << 17
"""Band cells whose bead scores :func:`forward` asks for in one call: the scorer's work is then a
few array operations per bead shape over many rows (a Python call per row and shape cost ~1 ms
a sentence on tiny paragraphs), and the scores and back-links it holds stay under ~25 MB."""


@dataclass
class BeadArrays:
    """DP result: ``(a, b)`` bead shapes and the cells ``(i, j)`` at which each bead ends."""

    shapes: list[tuple[int, int]]
    ends: list[tuple[int, int]]


def by_rows(score: RowScorer) -> CellScorer:
    """A cell scorer that asks a row scorer once per row of the cells (rows in order)."""

    def cells(a: int, b: int, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        out = np.empty(len(I))
        cuts = np.flatnonzero(np.diff(I)) + 1
        for lo, hi in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [len(I)]])):
            out[lo:hi] = score(a, b, int(I[lo]), J[lo:hi])
        return out

    return cells


def run_dp(
    n: int,
    m: int,
    lo: np.ndarray,
    hi: np.ndarray,
    types: Sequence[tuple[int, int]],
    score: CellScorer,
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    keep: RowKeeper | None = None,
) -> BeadArrays:
    """Best monotone path from (0, 0) to (n, m) inside the band, maximising the summed scores.

    ``skip_src[i]`` / ``skip_tgt[j]`` are the scores of leaving that sentence unaligned.
    Ties go to the earlier bead type, so the result is deterministic. Two steps, as in
    Bertalign: :func:`forward` fills the band's back-pointers, :func:`backtrack` reads the path.
    """
    back = forward(n, m, lo, hi, types, score, skip_src, skip_tgt, keep)
    return backtrack(back, lo, types, n, m)


def forward(
    n: int,
    m: int,
    lo: np.ndarray,
    hi: np.ndarray,
    types: Sequence[tuple[int, int]],
    score: CellScorer,
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    keep: RowKeeper | None = None,
) -> list[np.ndarray]:
    """Back-pointers of the best path into each cell of the band, one row (``lo[i]..hi[i]``) per
    ``i``: the index of the bead type that ends there, ``len(types)`` for a 0-1 bead, 255 where no
    path reaches.

    The band is held flat (row ``i`` at ``off[i]..off[i + 1]``); the bead scores of many rows are
    asked for at once (:data:`ROWS_AT_ONCE` cells), then each row takes, for all bead types at
    once, the best of its predecessors' costs plus the bead's score (ties to the earlier type)."""
    off = np.concatenate([[0], np.cumsum(hi - lo + 1)])
    cost = np.full(off[-1] + 1, NEG)  # the last entry: the cost of "no such predecessor"
    back = np.full(off[-1], 255, dtype=np.uint8)
    ins = len(types)  # back-pointer code of an insertion (0-1 bead)
    codes = np.array([t for t, (a, _) in enumerate(types) if a], dtype=np.uint8)
    prefix_tgt = np.concatenate([[0.0], np.cumsum(skip_tgt, dtype=np.float64)])
    i = 0
    while i <= n:
        i1 = int(np.searchsorted(off, off[i] + ROWS_AT_ONCE, "right")) - 1
        i1 = min(max(i1, i + 1), n + 1)
        shapes = [types[t] for t in codes]
        prev, scores = _predecessors(off, lo, hi, i, i1, shapes, score, skip_src)
        if keep is not None:
            for t, (a, b) in enumerate(shapes):
                if b:
                    keep(a, b, int(off[i]), scores[t])
        for r in range(i, i1):
            c0, c1 = int(off[r]), int(off[r + 1])
            k0, k1 = c0 - int(off[i]), c1 - int(off[i])
            cand = cost[prev[:, k0:k1]]
            cand += scores[:, k0:k1]
            pick = cand.argmax(axis=0)
            best = cand[pick, np.arange(c1 - c0)]
            arg = codes[pick]
            none = ~(best > NEG)
            best[none] = NEG
            arg[none] = 255
            if r == 0 and lo[0] == 0:
                best[0] = 0.0
            _insertions(best, arg, prefix_tgt[lo[r] : hi[r] + 1], ins)
            cost[c0:c1] = best
            back[c0:c1] = arg
        i = i1
    return [back[off[r] : off[r + 1]] for r in range(n + 1)]


def _insertions(best: np.ndarray, arg: np.ndarray, prefix: np.ndarray, ins: int) -> None:
    """0-1 beads move along a row: best[j] = max_k<=j best[k] + skips of targets k..j-1."""
    via = np.maximum.accumulate(best - prefix) + prefix
    better = np.zeros(len(best), dtype=bool)
    better[1:] = via[1:] > best[1:] + 1e-9
    best[better] = via[better]
    arg[better] = ins


def _predecessors(
    off: np.ndarray, lo: np.ndarray, hi: np.ndarray, i0: int, i1: int,
    types: Sequence[tuple[int, int]], score: CellScorer, skip_src: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For the cells of rows ``i0..i1-1`` and each bead type (a >= 1): the flat index of the
    cell the bead starts from (``off[-1]``, the index of NEG, where it would leave the band)
    and the bead's score there."""
    widths = hi[i0:i1] - lo[i0:i1] + 1
    I = np.repeat(np.arange(i0, i1), widths)
    J = np.arange(off[i0], off[i1]) - off[I] + lo[I]
    prev = np.full((len(types), len(I)), off[-1], dtype=np.int64)
    scores = np.full((len(types), len(I)), NEG)
    for t, (a, b) in enumerate(types):
        pi, pj = I - a, J - b
        ok = pi >= 0
        plo, phi = lo[np.maximum(pi, 0)], hi[np.maximum(pi, 0)]
        ok &= (pj >= plo) & (pj <= phi)
        if not ok.any():
            continue
        prev[t, ok] = off[pi[ok]] + pj[ok] - plo[ok]
        scores[t, ok] = skip_src[I[ok] - 1] if b == 0 else score(a, b, I[ok], J[ok])
    return prev, scores


def backtrack(
    back: Sequence[np.ndarray], lo: np.ndarray, types: Sequence[tuple[int, int]], n: int, m: int,
) -> BeadArrays:
    """The beads of the best path, read from (n, m) back to (0, 0) through ``back``."""
    ins = len(types)
    shapes: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        code = int(back[i][j - lo[i]])
        if code == 255:
            raise RuntimeError(f"no path reaches cell ({i}, {j}); the band is broken")
        a, b = (0, 1) if code == ins else types[code]
        shapes.append((a, b))
        ends.append((i, j))
        i, j = i - a, j - b
    return BeadArrays(shapes[::-1], ends[::-1])


def _downsample(x: np.ndarray, f: int) -> np.ndarray:
    n = len(x)
    pad = (-n) % f
    if pad:
        x = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)])
    y = x.reshape(-1, f, x.shape[1]).mean(axis=1, dtype=np.float32)
    unit: np.ndarray = y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    return unit


def band_around(path: Sequence[tuple[int, int]], n: int, m: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``lo[i]..hi[i]`` covering ``w`` cells either side of a monotone path of cells."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for i, j in list(path) + [(0, 0), (n, m)]:
        lo[i] = min(lo[i], j)
        hi[i] = max(hi[i], j)
    # rows the path skips (deletions) inherit from neighbours
    hi = np.maximum.accumulate(hi)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    lo_w = np.empty_like(lo)
    hi_w = np.empty_like(hi)
    for i in range(n + 1):
        a, b = max(0, i - w), min(n, i + w)
        lo_w[i] = lo[a]
        hi_w[i] = hi[b]
    lo_w = np.clip(lo_w - w, 0, m)
    hi_w = np.clip(hi_w + w, 0, m)
    # consecutive rows must overlap, or no monotone path could cross from one to the next
    hi_w[:-1] = np.maximum(hi_w[:-1], lo_w[1:])
    return lo_w, hi_w


def anchor_path(src: np.ndarray, tgt: np.ndarray, params: Params) -> list[tuple[int, int]]:
    """Cells of a monotone path through confident 1-1 links (coarse-to-fine when long)."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return []
    if n * m <= params.coarse_cells:
        lo = np.zeros(n + 1, dtype=np.int64)
        hi = np.full(n + 1, m, dtype=np.int64)
    else:
        f = 4
        coarse = anchor_path(_downsample(src, f), _downsample(tgt, f), params)
        fine = [(min(n, i * f), min(m, j * f)) for i, j in coarse]
        lo, hi = band_around(fine, n, m, 4 * f)
    # Bertalign's first pass: a 1-1 link scores its cosine when the target is among the source
    # sentence's k most similar ones (within the band), else nothing; skipping costs nothing.
    first = np.maximum(lo[1:] - 1, 0)  # src sentence s sees target sentences first[s]..hi[s+1]-1
    src, tgt = src.astype(np.float32, copy=False), tgt.astype(np.float32, copy=False)
    rows = [tgt[first[s] : hi[s + 1]] @ src[s] for s in range(n)]
    kth = np.array([np.partition(r, -min(params.anchor_knn, len(r)))[-min(params.anchor_knn, len(r))]
                    if len(r) else np.inf for r in rows])
    lens = np.array([len(r) for r in rows], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    flat = np.concatenate(rows) if rows else np.zeros(0, np.float32)
    del rows

    def score(a: int, b: int, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        out = np.full(len(J), NEG)
        s = I - 1
        k = J - 1 - first[s]
        ok = (J >= 1) & (k >= 0) & (k < lens[s])
        sims = flat[starts[s[ok]] + k[ok]]
        out[ok] = np.where(sims >= kth[s[ok]], sims, 0.0)
        return out

    res = run_dp(n, m, lo, hi, [(1, 0), (1, 1)], score, np.zeros(n), np.zeros(m))
    return [(i, j) for (a, b), (i, j) in zip(res.shapes, res.ends) if a == 1 and b == 1]
