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
over the band, on the row scores the DP computed (:class:`RowMemo` keeps them), so the cost is a
few numpy operations per row and bead type, no encoder and no scoring again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.dp import NEG, RowScorer

__all__ = ["RowMemo", "bead_margins"]

Cell = tuple[int, int, int, int]  # a bead's shape (a, b) and the cell (i, j) where it ends


class RowMemo:
    """A :data:`align.dp.RowScorer` that remembers each row it scored (a, b, i) -> scores."""

    def __init__(self, score: RowScorer) -> None:
        self.score = score
        self.rows: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        out = self.score(a, b, i, J)
        self.rows[(a, b, i)] = (J, out)
        return out

    def keep(self, a: int, b: int, i: int, J: np.ndarray, scores: np.ndarray) -> None:
        """Remember row ``i``'s scores of beads (a, b) as the DP computed them for many rows at
        once (NEG where the bead would start outside the band, as no path can use it)."""
        self.rows[(a, b, i)] = (J, scores)

    def row(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        """The scores of beads (a, b) ending at (i, J), J a whole row: remembered or scored."""
        got = self.rows.get((a, b, i))
        if got is not None and len(got[0]) == len(J) and (not len(J) or got[0][0] == J[0]):
            return got[1]
        return self.score(a, b, i, J)


class _Band:
    """Values over the DP band: row ``i`` holds cells ``lo[i]..hi[i]``, padded with NEG at both
    ends so a read anywhere (:meth:`at`) is one clipped take."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lo, self.hi = lo, hi
        self.v: list[np.ndarray] = [np.full(2, NEG)] * len(lo)

    def set(self, i: int, values: np.ndarray) -> None:
        self.v[i] = np.concatenate([[NEG], values, [NEG]])

    def at(self, i: int, J: np.ndarray) -> np.ndarray:
        if not 0 <= i < len(self.lo):
            return np.full(len(J), NEG)
        row = self.v[i]
        out: np.ndarray = row[np.minimum(np.maximum(J - (self.lo[i] - 1), 0), len(row) - 1)]
        return out


class _Lattice:
    """The DP's edges with their scores: ``edge(a, b, i)`` scores the beads (a, b) ending at each
    cell of row ``i`` (1-0 beads: the source sentence's skip score), from the DP's memo."""

    def __init__(self, memo: RowMemo, lo: np.ndarray, hi: np.ndarray,
                 skip_src: np.ndarray, skip_tgt: np.ndarray) -> None:
        self.memo, self.lo, self.hi = memo, lo, hi
        self.skip_src, self.skip_tgt = skip_src, skip_tgt
        self.pre = np.concatenate([[0.0], np.cumsum(skip_tgt, dtype=np.float64)])
        self._J = [np.arange(lo[i], hi[i] + 1) for i in range(len(lo))]

    def J(self, i: int) -> np.ndarray:
        return self._J[i]

    def edge(self, a: int, b: int, i: int) -> np.ndarray | float:
        """Scores over row i (a float for 1-0 beads: the source sentence's skip score)."""
        if b == 0:
            return float(self.skip_src[i - 1])
        return self.memo.row(a, b, i, self._J[i])


Incoming = dict[tuple[int, int, int], np.ndarray]  # (a, b, i) -> F(start) + score, over row i


def _forward(L: _Lattice, types: Sequence[tuple[int, int]]) -> tuple[_Band, Incoming]:
    F = _Band(L.lo, L.hi)
    inc: Incoming = {}
    for i in range(len(L.lo)):
        J = L.J(i)
        best = np.where(J == 0, 0.0, NEG) if i == 0 else np.full(len(J), NEG)
        for a, b in types:
            if a and i - a >= 0:
                inc[(a, b, i)] = x = F.at(i - a, J - b) + L.edge(a, b, i)
                best = np.maximum(best, x)
        F.set(i, np.maximum.accumulate(best - L.pre[J]) + L.pre[J])  # 0-1 beads along the row
    return F, inc


def _backward(L: _Lattice, types: Sequence[tuple[int, int]]) -> _Band:
    B = _Band(L.lo, L.hi)
    n, m = len(L.lo) - 1, len(L.skip_tgt)
    out: dict[tuple[int, int, int], np.ndarray] = {}  # score + B(end) over row i, NEG-padded
    for i in range(n, -1, -1):
        J = L.J(i)
        best = np.where(J == m, 0.0, NEG) if i == n else np.full(len(J), NEG)
        for a, b in types:
            if a and i + a <= n:
                row = out[(a, b, i + a)]
                best = np.maximum(best, row[np.minimum(np.maximum(J + (b + 1 - L.lo[i + a]), 0),
                                                       len(row) - 1)])
        # 0-1 beads along the row: B[j] = max_k>=j B'[k] + skips of targets j..k-1
        B.set(i, np.maximum.accumulate((best + L.pre[J])[::-1])[::-1] - L.pre[J])
        for a, b in types:
            if a and i - a >= 0:
                row = B.v[i].copy()
                row[1:-1] += L.edge(a, b, i)
                out[(a, b, i)] = row
    return B


class _Tops:
    """Per bead type: the best and second-best max-marginal of each row (with the cell of the
    best); per target span length, the best of each column, to find a bead's best rival."""

    def __init__(self, n: int, m: int) -> None:
        self.row1 = np.full(n + 1, NEG)
        self.row_at = np.full(n + 1, -1)
        self.row2 = np.full(n + 1, NEG)

    def add(self, i: int, J: np.ndarray, mm: np.ndarray) -> None:
        if not len(J):
            return
        k = int(np.argmax(mm))
        self.row1[i], self.row_at[i] = mm[k], J[k]
        if len(J) > 1:
            self.row2[i] = max(mm[:k].max(initial=NEG), mm[k + 1 :].max(initial=NEG))

    def row_best(self, i: int, but: int) -> float:
        return float(self.row2[i] if self.row_at[i] == but else self.row1[i])


def bead_margins(memo: RowMemo, lo: np.ndarray, hi: np.ndarray, types: Sequence[tuple[int, int]],
                 skip_src: np.ndarray, skip_tgt: np.ndarray, cells: Sequence[Cell]) -> list[float]:
    """Each bead's max-marginal minus its best rival's (see the module), in score units."""
    L = _Lattice(memo, lo, hi, skip_src, skip_tgt)
    (F, inc), B = _forward(L, types), _backward(L, types)
    n, m = len(lo) - 1, len(skip_tgt)
    paired = [t for t in types if t[0]]
    tops = {t: _Tops(n, m) for t in paired}
    col = np.full((max(t[1] for t in types) + 1, m + 2), NEG)  # [b][J]: best edge (a>0, b) at J
    col_skip = np.full((2, m + 2), NEG)  # 0-1 beads: best and second best at J
    col_row = np.full(m + 2, -1)
    own: dict[tuple[int, int, int, int], float] = {}
    wanted = {(a, b, i): j for a, b, i, j in cells}
    for i in range(n + 1):
        J, Bi = L.J(i), B.v[i][1:-1]
        for a, b in paired:
            if (a, b, i) not in inc:
                continue
            mm = inc[(a, b, i)] + Bi
            tops[(a, b)].add(i, J, mm)
            col[b, J] = np.maximum(col[b, J], mm)
            if wanted.get((a, b, i), -1) in range(lo[i], hi[i] + 1):
                own[(a, b, i, wanted[(a, b, i)])] = float(mm[wanted[(a, b, i)] - lo[i]])
        # 0-1 beads: target J - 1 left out, from (i, J - 1) to (i, J)
        mm = F.at(i, J - 1) + np.where(J > 0, skip_tgt[np.maximum(J - 1, 0)], NEG) + Bi
        top = mm > col_skip[0, J]
        col_skip[1, J] = np.where(top, col_skip[0, J], np.maximum(col_skip[1, J], mm))
        col_skip[0, J] = np.where(top, mm, col_skip[0, J])
        col_row[J] = np.where(top, i, col_row[J])
        if (0, 1, i) in wanted and lo[i] <= wanted[(0, 1, i)] <= hi[i]:
            own[(0, 1, i, wanted[(0, 1, i)])] = float(mm[wanted[(0, 1, i)] - lo[i]])
    out = []
    for a, b, i, j in cells:
        mine = own.get((a, b, i, j), NEG)
        if a:  # rivals: the edges covering source sentence i - a, ending at rows i - a + 1 ..
            rival = max((tops[t].row_best(r, j if (t, r) == ((a, b), i) else -1)
                         for t in paired for r in range(i - a + 1, min(i - a + t[0], n) + 1)),
                        default=NEG)
        else:  # a 0-1 bead: the edges covering target sentence j - 1 (ending at j .. j - 1 + b)
            rival = max(float(col[b2, j : j + b2].max(initial=NEG)) for b2 in range(1, len(col)))
            rival = max(rival, float(col_skip[1 if col_row[j] == i else 0, j]))
        out.append(mine - rival if mine > NEG / 2 and rival > NEG / 2 else 0.0)
    return out
