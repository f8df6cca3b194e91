"""tm.text.numbers: amounts read across languages, and their repair in drafts."""

from __future__ import annotations

import pytest

from tm.text.numbers import amounts, format_number, only_amounts_differ, repair


@pytest.mark.parametrize(("text", "lang", "keys"), [
    ("The project cost $48.5 million.", "en", ["4.85e+07"]),
    ("Проект стоил 48,5 млн долл.", "ru", ["4.85e+07"]),
    ("more than 20,000 people", "en", ["20000"]),
    ("более 20 тысяч человек", "ru", ["20000"]),
    ("a £10m fund", "en", ["1e+07"]),
    ("1 500 руб. и 7,7 балла", "ru", ["1500", "7.7"]),
    ("on March 18, 2023", "en", ["date:03-18", "2023"]),
    ("on 18 March", "en", ["date:03-18"]),
    ("18 марта 2023 года", "ru", ["date:03-18", "2023"]),
])
def test_amounts_have_language_independent_keys(text: str, lang: str, keys: list[str]) -> None:
    assert [a.key for a in amounts(text, lang)] == keys


def test_amount_offsets_frame_the_text() -> None:
    text = "Он получил 15 млн лари 14 марта."
    for a in amounts(text, "ru"):
        assert text[a.start:a.stop] == a.text
        assert text[a.num_start:a.num_stop].isdigit()


@pytest.mark.parametrize(("value", "lang", "decimals", "grouped", "out"), [
    (1500, "ru", 0, True, "1500"), (1500, "ru", 0, False, "1500"), (52.5, "ru", 1, False, "52,5"),
    (1500, "en", 0, True, "1,500"), (2024, "en", 0, False, "2024"),
    (20500, "ru", 0, False, "20\u00a0500"), (1234567.5, "ru", 1, True, "1\u00a0234\u00a0567,5"),
])
def test_format_number(value: float, lang: str, decimals: int, grouped: bool, out: str) -> None:
    assert format_number(value, lang, decimals=decimals, grouped=grouped) == out


@pytest.mark.parametrize(("new", "old", "target", "lang", "expected"), [
    ("The project cost $52.5 million.", "The project cost $48.5 million.",
     "Проект стоил 48,5 млн долл.", "en", "Проект стоил 52,5 млн долл."),
    ("It got 20 million lari on March 18.", "It got 15 million lari on March 14.",
     "Он получил 15 млн лари 14 марта.", "en", "Он получил 20 млн лари 18 марта."),
    ("They paid 1,500 euros.", "They paid 1,200 euros.", "Они заплатили 1 200 евро.", "en",
     "Они заплатили 1500 евро."),  # Russian style: four digits solid
    ("They paid 12,500 euros.", "They paid 12,200 euros.", "Они заплатили 12200 евро.", "en",
     "Они заплатили 12\u00a0500 евро."),  # longer: a non-breaking space
    ("Проект стоил 52,5 млн долл. 18 марта.", "Проект стоил 48,5 млн долл. 14 марта.",
     "The project cost $48.5 million on March 14.", "ru",
     "The project cost $52.5 million on March 18."),
    ("Пришли 1 500 человек.", "Пришли 1 200 человек.", "1,200 people came.", "ru",
     "1,500 people came."),
    ("More than 30,000 people died.", "More than 20,000 people died.",
     "Погибли более 20 тысяч человек.", "en", "Погибли более 30 тысяч человек."),
])
def test_repair_rewrites_changed_amounts_in_target_conventions(
        new: str, old: str, target: str, lang: str, expected: str) -> None:
    fixed = repair(new, old, target, lang)
    assert fixed.text == expected
    assert fixed.complete and fixed.changed


def test_repair_reports_what_it_cannot_place() -> None:
    fixed = repair("Sales rose 7%.", "Sales rose 5%.", "Продажи выросли на 6%.", "en")
    assert fixed.text == "Продажи выросли на 6%." and not fixed.complete


def test_repair_leaves_an_unchanged_sentence_alone() -> None:
    fixed = repair("Sales rose 5%.", "Sales rose 5%.", "Продажи выросли на 5%.", "en")
    assert fixed.text == "Продажи выросли на 5%." and fixed.complete and not fixed.changed


def test_repair_refuses_when_the_amounts_do_not_pair() -> None:
    fixed = repair("Sales rose 5% and 7%.", "Sales rose 5%.", "Продажи выросли на 5%.", "en")
    assert not fixed.complete and fixed.text == "Продажи выросли на 5%."


def test_only_amounts_differ() -> None:
    assert only_amounts_differ("It cost $5 million on May 3.", "It cost $7 million on May 9.",
                               "en")
    assert not only_amounts_differ("It cost $5 million.", "It sold for $7 million.", "en")


@pytest.mark.parametrize(("new", "old", "target", "lang", "expected"), [
    ("He spoke on Thursday.", "He spoke on Tuesday.", "Он выступил во вторник.", "en",
     "Он выступил в четверг."),
    ("Talks end on Tuesday.", "Talks end on Friday.", "Переговоры завершатся в пятницу.", "en",
     "Переговоры завершатся во вторник."),
    ("Он выступил в среду.", "Он выступил в понедельник.", "He spoke on Monday.", "ru",
     "He spoke on Wednesday."),
])
def test_weekdays_are_rewritten_in_the_case_they_stand_in(
        new: str, old: str, target: str, lang: str, expected: str) -> None:
    from tm.text.numbers import repair_weekdays

    fixed = repair_weekdays(new, old, target, lang)
    assert (fixed.text, fixed.unrepaired) == (expected, ())


def test_a_weekday_the_target_does_not_name_is_reported() -> None:
    from tm.text.numbers import repair_weekdays

    fixed = repair_weekdays("He spoke on Thursday.", "He spoke on Tuesday.", "Он выступил.", "en")
    assert fixed.text == "Он выступил." and fixed.unrepaired == ("Thursday",)


def test_dateline_abbreviations_are_dates() -> None:
    (a,) = amounts("BISHKEK, Feb. 20 (AKIpress)", "en")
    assert (a.text, a.date) == ("Feb. 20", (2, 20))
    assert [x.date for x in amounts("Sept. 3 and Sep. 4, Dec. 31", "en")] == [(9, 3), (9, 4),
                                                                                (12, 31)]
