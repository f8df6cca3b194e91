"""The scorer's cosine scale (the anchored pairs' median, computed without loading numpy.ma) and
its band scores (all rows at once) against its row-by-row features."""

from __future__ import annotations

import subprocess
import sys
import zlib

import numpy as np
import pytest

from align.scorer import BeadScorer


class HashEncoder:
    """A pseudo-random unit vector per distinct text (no model), as in test_dp."""

    name = "hash"
    dim = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(self.dim)
                for t in texts]
        x = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

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


def _prepared(n: int, m: int, seed: int, paragraphs: bool) -> tuple[object, np.ndarray, np.ndarray]:
    from align.aligner import prepare
    from align.dp import Params

    rng = np.random.default_rng(seed)
    words = ["storm", "Osh", "42", "the", "road", "bridge,", "said", "river"]
    src = [" ".join(rng.choice(words, rng.integers(1, 6))) for _ in range(n)]
    tgt = [" ".join(rng.choice(words, rng.integers(1, 6))) for _ in range(m)]
    sp = [i // 3 for i in range(n)] if paragraphs else None
    tp = [j // 2 for j in range(m)] if paragraphs else None
    return prepare(src, tgt, HashEncoder(), sp, tp, Params())


@pytest.mark.parametrize(("n", "m", "seed", "paragraphs"),
                         [(1, 1, 0, False), (3, 9, 1, True), (30, 22, 2, True), (57, 61, 3, False)])
def test_band_cells_score_as_rows(n: int, m: int, seed: int, paragraphs: bool) -> None:
    """The DP asks the scorer for many rows of the band at once (BeadScorer.cells, products of
    span blocks); every cell of every bead shape scores what the row-by-row features give."""
    from align.dp import Params, bead_types

    scorer, lo, hi = _prepared(n, m, seed, paragraphs)
    assert isinstance(scorer, BeadScorer)
    for a, b in bead_types(Params().max_side, Params().max_total):
        if not (a and b):
            continue
        cells = [(i, j) for i in range(a, n + 1) for j in range(max(lo[i], b), hi[i] + 1)]
        if not cells:
            continue
        I, J = (np.array(c) for c in zip(*cells))
        by_cell = scorer.cell_features(a, b, I, J)
        by_row = np.concatenate([scorer.features(a, b, i, J[I == i]) for i in np.unique(I)])
        np.testing.assert_allclose(by_cell, by_row, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(scorer.cells(a, b, I, J),
                                   np.concatenate([scorer.row(a, b, i, J[I == i])
                                                   for i in np.unique(I)]), rtol=1e-5, atol=1e-5)


def test_a_lead_in_ending_in_a_colon_is_glue() -> None:
    from align.scorer import _glued

    text = ["Literatur :", "Guido Magnone : La Tour de Mustagh .", "Neuer Absatz .", "Noch einer ."]
    assert _glued(text).tolist() == [0, 0, 1, 1, 1]  # only the boundary after "Literatur :"
