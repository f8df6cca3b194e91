"""Named scorer weights, the confidence calibration and the omission evidence features."""

from __future__ import annotations

import numpy as np
import pytest

from align.aligner import align_sentences, prepare
from align.calibrate import (
    DEFAULT_CALIBRATION,
    OMISSION_INPUTS,
    PAIR_INPUTS,
    Calibration,
    fit_logistic,
    inputs,
)
from align.dp import Params, bead_types
from align.weights import DEFAULT_WEIGHTS, FEATURES, SKIP_FEATURES, SkipFeature

from .test_dp import HashEncoder

SHAPES = [t for t in bead_types(4, 5) if t[0] and t[1]]


def test_weights_vector_round_trip_and_named_changes() -> None:
    v = DEFAULT_WEIGHTS.vector(SHAPES)
    assert len(v) == len(FEATURES) + len(SHAPES) + len(SKIP_FEATURES)
    assert v[FEATURES.index("gain")] == DEFAULT_WEIGHTS.gain
    back = type(DEFAULT_WEIGHTS).from_vector(v, SHAPES)
    assert np.allclose(back.vector(SHAPES), v)
    cheaper = DEFAULT_WEIGHTS.replace(skip_src=0.0)
    assert cheaper.skip_src == 0.0 and DEFAULT_WEIGHTS.skip_src != 0.0  # frozen: a copy


def test_weights_change_the_alignment_without_patching() -> None:
    src = [f"line {k}" for k in range(12)]
    tgt = [f"line {k}" for k in range(12) if k != 5]
    enc = HashEncoder()
    plain = align_sentences(src, tgt, enc)
    assert ((5,), ()) in {(b.src, b.tgt) for b in plain}
    # leaving out costs too much, and no glued sentence is detached afterwards (align/refine.py)
    costly = DEFAULT_WEIGHTS.replace(skip_src=-5.0, skip_tgt=-5.0, detach_margin=2.0)
    glued = align_sentences(src, tgt, enc, weights=costly)
    assert all(b.src and b.tgt for b in glued)
    assert align_sentences(src, tgt, enc) == plain  # nothing global changed


def test_fit_logistic_recovers_a_known_model() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 2))
    p = 1 / (1 + np.exp(-(2.0 * X[:, 0] - 1.0 * X[:, 1] + 0.5)))
    y = (rng.random(4000) < p).astype(float)
    coef = fit_logistic(X, y, l2=0.01)
    assert coef == pytest.approx((2.0, -1.0, 0.5), abs=0.25)


def test_confidence_is_a_probability_that_follows_the_evidence() -> None:
    src = [f"sentence {k}" for k in range(20)]
    scorer, _, _ = prepare(src, src, HashEncoder(), None, None, Params())
    n_pair, n_omit = len(PAIR_INPUTS) - 1, len(OMISSION_INPUTS) - 1  # inputs after the score
    cal = Calibration(pair=(1.0,) + (0.0,) * n_pair + (0.0,), omission=(0.0,) * (n_omit + 1) + (-1.0,))
    right, wrong, gap = cal.confidences(scorer, [(1, 1, 3, 3), (1, 1, 4, 9), (1, 0, 5, 9)])
    assert 0.0 < wrong < right < 1.0
    assert gap == pytest.approx(1 / (1 + np.e))
    # coefficients for another feature set carry no information
    assert Calibration(pair=(1.0,), omission=()).confidences(scorer, [(1, 1, 3, 3)]) == [0.5]
    beads = align_sentences(src, src, HashEncoder(), calibration=DEFAULT_CALIBRATION)
    assert all(0.0 <= b.score <= 1.0 for b in beads)


def test_numbers_the_other_side_lacks_are_evidence_of_an_addition() -> None:
    src = ["Alpha one.", "It cost 4712 roubles in 1998.", "Beta two.", "Gamma three."]
    tgt = ["Alpha one.", "Beta two.", "Gamma three.", "Costs rose 880 percent."]
    scorer, _, _ = prepare(src, tgt, HashEncoder(), None, None, Params())
    orphan, found = SkipFeature.ORPHAN, SkipFeature.FOUND
    assert scorer.skip_feats_src[1, orphan] == pytest.approx(2 / 3)  # 4712 and 1998
    assert scorer.skip_feats_src[0, orphan] == 0.0  # no numbers, no evidence
    src2 = ["Alpha one.", "It cost 880 roubles.", "Beta two."]
    scorer2, _, _ = prepare(src2, tgt[:2] + ["880 percent."], HashEncoder(), None, None, Params())
    assert scorer2.skip_feats_src[1, found] == pytest.approx(1 / 3)
    assert scorer2.skip_feats_src[1, orphan] == 0.0


def test_relatedness_tells_an_edition_from_another_story_and_abstains_when_short() -> None:
    from align.aligner import UNRELATED_BELOW, relatedness

    class Spread(HashEncoder):
        dim = 256  # random texts far apart, as with a real encoder
        spread = 0.6

    story = [f"sentence number {k} of the story" for k in range(12)]
    assert relatedness(story, story, Spread()) > 1.0  # an edition: far above random pairs
    other = [f"unrelated line {k * 7} about something else" for k in range(12)]
    assert relatedness(story, other, Spread()) < UNRELATED_BELOW
    assert relatedness(story[:4], story[:4], Spread()) is None  # too few sentences to tell
    assert relatedness(story, story, HashEncoder()) is None  # the encoder states no spread


def test_grow_marks_a_bead_that_is_part_of_a_larger_one() -> None:
    """A 1-1 bead whose target sentence holds only half of what the source says gets closer
    with the next target sentence: its grow is positive; a whole 1-1 pair does not grow."""
    import numpy as np

    from align.calibrate import grow

    class Bag:
        name, dim = "bag", 4
        words = ("sun", "rain", "wind", "snow")

        def encode(self, texts: list[str]) -> np.ndarray:
            x = np.array([[t.split().count(w) + 1e-3 for w in self.words] for t in texts], np.float32)
            return x / np.linalg.norm(x, axis=1, keepdims=True)

    src, tgt = ["sun rain", "wind", "snow"], ["sun", "rain", "wind", "snow"]
    scorer, _, _ = prepare(src, tgt, Bag(), None, None, Params())  # type: ignore[arg-type]
    assert grow(scorer, 1, 1, 1, 1) > 0.1  # "sun rain" ~ "sun": "sun rain" ~ "sun rain" is closer
    assert grow(scorer, 1, 1, 3, 4) == 0.0  # "snow" ~ "snow" is whole


def test_inputs_of_many_beads_at_once_equal_those_of_one_bead_at_a_time() -> None:
    """calibrate.inputs reads the beads of one shape at a time; each bead's scorer features
    (also of a bead outside the DP band) and grow are those of the one-bead functions."""
    from align.calibrate import grow, shrink

    src = [f"sentence {k} about {k % 4}" for k in range(40)]
    tgt = [f"sentence {k} about {k % 4}" for k in range(40) if k != 7]
    scorer, _, _ = prepare(src, tgt, HashEncoder(), None, None, Params())
    cells = [(1, 1, 3, 3), (2, 1, 9, 8), (1, 2, 12, 12), (1, 0, 13, 12), (0, 1, 13, 13),
             (3, 2, 35, 12), (1, 1, 40, 39)]  # (3, 2, 35, 12): far outside the band
    xs = inputs(scorer, cells, [0.5, -0.2, 0.0, 1.0, 0.1, 0.0, 2.0])
    k = len(FEATURES)
    for (a, b, i, j), x in zip(cells, xs):
        v = scorer.bead_vector(a, b, i, j)
        assert x[0] == pytest.approx(float(v @ scorer.w), abs=1e-5)
        if a and b:
            assert len(x) == len(PAIR_INPUTS)
            assert np.allclose(x[1 : k + 1], v[:k], atol=1e-5)
            assert x[k + 3] == pytest.approx(grow(scorer, a, b, i, j), abs=1e-5)
            assert x[PAIR_INPUTS.index("shrink")] == pytest.approx(shrink(scorer, a, b, i, j),
                                                                   abs=1e-5)
        else:
            assert len(x) == len(OMISSION_INPUTS)
            assert np.allclose(x[1 : 1 + len(SKIP_FEATURES)], v[scorer.n_bead :])
    at = OMISSION_INPUTS.index("omission_next")
    assert xs[3][at : at + 2].tolist() == [0.5, 0.5]  # neighbours: an omission (0-1), a 1-2 merge


def test_beads_an_anchor_crosses_and_glued_parts_are_inputs_of_the_confidence() -> None:
    src = ["Alpha one went home.", "It cost 4712 roubles.", "Beta two stayed."]
    tgt = ["Alpha one went home.", "It cost", "4712 roubles. Beta two stayed."]
    scorer, _, _ = prepare(src, tgt, HashEncoder(), None, None, Params())
    cells = [(1, 1, 1, 1), (1, 1, 2, 2), (1, 1, 3, 3)]
    xs = inputs(scorer, cells)
    crossed = PAIR_INPUTS.index("crossed")
    # 4712 of the second bead's source sits in the third bead's target: cut elsewhere
    assert [x[crossed] for x in xs] == [0.0, 1.0, 1.0]
    lo, hi = PAIR_INPUTS.index("chars_min"), PAIR_INPUTS.index("chars_max")
    assert xs[1][lo] == pytest.approx(np.log1p(len("It cost")))
    assert xs[1][hi] == pytest.approx(np.log1p(len(src[1])))
    # a 1-2 bead whose second target sentence is another one's: the part alone is closer
    same = ["Alpha one went home.", "Gamma three left early.", "Beta two stayed."]
    scorer, _, _ = prepare(same, same, HashEncoder(), None, None, Params())
    glued = inputs(scorer, [(1, 1, 1, 1), (1, 2, 2, 3)])[1]
    assert glued[PAIR_INPUTS.index("shrink")] > 0
    assert len(glued) == len(PAIR_INPUTS)
    omitted = inputs(scorer, [(1, 0, 1, 0)])[0]
    assert len(omitted) == len(OMISSION_INPUTS)


def test_a_bead_cut_out_of_a_larger_one_shows_its_seam() -> None:
    """seam_inputs: a paired bead whose first sentence goes on from the one before (lower case)
    is glued at its start; one whose source goes on in a left-out neighbour joins it (the merge
    is closer than the bead), while a whole translation joins nothing."""
    from align.calibrate import seam_inputs

    src = ["Alpha beta gamma.", "Delta epsilon zeta.", "and eta theta iota.", "Kappa lambda mu.",
           "Nu xi omicron.", "Pi rho sigma."]
    tgt = ["Alpha beta gamma.", "Delta epsilon zeta and eta theta iota.", "Kappa lambda mu.",
           "Nu xi omicron.", "Pi rho sigma."]
    scorer, _, _ = prepare(src, tgt, HashEncoder(), None, None, Params())
    cells = [(1, 1, 1, 1), (1, 1, 2, 2), (1, 0, 3, 2), (1, 1, 4, 3), (1, 1, 5, 4), (1, 1, 6, 5)]
    glued, join = seam_inputs(scorer, cells).T
    assert glued.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]  # "and eta" goes on from "Delta"
    assert join[1] > 0.1  # "Delta ...": "Delta ... and eta ..." is closer with the left-out part
    assert join[4] == pytest.approx(0.0, abs=1e-5)  # "Nu xi omicron." is whole: no merge is closer
    x = inputs(scorer, cells)[1]
    assert x[PAIR_INPUTS.index("join")] == join[1]
