"""How good is a bead? Its features and score under the learned weights. Arrays in and out.

A bead of ``a`` source and ``b`` target sentences ending at cell ``(i, j)`` is described by a few
features: the cosine of its span embeddings, the cosines with the sentences just outside it
(Bertalign's margin idea: a bead must beat its neighbours), the ratio of its character lengths,
its *gain* over its best sub-bead (a sentence should join a bead only if it makes it more
similar), shared lexical anchors, a paragraph break inside it, its *glue* (boundaries inside it where the
next sentence starts in lower case or the previous one ends in a comma, hyphen or colon: an OCR
or caption fragment, or a lead-in cut from what it introduces) and its shape. A left-out sentence is described by its side, size, how few
letters it has (page furniture) and its *best* match (the highest normalised cosine with any
span of the other side within the band: a sentence with a good match should not be left out).

The DP maximises the summed ``weights @ features`` (:mod:`align.weights`: learned with an averaged
structured perceptron, ``python bench/train_align.py``); a bead's confidence comes from
:mod:`align.calibrate`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from align.anchors import anchor_sets, dice, fingerprints, span_fingerprints
from align.dp import NEG, Params, bead_types
from align.weights import DEFAULT_WEIGHTS, FEATURES, SKIP_FEATURES, Weights
from align.weights import Feature as F
from align.weights import SkipFeature as K

__all__ = ["FEATURES", "SKIP_FEATURES", "BeadScorer"]

SPREAD_FLOOR = 0.5
"""The scale of cosines (a document's anchored pairs over its random pairs) is at least this
share of the encoder's typical spread (:func:`align.embed.typical_spread`). On real editions the
measured scale is 0.55-1.2 of it (dev and test sets), so the floor does not bind; on two unrelated
stories it is about 0.3, and without the floor their best pairs scored like translations."""


BEST_SPAN = 4
"""A left-out sentence's best match (the skip feature "best") is looked for among the other
side's spans of up to this many sentences, as when its weight was fitted. Spans of 5 (for the
1-5 and 5-1 beads, :func:`align.dp.bead_types`) would raise it and so the cost of leaving a
sentence out: news and general dev then lost a bead each (seeds 202 and 13), Text+Berg dev
gained nothing more."""


class BeadScorer:
    """Scores beads by row for :func:`align.dp.run_dp`, then their confidence."""

    def __init__(
        self,
        spans_src: list[np.ndarray],
        spans_tgt: list[np.ndarray],
        *,
        src_text: Sequence[str],
        tgt_text: Sequence[str],
        src_par: np.ndarray | None,
        tgt_par: np.ndarray | None,
        params: Params,
        anchors: Sequence[tuple[int, int]] = (),
        weights: Weights = DEFAULT_WEIGHTS,
        spread: float | None = None,
    ) -> None:
        self.S, self.T = spans_src, spans_tgt
        self.mu, self.sigma = self.scale(spans_src[0], spans_tgt[0], anchors)
        if spread:  # unrelated texts must not set a scale on which they look like translations
            self.sigma = max(self.sigma, SPREAD_FLOOR * spread)
        self.n, self.m = len(src_text), len(tgt_text)
        ls = np.array([len(t) for t in src_text], dtype=np.float64)
        lt = np.array([len(t) for t in tgt_text], dtype=np.float64)
        self.cum_src = np.concatenate([[0.0], np.cumsum(ls)])
        self.cum_tgt = np.concatenate([[0.0], np.cumsum(lt)])
        # the languages' length ratio, from the texts but within plausible bounds: one edition
        # may be much longer than the other without its sentences being longer
        ratio = max(self.cum_src[-1], 1.0) / max(self.cum_tgt[-1], 1.0)
        self.ratio = float(np.clip(ratio, 0.67, 1.5))
        self.types = bead_types(params.max_side, params.max_total)
        self.shapes = [t for t in self.types if t[0] and t[1]]
        self.shape_col = {t: len(FEATURES) + k for k, t in enumerate(self.shapes)}
        self.n_bead = len(FEATURES) + len(self.shapes)
        self.w = weights.vector(self.shapes)
        sa, ta = anchor_sets(src_text, tgt_text)
        self.anchor_src, self.anchor_tgt = sa, ta
        self.FS = span_fingerprints(fingerprints(sa), params.max_side)
        self.FT = span_fingerprints(fingerprints(ta), params.max_side)
        self.par_src = self._breaks(src_par, self.n)
        self.par_tgt = self._breaks(tgt_par, self.m)
        self.glue_src = _glued(src_text)
        self.glue_tgt = _glued(tgt_text)
        self.skip_feats_src = self._skip_features(src_text, 0)
        self.skip_feats_tgt = self._skip_features(tgt_text, 1)

    @staticmethod
    def scale(src: np.ndarray, tgt: np.ndarray, anchors: Sequence[tuple[int, int]]) -> tuple[float, float]:
        """Cosine of unrelated pairs and the spread up to anchored pairs, to put cosines on one
        scale whatever the languages and encoder (0 ~ random pair, 1 ~ typical translation)."""
        if not len(src) or not len(tgt):
            return 0.0, 1.0
        rng = np.random.default_rng(0)
        k = min(2000, len(src) * len(tgt))
        rand = np.einsum("ij,ij->i", src[rng.integers(0, len(src), k)],
                         tgt[rng.integers(0, len(tgt), k)])
        mu = float(np.mean(rand))
        if len(anchors):
            idx = np.array(anchors) - 1
            # the median, without np.median (it imports numpy.ma: ~6 ms of cold start)
            cos = np.sort(np.einsum("ij,ij->i", src[idx[:, 0]], tgt[idx[:, 1]]))
            h = len(cos) // 2
            top = float(np.mean(cos[h - 1 + len(cos) % 2 : h + 1]))
        else:
            top = mu + 0.5
        return mu, max(top - mu, 0.1)

    def set_band(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Note each sentence's best match (normalised cosine with any span of the other side
        inside the DP band): leaving out a sentence that has a good match should cost more."""
        self._grams = _BandGrams(self.S, self.T, lo, hi)
        S0, T0 = self.S[0], self.T[0]
        best_s = np.full(self.n, -1.0)
        best_t = np.full(self.m, -1.0)
        near_t: list[tuple[int, int]] = []  # target sentences within each source sentence's band
        near_s: list[tuple[int, int]] = []
        for i in range(1, self.n + 1):
            j0, j1 = int(lo[i - 1]), int(hi[i])
            near_t.append((j0, j1))
            u = S0[i - 1]
            for k in range(min(len(self.T), BEST_SPAN)):
                W = self.T[k][j0 : max(j0, j1 - k)]
                if len(W):
                    best_s[i - 1] = max(best_s[i - 1], float((W @ u).max()))
        for j in range(1, self.m + 1):
            i0 = int(np.searchsorted(hi, j - 1, "left"))
            i1 = int(np.searchsorted(lo, j, "right"))
            near_s.append((max(i0 - 1, 0), i1))
            v = T0[j - 1]
            for k in range(min(len(self.S), BEST_SPAN)):
                W = self.S[k][max(i0 - 1, 0) : max(i0 - 1, 0, i1 - k)]
                if len(W):
                    best_t[j - 1] = max(best_t[j - 1], float((W @ v).max()))
        col = K.BEST
        self.skip_feats_src[:, col] = np.clip((best_s - self.mu) / self.sigma, -1.0, 2.0)
        self.skip_feats_tgt[:, col] = np.clip((best_t - self.mu) / self.sigma, -1.0, 2.0)
        # the document's omission rate, estimated as the share of sentences without a fair match
        # (a translation with cuts makes leaving sentences out cheaper)
        best = np.concatenate([self.skip_feats_src[:, col], self.skip_feats_tgt[:, col]])
        rate = float(np.mean(best < PRIOR_CUT)) if len(best) else PRIOR_RATE
        prior = float(np.log(max(rate, 0.005) / PRIOR_RATE))
        self.skip_feats_src[:, K.PRIOR] = prior
        self.skip_feats_tgt[:, K.PRIOR] = prior
        _band_anchors(self.skip_feats_src, self.anchor_src, self.anchor_tgt, near_t)
        _band_anchors(self.skip_feats_tgt, self.anchor_tgt, self.anchor_src, near_s)

    @staticmethod
    def _breaks(par: np.ndarray | None, n: int) -> np.ndarray:
        """Cumulative count of paragraph breaks before each sentence (n + 1 entries)."""
        if par is None or n == 0:
            return np.zeros(n + 1)
        brk = np.concatenate([[0], (np.diff(np.asarray(par)) != 0).astype(float)])
        return np.concatenate([[0.0], np.cumsum(brk)])

    @staticmethod
    def _skip_features(texts: Sequence[str], side: int) -> np.ndarray:
        f = np.zeros((len(texts), len(SKIP_FEATURES)))
        f[:, K.SKIP_TGT if side else K.SKIP_SRC] = 1.0
        letters = np.array([sum(map(str.isalpha, t)) for t in texts], dtype=float)
        f[:, K.JUNK] = 1.0 - np.minimum(1.0, letters / 20.0)
        f[:, K.LONG] = np.minimum(1.0, np.array([len(t) for t in texts]) / 200.0)
        return f

    @property
    def skip_src(self) -> np.ndarray:
        cost: np.ndarray = self.skip_feats_src @ self.w[self.n_bead :]
        return cost

    @property
    def skip_tgt(self) -> np.ndarray:
        cost: np.ndarray = self.skip_feats_tgt @ self.w[self.n_bead :]
        return cost

    def features(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        """``[len(J), n_bead]`` features of beads (a, b) ending at (i, j), j in J (j >= b)."""
        S0, T0 = self.S[0], self.T[0]
        u = self.S[a - 1][i - a]
        V = self.T[b - 1][J - b]
        X = np.zeros((len(J), self.n_bead))
        sim = V @ u
        X[:, F.SIM] = (sim - self.mu) / self.sigma
        left = J - b - 1
        has_l, has_r = left >= 0, J < self.m
        tl = np.where(has_l, T0[np.maximum(left, 0)] @ u, 0.0)
        tr = np.where(has_r, T0[np.minimum(J, self.m - 1)] @ u, 0.0)
        X[:, F.NEAR_TGT] = ((tl + tr) / np.maximum(has_l.astype(int) + has_r, 1) - self.mu) / self.sigma
        near = [S0[k] for k in (i - a - 1, i) if 0 <= k < self.n]
        if near:
            X[:, F.NEAR_SRC] = ((V @ np.stack(near).T).mean(axis=1) - self.mu) / self.sigma
        ls = self.cum_src[i] - self.cum_src[i - a]
        lt = (self.cum_tgt[J] - self.cum_tgt[J - b]) * self.ratio
        X[:, F.LENGTH] = np.log2(1 + np.minimum(ls, lt) / np.maximum(np.maximum(ls, lt), 1e-9))
        if a > 1 or b > 1:
            sub = np.full(len(J), -1.0)
            if b > 1:
                W = self.T[b - 2]
                sub = np.maximum(sub, np.maximum(W[J - b + 1] @ u, W[J - b] @ u))
            if a > 1:
                W = self.S[a - 2]
                sub = np.maximum(sub, np.maximum(V @ W[i - a + 1], V @ W[i - a]))
            X[:, F.GAIN] = np.minimum(sim - sub, 0.0) / self.sigma
        d, tot = dice(self.FT[b - 1][J - b], self.FS[a - 1][i - a][None, :])
        X[:, F.ANCHORS] = d
        X[:, F.NO_ANCHORS] = tot == 0
        X[:, F.PARAGRAPH] = ((self.par_src[i] - self.par_src[i - a + 1]) > 0) | (
            (self.par_tgt[J] - self.par_tgt[J - b + 1]) > 0)
        X[:, F.GLUE] = (self.glue_src[i] - self.glue_src[i - a + 1]) + (
            self.glue_tgt[J] - self.glue_tgt[J - b + 1])
        X[:, self.shape_col[(a, b)]] = 1.0
        return X

    def row(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
        out = np.full(len(J), NEG)
        ok = J - b >= 0
        if ok.any():
            out[ok] = self.features(a, b, i, J[ok]) @ self.w[: self.n_bead]
        return out

    def cells(self, a: int, b: int, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Scores of the beads (a, b) ending at the cells (I[k], J[k]) of the DP band (I >= a,
        J >= b): what :meth:`row` gives row by row, as a few array operations for many rows."""
        out: np.ndarray = self.cell_features(a, b, I, J) @ self.w[: self.n_bead]
        return out

    def cell_features(self, a: int, b: int, I: np.ndarray, J: np.ndarray,
                      pairs: bool = False) -> np.ndarray:
        """:meth:`features` of the band cells (I[k], J[k]), every cosine read from the band's
        products (:class:`_BandGrams`) in the same float32/float64 steps as :meth:`features`.
        ``pairs``: of any cells (beads a later pass put outside the band too), each cosine a
        product of the two rows (:meth:`pair_dot`)."""
        dot = self.pair_dot if pairs else self._grams.dot
        X = np.zeros((len(J), self.n_bead))
        sim = dot(a - 1, I - a, b - 1, J - b)
        X[:, F.SIM] = (sim - self.mu) / self.sigma
        left = J - b - 1
        has_l, has_r = left >= 0, J < self.m
        tl = np.where(has_l, dot(a - 1, I - a, 0, np.maximum(left, 0)), 0.0)
        tr = np.where(has_r, dot(a - 1, I - a, 0, np.minimum(J, self.m - 1)), 0.0)
        X[:, F.NEAR_TGT] = ((tl + tr) / np.maximum(has_l.astype(int) + has_r, 1) - self.mu) / self.sigma
        X[:, F.NEAR_SRC] = self._near_src(a, b, I, J, dot)
        ls = self.cum_src[I] - self.cum_src[I - a]
        lt = (self.cum_tgt[J] - self.cum_tgt[J - b]) * self.ratio
        X[:, F.LENGTH] = np.log2(1 + np.minimum(ls, lt) / np.maximum(np.maximum(ls, lt), 1e-9))
        if a > 1 or b > 1:
            sub = np.full(len(J), -1.0)
            if b > 1:
                sub = np.maximum(sub, np.maximum(dot(a - 1, I - a, b - 2, J - b + 1),
                                                 dot(a - 1, I - a, b - 2, J - b)))
            if a > 1:
                sub = np.maximum(sub, np.maximum(dot(a - 2, I - a + 1, b - 1, J - b),
                                                 dot(a - 2, I - a, b - 1, J - b)))
            X[:, F.GAIN] = np.minimum(sim - sub, 0.0) / self.sigma
        d, tot = dice(self.FT[b - 1][J - b], self.FS[a - 1][I - a])
        X[:, F.ANCHORS] = d
        X[:, F.NO_ANCHORS] = tot == 0
        X[:, F.PARAGRAPH] = ((self.par_src[I] - self.par_src[I - a + 1]) > 0) | (
            (self.par_tgt[J] - self.par_tgt[J - b + 1]) > 0)
        X[:, F.GLUE] = (self.glue_src[I] - self.glue_src[I - a + 1]) + (
            self.glue_tgt[J] - self.glue_tgt[J - b + 1])
        X[:, self.shape_col[(a, b)]] = 1.0
        return X

    def _near_src(self, a: int, b: int, I: np.ndarray, J: np.ndarray,
                  dot: Callable[[int, np.ndarray, int, np.ndarray], np.ndarray]) -> np.ndarray:
        """The NEAR_SRC feature of :meth:`features` per cell: the mean cosine of the bead's
        target span with the source sentences just before and after it (0 with neither)."""
        has_l, has_r = I - a - 1 >= 0, I < self.n
        dl = dot(0, np.maximum(I - a - 1, 0), b - 1, J - b)
        dr = dot(0, np.minimum(I, self.n - 1), b - 1, J - b)
        both = has_l & has_r
        mean = np.where(both, (dl + dr) / 2, np.where(has_l, dl, dr))
        return np.where(has_l | has_r, (mean - self.mu) / self.sigma, 0.0)

    def pair_dot(self, x: int, P: np.ndarray, y: int, Q: np.ndarray) -> np.ndarray:
        """Cosines of source spans ``S[x][P]`` with target spans ``T[y][Q]``, pair by pair."""
        out: np.ndarray = np.einsum("ij,ij->i", self.S[x][P], self.T[y][Q])
        return out

    def bead_vector(self, a: int, b: int, i: int, j: int) -> np.ndarray:
        """Full feature vector (bead and skip parts) of one bead, for training."""
        v = np.zeros(len(self.w))
        if a and b:
            v[: self.n_bead] = self.features(a, b, i, np.array([j]))[0]
        elif a:
            v[self.n_bead :] = self.skip_feats_src[i - 1]
        else:
            v[self.n_bead :] = self.skip_feats_tgt[j - 1]
        return v


class _BandGrams:
    """Cosines of source spans with target spans near the DP band, by (span sizes, p, q).

    A bead's features read the cosines of source spans starting at ``i - a - 1 .. i`` with target
    spans starting at ``j - b - 1 .. j`` for band cells ``(i, j)``: for a source start ``p`` the
    targets ``lo[p] - r .. hi[p + r]`` cover them all (``r``: the longest span + 1; bands'
    bounds never decrease). Each pair of
    span sizes is one product of blocks of 128 rows with the columns they need (BLAS), made when
    first asked for; a product row per source span, not per bead, so scoring a band of ~25
    cells a row costs a few array reads per cell instead of a Python call per row."""

    BLOCK = 32

    def __init__(self, S: list[np.ndarray], T: list[np.ndarray], lo: np.ndarray,
                 hi: np.ndarray) -> None:
        self.S, self.T = S, T
        n = len(lo) - 1
        reach = max(len(S), len(T)) + 1  # max_side + 1: how far before a bead's end features look
        self.qlo = np.maximum(lo - reach, 0)
        self.qhi = hi[np.minimum(np.arange(n + 1) + reach, n)]
        # ragged rows (a band is ~25 cells wide, but a few hundred where the anchors jump)
        self.wide = self.qhi - self.qlo + 1
        self.start = np.concatenate([[0], np.cumsum(self.wide)])
        self._made: dict[tuple[int, int], np.ndarray] = {}

    def _gram(self, x: int, y: int) -> np.ndarray:
        X, Y = self.S[x], self.T[y]
        G = np.zeros(self.start[-1], dtype=np.float32)
        for p0 in range(0, len(X), self.BLOCK):
            p1 = min(p0 + self.BLOCK, len(X))
            c0, c1 = int(self.qlo[p0]), min(int(self.qhi[p1 - 1]) + 1, len(Y))
            if c1 <= c0:
                continue
            D = X[p0:p1] @ Y[c0:c1].T
            rows = np.repeat(np.arange(p1 - p0), self.wide[p0:p1])
            at = np.arange(self.start[p0], self.start[p1])
            cols = at - self.start[p0 + rows] + self.qlo[p0 + rows] - c0
            ok = cols < c1 - c0
            G[at[ok]] = D[rows[ok], cols[ok]]
        return G

    def dot(self, x: int, P: np.ndarray, y: int, Q: np.ndarray) -> np.ndarray:
        """Cosines of source spans ``S[x][P]`` with target spans ``T[y][Q]`` (float32)."""
        G = self._made.get((x, y))
        if G is None:
            G = self._made[(x, y)] = self._gram(x, y)
        out: np.ndarray = G[self.start[P] + np.clip(Q - self.qlo[P], 0, self.wide[P] - 1)]
        return out


def _band_anchors(out: np.ndarray, own: Sequence[set[str]], other: Sequence[set[str]],
                  near: Sequence[tuple[int, int]]) -> None:
    """Fill the ORPHAN and FOUND skip features: of a sentence's numbers and shared names, how
    many the other side lacks near it (evidence of an addition) and how many it holds (a
    counterpart is there), each capped at 3 and scaled to [0, 1]."""
    for k, (lo, hi) in enumerate(near):
        mine = {a for a in own[k] if a not in MARKS}
        if not mine:
            continue
        there = set().union(*other[max(lo - 1, 0) : hi + 1])
        found = len(mine & there)
        out[k, K.ORPHAN] = min(len(mine) - found, 3) / 3
        out[k, K.FOUND] = min(found, 3) / 3


MARKS = ("?", "!")


def _continues(prev: str, text: str) -> bool:
    """Does ``text`` look like the rest of ``prev`` (a sentence cut by OCR or a caption)?"""
    first = next((c for c in text if c.isalnum()), "")
    last = prev.rstrip()[-1:]
    return first.islower() or last in GLUE_ENDS


PRIOR_CUT = 0.3  # normalised cosine below which a sentence has no fair match
PRIOR_RATE = 0.05  # the omission rate at which the prior is neutral

GLUE_ENDS = ("-", ",", ":")
GLUE_MAX_SHARE = 0.3


def _glued(texts: Sequence[str]) -> np.ndarray:
    """Cumulative count (n + 1 entries) of boundaries k-1 | k where sentence k continues k-1."""
    flags = np.array([0.0] + [float(_continues(p, t)) for p, t in itertools.pairwise(texts)])
    if flags.mean() > GLUE_MAX_SHARE:  # a text without capitals (or of fragments): no evidence
        flags[:] = 0.0
    return np.concatenate([[0.0], np.cumsum(flags)])
