"""tm.search.fragments: sentences inside multi-sentence units."""

from __future__ import annotations

from tm.search.fragments import best_part, counterpart, other_part, part_of, sentences
from tm.search.searcher import match_percent
from tm.terms.links import Lexicon, tokens

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


def test_counterpart_is_checked_before_it_is_trusted() -> None:
    second = sentences(EN, "en")[1]
    assert counterpart(EN, "en", second, RU, None) is not None
    # the same number of sentences, but the numbers say they are not in the same order
    en = "Prices rose 5% in May. Wages fell 3% in June."
    ru = "Зарплаты упали на 3% в июне. Цены выросли на 5% в мае."
    assert counterpart(en, "en", sentences(en, "en")[0], ru, None) is None
    # a sentence in the same place of a very different length (a one-word title)
    ru2 = "Дожди. Дамбу, которую строили три года на деньги области, закрыли днем ранее."
    assert counterpart(EN, "en", sentences(EN, "en")[0], ru2, None) is None
    # word links of the unit (diptych terms) that land in the other sentence
    ru_toks, first = tokens(RU, "ru"), sentences(EN, "en")[0]
    wrong = {(i, j) for i, t in enumerate(tokens(EN, "en")) if t.stop <= first[1]
             for j, r in enumerate(ru_toks) if r.start > len("В понедельник шли сильные дожди.")}
    assert counterpart(EN, "en", first, RU, wrong) is None
    assert counterpart(EN, "en", first, RU, {(0, 3)}) is not None  # Heavy -> сильные
