"""Max-marginal margins (align/margins.py) against the DP run again without each bead."""

from __future__ import annotations

import numpy as np

from align.aligner import bead_cells, decode, prepare
from align.dp import NEG, Params, bead_types, by_rows, run_dp
from align.margins import RowMemo, bead_margins
from align.types import Bead

from .test_dp import HashEncoder

SRC = [f"sentence number {k} about topic {k % 5}" for k in range(14)]
TGT = [f"sentence number {k} about topic {k % 5}" for k in range(14) if k != 6] + ["an extra line"]


def _total(scorer, shapes, ends, row) -> float:  # type: ignore[no-untyped-def]
    s = 0.0
    for (a, b), (i, j) in zip(shapes, ends):
        s += (scorer.skip_src[i - 1] if b == 0 else scorer.skip_tgt[j - 1] if a == 0
              else float(row(a, b, i, np.array([j]))[0]))
    return s


def test_margin_is_the_loss_of_the_best_alignment_without_the_bead() -> None:
    params = Params()
    types = bead_types(params.max_side, params.max_total)
    scorer, lo, hi = prepare(SRC, TGT, HashEncoder(), None, None, params)
    memo = RowMemo(scorer.row)
    path = decode(scorer, lo, hi, params, memo)
    cells = [(a, b, i, j) for (a, b), (i, j) in path]
    margins = bead_margins(memo, lo, hi, types, scorer.skip_src, scorer.skip_tgt, cells)
    best = _total(scorer, [c[:2] for c in cells], [c[2:] for c in cells], scorer.row)
    assert min(margins) >= -1e-9
    for c, margin in zip(cells, margins):
        if not (c[0] and c[1]):
            continue

        def without(a: int, b: int, i: int, J: np.ndarray, c: tuple[int, ...] = c) -> np.ndarray:
            out = scorer.row(a, b, i, J)
            return np.where(J == c[3], NEG, out) if (a, b, i) == c[:3] else out

        res = run_dp(scorer.n, scorer.m, lo, hi, types, by_rows(without), scorer.skip_src,
                     scorer.skip_tgt)
        # float32 span products: a row scored whole and one cell alone differ in the 8th digit
        assert abs(best - _total(scorer, res.shapes, res.ends, scorer.row) - margin) < 1e-6


def test_a_bead_off_the_best_path_has_a_negative_margin() -> None:
    params = Params()
    types = bead_types(params.max_side, params.max_total)
    scorer, lo, hi = prepare(SRC, TGT, HashEncoder(), None, None, params)
    memo = RowMemo(scorer.row)
    beads = [Bead(tuple(range(i - a, i)), tuple(range(j - b, j)))
             for (a, b), (i, j) in decode(scorer, lo, hi, params, memo)]
    assert ((0,), (0,)) in {(b.src, b.tgt) for b in beads}
    worse = [Bead((0, 1), (0, 1))] + [b for b in beads if b.src[:1] not in ((0,), (1,))]
    worse = [b for b in worse if not set(b.tgt) & {0, 1} or b.src[:1] == (0,)]
    cells = bead_cells(worse)
    got = bead_margins(memo, lo, hi, types, scorer.skip_src, scorer.skip_tgt, cells)
    assert got[0] < 0


def test_margins_from_the_dps_kept_scores_equal_those_of_rows_scored_again() -> None:
    """The DP hands its band's scores to the memo in flat chunks (RowMemo.keep); a memo without
    them scores every row again (RowMemo.band): the same margins, up to float32 products."""
    params = Params()
    types = bead_types(params.max_side, params.max_total)
    scorer, lo, hi = prepare(SRC * 3, TGT * 3, HashEncoder(), None, None, params)
    kept = RowMemo(scorer.row)
    cells = [(a, b, i, j) for (a, b), (i, j) in decode(scorer, lo, hi, params, kept)]
    assert kept.flat  # the DP's scores were kept, so the first call below reads them
    got = bead_margins(kept, lo, hi, types, scorer.skip_src, scorer.skip_tgt, cells)
    again = bead_margins(RowMemo(scorer.row), lo, hi, types, scorer.skip_src, scorer.skip_tgt,
                         cells)
    assert len(got) == len(cells) and max(got) > 0
    assert np.allclose(got, again, atol=1e-5)


def test_a_left_out_sentences_margin_is_the_loss_of_the_best_alignment_that_keeps_it() -> None:
    """A left-out sentence is one bead wherever the path leaves it out, so its margin is the
    loss of the best alignment that pairs it, for every one of a run (the DP run again with that
    sentence's skip forbidden); each run here has several on one side."""
    params = Params()
    types = bead_types(params.max_side, params.max_total)
    src = SRC[:10] + ["alpha beta gamma", "delta epsilon"] + SRC[10:]
    tgt = TGT[:4] + ["an extra line", "one more extra", "and a third one"] + TGT[4:]
    scorer, lo, hi = prepare(src, tgt, HashEncoder(), None, None, params)
    memo = RowMemo(scorer.row)
    cells = [(a, b, i, j) for (a, b), (i, j) in decode(scorer, lo, hi, params, memo)]
    margins = bead_margins(memo, lo, hi, types, scorer.skip_src, scorer.skip_tgt, cells)
    best = _total(scorer, [c[:2] for c in cells], [c[2:] for c in cells], scorer.row)
    left_out = [(c, x) for c, x in zip(cells, margins) if not (c[0] and c[1])]
    assert sum(c[0] == 0 for c, _ in left_out) >= 2 and sum(c[1] == 0 for c, _ in left_out) >= 2
    for (a, b, i, j), margin in left_out:
        skip_src, skip_tgt = scorer.skip_src.copy(), scorer.skip_tgt.copy()
        if a:  # not NEG: the DP sums skips along a row, and NEG would swamp the others
            skip_src[i - 1] = -1e3
        else:
            skip_tgt[j - 1] = -1e3
        res = run_dp(scorer.n, scorer.m, lo, hi, types, by_rows(scorer.row), skip_src, skip_tgt)
        kept = _total(scorer, res.shapes, res.ends, scorer.row)
        assert margin > 0 and abs(best - kept - margin) < 1e-6
