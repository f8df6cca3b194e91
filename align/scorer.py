"""How good is a bead? Scores for the DP and calibrated confidences. Arrays in, arrays out.

A bead of ``a`` source and ``b`` target sentences ending at cell ``(i, j)`` is scored from the
cosine of its span embeddings, a margin against neighbouring sentences (a bead must beat its
neighbours, not just be similar), the ratio of its character lengths and shared lexical anchors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.anchors import anchor_sets, dice, fingerprints, span_fingerprints
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
        # the languages' length ratio, from the texts but within plausible bounds: one edition may
        # be much longer than the other without its sentences being longer
        self.ratio = float(np.clip(max(self.cum_src[-1], 1.0) / max(self.cum_tgt[-1], 1.0), 0.67, 1.5))
        self.params = params
        sa, ta = anchor_sets(src_text, tgt_text)
        self.FS = span_fingerprints(fingerprints(sa), params.max_side)
        self.FT = span_fingerprints(fingerprints(ta), params.max_side)
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
        out = score * pen
        if self.params.part_weight and (a > 1 or b > 1):
            # every sentence of a many-sentence side must resemble the other side on its own
            lack = np.zeros(len(J))
            if b > 1:
                for k in range(b):
                    lack += np.maximum(self.params.part_min - T0[J - b + k] @ u, 0.0)
            if a > 1:
                for k in range(a):
                    lack += np.maximum(self.params.part_min - V @ S0[i - a + k], 0.0)
            out = out - self.params.part_weight * lack
        if self.params.gain_weight and (a > 1 or b > 1):
            # a sentence joins a bead only if it makes the bead more similar
            sub = np.full(len(J), -1.0)
            if b > 1:
                W = self.T[b - 2]
                sub = np.maximum(sub, np.maximum(W[J - b + 1] @ u, W[J - b] @ u))
            if a > 1:
                W = self.S[a - 2]
                sub = np.maximum(sub, np.maximum(V @ W[i - a + 1], V @ W[i - a]))
            gain = sim - sub
            out = out - self.params.gain_weight * np.maximum(self.params.gain_min - gain, 0.0)
        if self.params.lex_weight:
            d, tot = dice(self.FT[b - 1][J - b], self.FS[a - 1][i - a][None, :])
            out = out + self.params.lex_weight * (d - self.params.lex_center) * (tot > 0)
        mode = self.params.size_mode
        if mode == "sum":
            out = out * (a + b) / 2
        elif mode == "prod":
            out = out - (a * b - 1) * self.params.size_cost
        elif mode == "extra":
            out = out - (a + b - 2) * self.params.size_cost
        return out

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
