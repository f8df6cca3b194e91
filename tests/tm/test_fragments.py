"""tm.fragments: sentences inside multi-sentence units."""

from __future__ import annotations

from tm.fragments import best_part, other_part, part_of, sentences
from tm.search import match_percent
from tm.termalign import Lexicon

EN = "Heavy rain fell on Monday. The dam was closed a day earlier."
RU = "В понедельник шли сильные дожди. Дамбу закрыли днем ранее."


def test_sentences_of_one_and_two_sentence_texts() -> None:
    assert sentences("Prices rose", "en") == [(0, 11)]
    spans = sentences(EN, "en")
    assert [EN[a:b] for a, b in spans] == ["Heavy rain fell on Monday.",
                                           "The dam was closed a day earlier."]


def test_part_of_finds_a_whole_sentence_only() -> None:
    a, b = part_of("The dam was closed a day earlier.", EN, "en") or (0, 0)
    assert EN[a:b] == "The dam was closed a day earlier."
    assert part_of("The dam was closed", EN, "en") is None  # not a whole sentence
    assert part_of(EN, EN, "en") is None  # the whole unit is an exact match, not a part


def test_best_part_scores_each_sentence() -> None:
    pct, span = best_part(lambda t: match_percent("The dam was closed a day early.", t), EN, "en")
    assert span is not None and EN[span[0]:span[1]].startswith("The dam") and 85 <= pct < 100


def test_other_part_pairs_sentences_in_place() -> None:
    span = other_part(EN, "en", sentences(EN, "en")[1], RU, Lexicon({}), None)
    assert span is not None and span.text == "Дамбу закрыли днем ранее."


def test_other_part_of_a_two_to_one_unit_uses_the_aligner() -> None:
    ru = "В понедельник шли сильные дожди, а дамбу закрыли днем ранее."
    lex = Lexicon({"dam": {"дамб": 0.9}, "close": {"закр": 0.8}, "earlier": {"ран": 0.9},
                   "day": {"днем": 0.8}})
    span = other_part(EN, "en", sentences(EN, "en")[1], ru, lex, None)
    assert span is not None and span.text == "дамбу закрыли днем ранее"
