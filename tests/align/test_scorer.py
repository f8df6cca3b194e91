"""The scorer's cosine scale: the anchored pairs' median, computed without loading numpy.ma."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
import numpy as np
from align.scorer import BeadScorer

rng = np.random.default_rng(1)
src = rng.standard_normal((40, 8)).astype(np.float32)
tgt = src[:30] + rng.standard_normal((30, 8)).astype(np.float32)  # anchored pairs: related
anchors = [(i, i) for i in range(1, {n} + 1)]
mu, sigma = BeadScorer.scale(src, tgt, anchors)
assert "numpy.ma" not in sys.modules, "np.median (numpy.ma) is back on the align path"
idx = np.array(anchors) - 1
top = float(np.median(np.einsum("ij,ij->i", src[idx[:, 0]], tgt[idx[:, 1]])))
assert top - mu > 1 and sigma == top - mu, (sigma, top, mu)
"""


@pytest.mark.parametrize("n", [1, 2, 7, 8])
def test_scale_is_the_median_without_numpy_ma(n: int) -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(n=n)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr


def test_a_lead_in_ending_in_a_colon_is_glue() -> None:
    from align.scorer import _glued

    text = ["Literatur :", "Guido Magnone : La Tour de Mustagh .", "Neuer Absatz .", "Noch einer ."]
    assert _glued(text).tolist() == [0, 0, 1, 1, 1]  # only the boundary after "Literatur :"
