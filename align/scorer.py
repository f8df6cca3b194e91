"""How good is a bead? Scores for the DP and calibrated confidences. Arrays in, arrays out.

A bead of ``a`` source and ``b`` target sentences ending at cell ``(i, j)`` is scored from the
cosine of its span embeddings, a margin against neighbouring sentences (a bead must beat its
neighbours, not just be similar), the ratio of its character lengths and shared lexical anchors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.dp import NEG, Params

__all__ = ["BeadScorer"]


class BeadScorer:
    """Scores beads by row for :func:`align.dp.run_dp`, then their confidence."""

    def __init__(
        self,
        spans_src: list[np.ndarray],
        spans_tgt: list[np.ndarray],
        src_len: np.ndarray,
        tgt_len: np.ndarray,
        *,
        src_text: Sequence[str],
        tgt_text: Sequence[str],
        src_par: np.ndarray | None,
        tgt_par: np.ndarray | None,
        params: Params,
    ) -> None:
        self.S, self.T = spans_src, spans_tgt
        self.n, self.m = len(src_len), len(tgt_len)
        self.cum_src = np.concatenate([[0.0], np.cumsum(src_len)])
        self.cum_tgt = np.concatenate([[0.0], np.cumsum(tgt_len)])
        self.ratio = max(self.cum_src[-1], 1.0) / max(self.cum_tgt[-1], 1.0)
        self.params = params
        self.skip_src = np.full(self.n, params.skip)
        self.skip_tgt = np.full(self.m, params.skip)

    def _raw(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        """Scores of beads (a, b) ending at (i, j) for j in J (all j - b >= 0)."""
        S0, T0 = self.S[0], self.T[0]
        u = self.S[a - 1][i - a]
        V = self.T[b - 1][J - b]
        sim = V @ u
        # Bertalign's margin: mean cosine with the sentences just outside the bead
        left = J - b - 1
        has_l = left >= 0
        has_r = J < self.m
        tl = np.where(has_l, T0[np.maximum(left, 0)] @ u, 0.0)
        tr = np.where(has_r, T0[np.minimum(J, self.m - 1)] @ u, 0.0)
        t_nb = (tl + tr) / np.maximum(has_l.astype(int) + has_r, 1)
        src_nb_vecs = []
        if i - a - 1 >= 0:
            src_nb_vecs.append(S0[i - a - 1])
        if i < self.n:
            src_nb_vecs.append(S0[i])
        s_nb = (V @ np.stack(src_nb_vecs).T).mean(axis=1) if src_nb_vecs else 0.0
        score = sim - (t_nb + s_nb) / 2
        ls = self.cum_src[i] - self.cum_src[i - a]
        lt = (self.cum_tgt[J] - self.cum_tgt[J - b]) * self.ratio
        pen = np.log2(1 + np.minimum(ls, lt) / np.maximum(np.maximum(ls, lt), 1e-9))
        return score * pen

    def row(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        out = np.full(len(J), NEG)
        ok = J - b >= 0
        if ok.any():
            out[ok] = self._raw(a, b, i, J[ok])
        return out

    def confidence(self, a: int, b: int, i: int, j: int) -> float:
        """Probability that the bead ending at (i, j) is right (calibrated on held-out data)."""
        if a == 0 or b == 0:
            return 0.5
        s = float(self._raw(a, b, i, np.array([j]))[0])
        return float(1 / (1 + np.exp(-12 * (s - 0.1))))
