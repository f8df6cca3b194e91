"""tm.search.auto: the order of the default lookup."""

from __future__ import annotations

from dataclasses import dataclass

from tm.search.auto import arrange


@dataclass(frozen=True)
class U:
    id: int


@dataclass(frozen=True)
class H:
    unit: U
    match: int | None = None
    similarity: float | None = None


def ids(hits: list[H]) -> list[int]:
    return [h.unit.id for h in hits]


def test_verbatim_phrase_hits_rank_above_semantic_neighbours() -> None:
    out = arrange([], [H(U(5), 60)], [H(U(1))], [H(U(2), similarity=0.9), H(U(1), similarity=0.8)],
                  [H(U(3))], 10)
    assert ids(out) == [1, 5, 2, 3]


def test_exact_and_strong_fuzzy_come_first() -> None:
    out = arrange([H(U(9), 100)], [H(U(8), 80), H(U(7), 40)], [H(U(1))], [], [], 10)
    assert ids(out) == [9, 8, 1]  # a 40% fuzzy is noise


def test_a_weak_semantic_neighbour_is_shown_when_nothing_better_exists() -> None:
    weak = [H(U(4), similarity=0.01), H(U(6), similarity=0.0)]
    assert ids(arrange([], [H(U(7), 30)], [], weak, [], 10)) == [4]  # 0.00 is noise: not shown
    # ... and hidden behind real matches
    assert ids(arrange([], [H(U(7), 60)], [], weak, [], 10)) == [7]
    # ... and behind a unit that holds the query's words apart
    assert ids(arrange([], [], [], weak, [H(U(3))], 10)) == [3]


def test_nothing_but_noise_is_no_match() -> None:
    assert arrange([], [H(U(7), 30)], [], [H(U(6), similarity=0.0)], [], 10) == []


def test_limit_and_each_unit_once() -> None:
    out = arrange([H(U(1), 100)], [H(U(1), 100), H(U(2), 90)], [H(U(2)), H(U(3))], [], [], 2)
    assert ids(out) == [1, 2]
