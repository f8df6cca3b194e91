"""A semantic neighbour's similarity: the cosine of the query and unit vectors, calibrated.

Raw cosines mean little to a reader (0.45 can be a good neighbour for one encoder and noise for
another), so a hit shows ``similarity`` = P(the unit says what the query says | cosine), a
logistic curve fitted by ``bench/calibrate.py`` on WMT23 units: positives are the units that
queries (whole sentences as stored, damaged or reordered, and fragments of 4-7 words, in
either language) came from, negatives the other neighbours the index returned for them. It is shown apart from the CAT
match %, which it is not.
"""

from __future__ import annotations

import math

# fitted by `python bench/calibrate.py` (use-m3 unit vectors, int8): slope, intercept per language
CALIBRATION: dict[str, tuple[float, float]] = {"en": (12.70, -8.87), "ru": (13.43, -9.23)}


MEANING: tuple[tuple[float, str], ...] = (
    (0.8, "same meaning"), (0.5, "similar meaning"), (0.1, "related meaning"),
    (-math.inf, "loosely related"))
"""A similarity in words, the same in the CLI and the desk: a bare 0.01 would read as "not
similar" for the nearest unit there is (the bands follow the calibration: at 0.5 the unit is
as likely as not to say what the query says)."""


def meaning(similarity: float | None) -> str:
    """``similarity`` in words (:data:`MEANING`); "similar meaning" when there is none."""
    if similarity is None:
        return "similar meaning"
    return next(words for low, words in MEANING if similarity >= low)


def calibrated(cos: float, lang: str) -> float:
    """The similarity (0-1, two decimals) of a neighbour at cosine ``cos`` for a ``lang`` query."""
    a, b = CALIBRATION.get(lang[:2], CALIBRATION["en"])
    return round(1.0 / (1.0 + math.exp(-(a * cos + b))), 2)


def fit_logistic(x: list[float], y: list[int], steps: int = 50) -> tuple[float, float]:
    """``(slope, intercept)`` of the logistic regression of ``y`` (0/1) on ``x`` (Newton)."""
    import numpy as np

    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = np.zeros(2)
    design = np.stack([xs, np.ones_like(xs)], axis=1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        grad = design.T @ (ys - p) - 1e-3 * w
        hess = -(design.T * (p * (1 - p))) @ design - 1e-3 * np.eye(2)
        w = w - np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])
