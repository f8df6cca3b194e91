"""How far ahead of its best rival is each bead? Max-marginals of the DP, forward and backward.

The DP (:mod:`align.dp`) keeps only the best path. For the confidence it matters how close the
second best came: a bead whose sentences could be grouped another way at almost no loss is a
coin toss, one whose every rival costs much is safe. Every alignment covers each sentence exactly
once, so the best alignment *without* a bead ``e`` is the best one whose bead over ``e``'s first
sentence differs from ``e``; with ``F`` the best score from the start to a cell and ``B`` from a
cell to the end, an edge's max-marginal is ``F(start) + score(e) + B(end)``, and

    margin(e) = max-marginal(e) - max over the other edges e' covering e's first sentence.

On the DP's own path the first term is the total, so the margin is >= 0; a bead a second look
(:mod:`align.refine`) put in place may have a negative one. One forward and one backward pass
over the band, on the bead scores the DP computed (:class:`RowMemo` keeps them), so there is no
encoder and no scoring again. The band is held flat (row after row, as :func:`align.dp.forward`
holds it): each pass takes a few numpy operations per row for all bead types at once, and the
rest is array operations over the whole band. Row by row and type by type (the first version)
it cost ~0.7 ms a sentence, the largest share of the aligner's own time on tiny paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from align.dp import NEG, RowScorer

__all__ = ["RowMemo", "bead_margins"]

Cell = tuple[int, int, int, int]  # a bead's shape (a, b) and the cell (i, j) where it ends


class RowMemo:
    """A :data:`align.dp.RowScorer` that remembers the scores it gave, or that the DP computed
    (:meth:`keep`), to read them again over the whole band (:meth:`band`)."""

    def __init__(self, score: RowScorer) -> None:
        self.score = score
        self.rows: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.flat: dict[tuple[int, int], list[tuple[int, np.ndarray]]] = {}

    def __call__(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        out = self.score(a, b, i, J)
        self.rows[(a, b, i)] = (J, out)
        return out

    def keep(self, a: int, b: int, start: int, scores: np.ndarray) -> None:
        """Remember the scores of beads (a, b) ending at the band's cells from flat index
        ``start`` on, as the DP computed them for many rows at once (NEG where the bead would
        start outside the band, as no path can use it)."""
        self.flat.setdefault((a, b), []).append((start, scores))

    def row(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        """The scores of beads (a, b) ending at (i, J), J a whole row: remembered or scored."""
        got = self.rows.get((a, b, i))
        if got is not None and len(got[0]) == len(J) and (not len(J) or got[0][0] == J[0]):
            return got[1]
        return self.score(a, b, i, J)

    def band(self, a: int, b: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The scores of beads (a, b) (b >= 1) at every cell of the band, flat; rows ``i < a``
        (no such bead) NEG."""
        size = int(np.sum(hi - lo + 1))
        parts = sorted(self.flat.get((a, b), []), key=lambda p: p[0])
        if parts and parts[0][0] == 0 and sum(len(p) for _, p in parts) == size and all(
                s0 + len(p0) == s1 for (s0, p0), (s1, _) in pairwise(parts)):
            return np.concatenate([p for _, p in parts]).astype(np.float64, copy=False)
        rows = [np.full(int(hi[i] - lo[i] + 1), NEG) if i < a
                else np.asarray(self.row(a, b, i, np.arange(lo[i], hi[i] + 1)), dtype=np.float64)
                for i in range(len(lo))]
        return np.concatenate(rows) if rows else np.zeros(0)


class _Flat:
    """The DP band held flat: row ``i`` is cells ``off[i]..off[i + 1]``; ``index`` of a cell
    outside the band is ``N``, the index of a sentinel after the last cell."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lo, self.hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
        widths = self.hi - self.lo + 1
        if np.any(widths < 1):
            raise ValueError("every row of the band needs a cell")
        self.n = len(lo) - 1
        self.off = np.concatenate([[0], np.cumsum(widths)])
        self.N = int(self.off[-1])
        self.I = np.repeat(np.arange(self.n + 1), widths)
        self.J = np.arange(self.N) - self.off[self.I] + self.lo[self.I]

    def index(self, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        ok = (I >= 0) & (I <= self.n)
        r = np.clip(I, 0, self.n)
        ok &= (J >= self.lo[r]) & (J <= self.hi[r])
        return np.where(ok, self.off[r] + J - self.lo[r], self.N)


def _forward(g: _Flat, shapes: np.ndarray, E: np.ndarray, P: np.ndarray,
             pre: np.ndarray) -> np.ndarray:
    """F: the best score from (0, 0) to each cell (``F[N]`` = NEG)."""
    F = np.full(g.N + 1, NEG)
    for i in range(g.n + 1):
        c0, c1 = int(g.off[i]), int(g.off[i + 1])
        J, pr = g.J[c0:c1], pre[g.J[c0:c1]]
        best = np.where(J == 0, 0.0, NEG) if i == 0 else np.full(c1 - c0, NEG)
        v = shapes[:, 0] <= i
        if v.any():
            best = np.maximum(best, (F[P[v, c0:c1]] + E[v, c0:c1]).max(axis=0))
        F[c0:c1] = np.maximum.accumulate(best - pr) + pr  # 0-1 beads along the row
    return F


def _backward(g: _Flat, shapes: np.ndarray, E: np.ndarray, Q: np.ndarray, pre: np.ndarray,
              m: int) -> np.ndarray:
    """B: the best score from each cell to (n, m) (``B[N]`` = NEG)."""
    B = np.full(g.N + 1, NEG)
    EQ = np.take_along_axis(E, Q, axis=1)  # the score of the next bead of each type
    for i in range(g.n, -1, -1):
        c0, c1 = int(g.off[i]), int(g.off[i + 1])
        J, pr = g.J[c0:c1], pre[g.J[c0:c1]]
        best = np.where(J == m, 0.0, NEG) if i == g.n else np.full(c1 - c0, NEG)
        v = shapes[:, 0] <= g.n - i
        if v.any():
            best = np.maximum(best, (B[Q[v, c0:c1]] + EQ[v, c0:c1]).max(axis=0))
        # 0-1 beads along the row: B[j] = max_k>=j B'[k] + skips of targets j..k-1
        B[c0:c1] = np.maximum.accumulate((best + pr)[::-1])[::-1] - pr
    return B


def _row_tops(g: _Flat, mm: np.ndarray, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of the band: the best max-marginal, the cell (j) of its first best, and the
    best of the others (NEG when none); rows ``i < a`` (no such bead) NEG, -1, NEG."""
    row1 = np.maximum.reduceat(mm, g.off[:-1])
    idx = np.flatnonzero(mm == row1[g.I])
    first = idx[np.concatenate([[True], g.I[idx][1:] != g.I[idx][:-1]])]
    row_at = g.J[first]
    rest = mm.copy()
    rest[first] = -np.inf
    row2 = np.maximum(np.maximum.reduceat(rest, g.off[:-1]), NEG)
    row1[:a], row_at[:a], row2[:a] = NEG, -1, NEG
    return row1, row_at, row2


def _column_best(g: _Flat, mm: np.ndarray, m: int) -> np.ndarray:
    """Per column j (m + 2 entries): the best value over the rows (NEG where none)."""
    out = np.full(m + 2, NEG)
    np.maximum.at(out, g.J, np.maximum(mm[: g.N], NEG))
    return out


def bead_margins(memo: RowMemo, lo: np.ndarray, hi: np.ndarray, types: Sequence[tuple[int, int]],
                 skip_src: np.ndarray, skip_tgt: np.ndarray, cells: Sequence[Cell]) -> list[float]:
    """Each bead's max-marginal minus its best rival's (see the module), in score units."""
    g = _Flat(lo, hi)
    m = len(skip_tgt)
    paired = [t for t in types if t[0]]
    shapes = np.array(paired, dtype=np.int64).reshape(-1, 2)
    E = np.zeros((len(paired), g.N + 1))  # bead scores ending at each cell; 0 at the sentinel
    for t, (a, b) in enumerate(paired):
        E[t, : g.N] = (np.where(g.I >= 1, skip_src[np.maximum(g.I - 1, 0)], NEG) if b == 0
                       else memo.band(a, b, g.lo, g.hi))
    P = np.stack([g.index(g.I - a, g.J - b) for a, b in paired])  # where each bead starts
    Q = np.stack([g.index(g.I + a, g.J + b) for a, b in paired])  # where the next one ends
    pre = np.concatenate([[0.0], np.cumsum(skip_tgt, dtype=np.float64)])
    F, B = _forward(g, shapes, E, P, pre), _backward(g, shapes, E, Q, pre, m)
    mm = F[P] + E[:, : g.N] + B[: g.N]  # max-marginal of each bead (a >= 1) at each cell
    # 0-1 beads: target J - 1 left out, from (i, J - 1) to (i, J)
    skip = np.where(g.J > 0, skip_tgt[np.maximum(g.J - 1, 0)], NEG)
    mm01 = F[g.index(g.I, g.J - 1)] + skip + B[: g.N]
    col = np.full((max(t[1] for t in types) + 1, m + 2), NEG)  # [b][J]: best edge (a>0, b) at J
    tops = []
    for t, (a, b) in enumerate(paired):
        valid = g.I >= a
        np.maximum.at(col[b], g.J[valid], mm[t, valid])
        tops.append(_row_tops(g, mm[t], a))
    own = _own(g, paired, mm, cells)
    return _rivals(cells, own, paired, tops, col, _column_best(g, mm01, m), g.n)


def _own(g: _Flat, paired: list[tuple[int, int]], mm: np.ndarray,
         cells: Sequence[Cell]) -> dict[tuple[int, int, int, int], float]:
    """The max-marginal of each paired bead (a, b) ending at (i, j) inside the band (a left-out
    sentence's is read in :func:`_rivals`)."""
    t_of = {s: t for t, s in enumerate(paired)}
    own: dict[tuple[int, int, int, int], float] = {}
    for a, b, i, j in cells:
        if a and b and (a, b) in t_of and 0 <= i <= g.n and g.lo[i] <= j <= g.hi[i] and i >= a:
            own[(a, b, i, j)] = float(mm[t_of[(a, b)], int(g.off[i] + j - g.lo[i])])
    return own


def _rivals(cells: Sequence[Cell], own: dict[tuple[int, int, int, int], float],
            paired: list[tuple[int, int]], tops: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
            col: np.ndarray, col_skip: np.ndarray, n: int) -> list[float]:
    """Each bead's max-marginal minus the best of its rivals' (0 where either is missing).
    Rivals of a bead with source sentences: the edges covering source sentence ``i - a``, ending
    at rows ``i - a + 1 ..``; of a 0-1 bead: the edges covering target sentence ``j - 1``.

    A left-out sentence is the same bead wherever the path leaves it out (a 0-1 edge on any row
    of its column, a 1-0 edge on any column of its row), so its own max-marginal is the best of
    those and none of them is a rival. Read per cell instead (the first version), a 0-1 bead had
    no value but on the last of a run in one row, and its neighbours' margin was 0 (a coin toss):
    the 36 left-out caption lines in a row of Text+Berg dev looked like the least sure beads."""
    if not cells:
        return []
    A, Bb, I, J = (np.array(x, dtype=np.int64) for x in zip(*cells))
    mine = np.array([own.get(c, NEG) for c in cells])
    rival = np.full(len(cells), NEG)
    src, drop = A > 0, (A == 1) & (Bb == 0)
    for t, (ta, tb) in enumerate(paired):
        row1, row_at, row2 = tops[t]
        if (ta, tb) == (1, 0):
            mine = np.where(drop, row1[np.clip(I, 0, n)], mine)
        for d in range(1, ta + 1):
            r = I - A + d
            ok = src & (r <= n)
            if (ta, tb) == (1, 0):
                ok &= ~drop
            rr = np.clip(r, 0, n)
            but = np.where((A == ta) & (Bb == tb) & (r == I), J, -1)
            val = np.where(row_at[rr] == but, row2[rr], row1[rr])
            rival = np.where(ok, np.maximum(rival, val), rival)
    last = col.shape[1] - 1
    for b2 in range(1, len(col)):
        for o in range(b2):
            at = J + o
            rival = np.where(~src & (at <= last), np.maximum(rival, col[b2, np.minimum(at, last)]),
                             rival)
    mine = np.where(~src, col_skip[np.clip(J, 0, last)], mine)
    out = np.where((mine > NEG / 2) & (rival > NEG / 2), mine - rival, 0.0)
    return [float(x) for x in out]
