"""tm.search.similarity: a calibrated 0-1 similarity from a cosine."""

from __future__ import annotations

import random

from tm.search.similarity import calibrated, fit_logistic


def test_calibrated_is_monotone_and_bounded() -> None:
    values = [calibrated(c / 20, "en") for c in range(-20, 21)]
    assert values == sorted(values)
    assert values[0] == 0.0 and values[-1] > 0.9
    assert 0.0 < calibrated(0.76, "ru") < 1.0


def test_fit_logistic_recovers_a_known_curve() -> None:
    import math

    rng = random.Random(0)
    x = [rng.uniform(0, 1) for _ in range(4000)]
    y = [int(rng.random() < 1 / (1 + math.exp(-(10 * v - 6)))) for v in x]
    a, b = fit_logistic(x, y)
    assert abs(a - 10) < 1.5 and abs(b + 6) < 1.0
