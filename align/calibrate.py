"""Calibrated confidence: the probability that a bead is right, from its features.

A bead's DP score alone ranks beads poorly (a 1-1 bead of two short sentences and a 2-2 bead of
long ones score on different scales), so the confidence is a logistic regression over the
bead's score and its named features, one model for paired beads and one for omissions, fitted
on development cases whose beads are known right or wrong (``python bench/calibrate_align.py``:
adapted EN->RU editions of wmt-en-ru's dev chunks and Text+Berg dev; never the test sets).

Inputs of a paired bead: its score, its :class:`~align.weights.Feature` row, whether it is 1-1,
its size and its *grow*: how much closer the bead gets with one more neighbouring sentence on
either side (span cosines, in the document's scale; 0 when none gets closer). A bead that is a
part of a larger true bead grows: the confident wrong beads of Text+Berg dev are mostly such
parts (captions and bibliography lines cut by OCR), and of the news genres many 1-1 halves of a
2-2. Of an omission: its score and its :class:`~align.weights.SkipFeature` row. Both
also see their neighbours (how many are omissions, how many are merges): errors come in
clusters, and a right bead next to a wrong one is rarer than next to right ones. And both see
their *margin* (:mod:`align.margins`): how much the best alignment without the bead scores less,
the DP's own second opinion on how close a call it was (:func:`margin_inputs` for the gain).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from align.weights import FEATURES, SKIP_FEATURES

if TYPE_CHECKING:
    from align.scorer import BeadScorer

__all__ = ["DEFAULT_CALIBRATION", "OMISSION_INPUTS", "PAIR_INPUTS", "Calibration", "fit_logistic"]

CONTEXT = ("omission_next", "merge_next")  # neighbouring beads: errors come in clusters
MARGIN = ("margin", "margin_log")  # ahead of the best rival grouping (align/margins.py)
PAIR_INPUTS = ("score", *FEATURES, "one_one", "size", "grow", *CONTEXT, *MARGIN)
OMISSION_INPUTS = ("score", *SKIP_FEATURES, *CONTEXT, *MARGIN)
Cell = tuple[int, int, int, int]  # a bead's shape (a, b) and the DP cell (i, j) where it ends


@dataclass(frozen=True)
class Calibration:
    """Logistic coefficients (one per input, then the intercept) for pairs and omissions."""

    pair: tuple[float, ...]
    omission: tuple[float, ...]

    def confidences(self, scorer: BeadScorer, cells: Sequence[Cell],
                    margins: Sequence[float] | None = None) -> list[float]:
        """P(right) of each bead of an alignment, given as its cells in order, with each bead's
        margin over its best rival (:func:`align.margins.bead_margins`; 0 when not given)."""
        xs = inputs(scorer, cells, margins)
        out = np.full(len(cells), 0.5)
        for paired in (True, False):
            idx = [q for q, c in enumerate(cells) if bool(c[0] and c[1]) == paired]
            coef = np.asarray(self.pair if paired else self.omission)
            if not idx or len(coef) != len(xs[idx[0]]) + 1:  # another feature set: no information
                continue
            z = np.stack([xs[q] for q in idx]) @ coef[:-1] + coef[-1]
            out[idx] = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        return [float(p) for p in out]

    def probability(self, x: np.ndarray, paired: bool) -> float:
        coef = np.asarray(self.pair if paired else self.omission)
        if len(coef) != len(x) + 1:  # coefficients for another feature set: no information
            return 0.5
        z = float(x @ coef[:-1] + coef[-1])
        return float(1 / (1 + np.exp(-np.clip(z, -30, 30))))


def inputs(scorer: BeadScorer, cells: Sequence[Cell],
           margins: Sequence[float] | None = None) -> list[np.ndarray]:
    """The calibration inputs of each bead (see PAIR_INPUTS / OMISSION_INPUTS), the beads of
    one shape at a time (a Python call per bead cost ~0.3 ms a sentence on tiny paragraphs)."""
    if not cells:
        return []
    A, B, I, J = (np.array(x, dtype=np.int64) for x in zip(*cells))
    k = len(cells)
    omit, merge = (~((A > 0) & (B > 0))).astype(float), (A + B > 2).astype(float)
    context = np.zeros((k, 2))
    for x, col in ((omit, 0), (merge, 1)):
        context[1:, col] += x[:-1]
        context[:-1, col] += x[1:]
    context /= 2
    marg = np.asarray(margins if margins is not None else np.zeros(k), dtype=np.float64)
    tail = np.column_stack([context, np.clip(marg, -1.0, 1.0), np.log1p(10 * np.maximum(marg, 0.0))])
    out: list[np.ndarray] = [np.zeros(0)] * k
    for a, b in sorted(set(zip(A.tolist(), B.tolist()))):
        idx = np.flatnonzero((A == a) & (B == b))
        if a and b:
            X = scorer.cell_features(a, b, I[idx], J[idx], pairs=True)
            s = X @ scorer.w[: scorer.n_bead]
            own = np.column_stack([X[:, : len(FEATURES)], np.full(len(idx), float(a == b == 1)),
                                   np.full(len(idx), float(a + b)),
                                   grow_many(scorer, a, b, I[idx], J[idx])])
        else:
            own = scorer.skip_feats_src[I[idx] - 1] if a else scorer.skip_feats_tgt[J[idx] - 1]
            s = own @ scorer.w[scorer.n_bead :]
        rows = np.column_stack([s, own, tail[idx]])
        for q, row in zip(idx.tolist(), rows):
            out[q] = row
    return out


def margin_inputs(margin: float) -> list[float]:
    """A bead's margin over its best rival as calibration inputs: clipped to [-1, 1] and, as
    log(1 + 10 x margin) for a positive one, so small margins (coin tosses) are told apart
    while large ones saturate. On the development genres (seeds 201/202 fitted, seed 13
    scored) the margin lifts the wrong beads caught among the least confident 10%: news
    57 -> 61%, general 68 -> 81%, reviews 67 -> 83%, Text+Berg 29 -> 44%."""
    return [float(np.clip(margin, -1.0, 1.0)), float(np.log1p(10 * max(margin, 0.0)))]


def grow(scorer: BeadScorer, a: int, b: int, i: int, j: int) -> float:
    """How much closer (span cosine, over the scorer's sigma) the bead of ``a`` source and ``b``
    target sentences ending at ``(i, j)`` gets with one more sentence before or after it on
    either side, within the span lengths embedded; 0 when no such bead is closer."""
    S, T = scorer.S, scorer.T
    own = float(S[a - 1][i - a] @ T[b - 1][j - b])
    best = own
    if a < len(S):  # one more source sentence, before or after
        for start in (i - a - 1, i - a):
            if 0 <= start and start + a + 1 <= scorer.n:
                best = max(best, float(S[a][start] @ T[b - 1][j - b]))
    if b < len(T):
        for start in (j - b - 1, j - b):
            if 0 <= start and start + b + 1 <= scorer.m:
                best = max(best, float(S[a - 1][i - a] @ T[b][start]))
    return (best - own) / scorer.sigma


def grow_many(scorer: BeadScorer, a: int, b: int, I: np.ndarray, J: np.ndarray) -> np.ndarray:
    """:func:`grow` of the beads (a, b) ending at the cells (I[k], J[k])."""
    own = scorer.pair_dot(a - 1, I - a, b - 1, J - b)
    best = own.copy()
    if a < len(scorer.S):  # one more source sentence, before or after
        for start in (I - a - 1, I - a):
            ok = (start >= 0) & (start + a + 1 <= scorer.n)
            if ok.any():
                best[ok] = np.maximum(best[ok], scorer.pair_dot(a, start[ok], b - 1, (J - b)[ok]))
    if b < len(scorer.T):
        for start in (J - b - 1, J - b):
            ok = (start >= 0) & (start + b + 1 <= scorer.m)
            if ok.any():
                best[ok] = np.maximum(best[ok], scorer.pair_dot(a - 1, (I - a)[ok], b, start[ok]))
    out: np.ndarray = (best.astype(np.float64) - own.astype(np.float64)) / scorer.sigma
    return out


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0,
                 weight: np.ndarray | None = None) -> tuple[float, ...]:
    """Coefficients (then intercept) of an L2-regularised logistic regression, Newton's method;
    ``weight`` (one per row, default 1) lets each genre of the data count alike.

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> fit_logistic(X, y, l2=0.1)[0] > 0
    True
    """
    A = np.concatenate([X, np.ones((len(X), 1))], axis=1)
    reg = l2 * np.eye(A.shape[1])
    reg[-1, -1] = 0.0  # the intercept is not shrunk
    w = np.zeros(A.shape[1])
    r = np.ones(len(X)) if weight is None else np.asarray(weight, dtype=np.float64)
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(A @ w, -30, 30)))
        g = A.T @ (r * (y - p)) - reg @ w
        H = (A * (r * p * (1 - p))[:, None]).T @ A + reg + 1e-9 * np.eye(A.shape[1])
        step = np.linalg.solve(H, g)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(round(float(c), 4) for c in w)


# Fitted by bench/calibrate_align.py on the development genres, each weighted alike (see there),
# with the margins; two-fold check there: beads at 0.8-0.9 right 0.837, 0.9-0.95 0.922,
# 0.95-0.99 0.976, >= 0.99 0.996; at >= 0.9 (fitted on all) 0.985.
DEFAULT_CALIBRATION = Calibration(
    pair=(1.8253, 0.9119, 1.1636, -0.413, 2.8844, 1.1501, 0.914, 1.455, 0.5276, -0.0821, -0.726,
          -0.8914, -1.9366, 0.0381, -0.2948, 0.2665, 1.9564, -2.4723),
    omission=(0.1355, 0.4382, -0.4382, 0.4239, 1.0891, -2.4904, -0.6092, 0.7874, -1.3374, 1.4918,
              -0.4621, 0.6421, 1.9756, 1.2966))
