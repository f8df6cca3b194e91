"""Strict and lax precision, recall and F1 of test alignments against gold ladders.

The metric of Vecalign's ``score.py`` and Bertalign's ``eval.py`` (after Sennrich and Volk 2011),
micro-averaged over documents:

- precision looks at every non-empty test bead, omissions (one side empty) included: it is
  strictly right when the gold holds the very same bead, laxly right when it shares a source
  sentence with a gold bead whose target side overlaps the test bead's target side;
- recall swaps the roles of gold and test and ignores omissions on both sides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from align.types import Bead

__all__ = ["PRF", "Scores", "score"]


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 (0.0 when undefined)."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Scores:
    """Strict (exact bead match) and lax (overlap) scores."""

    strict: PRF
    lax: PRF


def _counts(gold: Sequence[Bead], test: Sequence[Bead]) -> tuple[int, int, int, int]:
    """(strict hits, strict misses, lax hits, lax misses) of the test beads against gold."""
    gold_set = {(b.src, b.tgt) for b in gold if b.src or b.tgt}
    test_set = {(b.src, b.tgt) for b in test if b.src or b.tgt}
    tgt_of_src: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for i in src:
            tgt_of_src[i].update(tgt)
    strict_hit = strict_miss = lax_hit = lax_miss = 0
    for src, tgt in test_set:
        if (src, tgt) in gold_set:
            strict_hit += 1
            lax_hit += 1
            continue
        strict_miss += 1
        linked = set().union(*(tgt_of_src[i] for i in src)) if src else set()
        if linked.intersection(tgt):
            lax_hit += 1
        else:
            lax_miss += 1
    return strict_hit, strict_miss, lax_hit, lax_miss


def _ratio(hit: int, miss: int) -> float:
    return hit / (hit + miss) if hit + miss else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: Sequence[Sequence[Bead]], test: Sequence[Sequence[Bead]]) -> Scores:
    """Score one test alignment per gold alignment (documents in the same order).

    >>> g = [[Bead((0,), (0,)), Bead((1,), (1, 2))]]
    >>> score(g, [[Bead((0,), (0,)), Bead((1,), (1,)), Bead((), (2,))]]).strict.precision
    0.3333333333333333
    """
    if len(gold) != len(test):
        raise ValueError(f"{len(gold)} gold alignments but {len(test)} test alignments")
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for g, t in zip(gold, test):
        for k, v in enumerate(_counts(g, t)):
            p[k] += v
        paired_g = [b for b in g if b.src and b.tgt]
        paired_t = [b for b in t if b.src and b.tgt]
        for k, v in enumerate(_counts(paired_t, paired_g)):
            r[k] += v
    ps, pl = _ratio(p[0], p[1]), _ratio(p[2], p[3])
    rs, rl = _ratio(r[0], r[1]), _ratio(r[2], r[3])
    return Scores(PRF(ps, rs, _f1(ps, rs)), PRF(pl, rl, _f1(pl, rl)))
