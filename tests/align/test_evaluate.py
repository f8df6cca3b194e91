"""Strict/lax precision, recall and F1 on small hand-made ladders, counted by hand."""

from __future__ import annotations

import pytest

from align.evaluate import score
from align.formats import parse_ladder


def lad(text: str) -> list:
    return parse_ladder(text.replace(";", "\n"))


GOLD = lad("[0]:[0];[1]:[1, 2];[2, 3]:[3];[]:[4];[4]:[5]")


def test_perfect_alignment_scores_one() -> None:
    s = score([GOLD], [GOLD])
    assert (s.strict.precision, s.strict.recall, s.strict.f1) == (1.0, 1.0, 1.0)
    assert (s.lax.precision, s.lax.recall, s.lax.f1) == (1.0, 1.0, 1.0)


def test_split_bead_is_strictly_wrong_but_laxly_right() -> None:
    # test splits gold [1]:[1, 2] into [1]:[1] + []:[2]
    test = lad("[0]:[0];[1]:[1];[]:[2];[2, 3]:[3];[]:[4];[4]:[5]")
    s = score([GOLD], [test])
    # precision over 6 non-empty test beads: strict hits [0]:[0], [2,3]:[3], []:[4], [4]:[5] = 4;
    # lax: [1]:[1] overlaps gold, []:[2] has no source so it is a lax miss -> 5/6
    assert s.strict.precision == pytest.approx(4 / 6)
    assert s.lax.precision == pytest.approx(5 / 6)
    # recall over 4 paired gold beads against 4 paired test beads: strict 3/4, lax 4/4
    assert s.strict.recall == pytest.approx(3 / 4)
    assert s.lax.recall == pytest.approx(1.0)
    p, r = 4 / 6, 3 / 4
    assert s.strict.f1 == pytest.approx(2 * p * r / (p + r))


def test_deletions_count_for_precision_only() -> None:
    # an extra deletion in the test: hurts precision, not recall
    gold = lad("[0]:[0];[1]:[1]")
    test = lad("[0]:[0];[1]:[];[]:[1]")
    s = score([gold], [test])
    assert s.strict.precision == pytest.approx(1 / 3)
    assert s.strict.recall == pytest.approx(1 / 2)
    assert s.lax.precision == pytest.approx(1 / 3)
    assert s.lax.recall == pytest.approx(1 / 2)


def test_micro_average_over_documents() -> None:
    gold = [lad("[0]:[0]"), lad("[0]:[0];[1]:[1];[2]:[2]")]
    test = [lad("[0]:[0]"), lad("[0]:[0];[1, 2]:[1, 2]")]
    s = score(gold, test)
    # precision: hits 1 + 1 of 1 + 2 beads; recall: 1 + 1 of 1 + 3 gold beads
    assert s.strict.precision == pytest.approx(2 / 3)
    assert s.strict.recall == pytest.approx(2 / 4)
    assert s.lax.precision == pytest.approx(1.0)
    assert s.lax.recall == pytest.approx(1.0)


def test_empty_beads_are_ignored_and_nothing_scores_zero() -> None:
    s = score([lad("[0]:[0]")], [lad("[]:[]")])
    assert s.strict.precision == 0.0 and s.strict.f1 == 0.0


def test_document_count_must_match() -> None:
    with pytest.raises(ValueError, match="1 gold alignments but 2 test"):
        score([GOLD], [GOLD, GOLD])
