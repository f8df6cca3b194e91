"""tm.drafts.fill: every segment that is not a 100% match says so; amounts are repaired."""

from __future__ import annotations

from tm.drafts.fill import fill


def test_a_100_percent_match_is_used_as_it_stands_unmarked() -> None:
    f = fill("Prices rose.", "en", source="Prices rose.", target="Цены выросли.", match=100,
             kind="exact", min_fill=75)
    assert f.text == "Цены выросли." and not f.marked and f.marker() == ""


def test_a_changed_amount_is_repaired_and_the_segment_stays_marked() -> None:
    f = fill("The project cost $52.5 million.", "en", source="The project cost $48.5 million.",
             target="Проект стоил 48,5 млн долл.", match=98, kind="fuzzy", min_fill=75)
    assert f.text == "Проект стоил 52,5 млн долл."
    assert f.marked and f.marker() == "[98% fuzzy, numbers repaired]"
    assert f.repaired == (("48,5 млн", "52,5 млн"),)


def test_an_amount_that_cannot_be_placed_is_named_in_the_marker() -> None:
    f = fill("Sales rose 7%.", "en", source="Sales rose 5%.", target="Продажи выросли на 6%.",
             match=98, kind="fuzzy", min_fill=75)
    assert f.text == "Продажи выросли на 6%." and "check numbers: 7" in f.marker()


def test_unfilled_segments_are_marked() -> None:
    none = fill("Who knows?", "en", source=None, target=None, match=0, kind=None, min_fill=75)
    assert none.text == "Who knows?" and none.marker() == "[no match]"
    weak = fill("Prices fell.", "en", source="Prices rose sharply.", target="Цены резко выросли.",
                match=60, kind="fuzzy", min_fill=75)
    assert weak.text == "Prices fell." and weak.marker() == "[60% not filled]"


def test_a_part_found_by_the_aligner_is_marked_even_at_100() -> None:
    f = fill("The dam was closed.", "en", source="The dam was closed.", target="дамбу закрыли",
             match=100, kind="exact", min_fill=75, part=True)
    assert f.marked and "whole longer unit" in f.marker()
