"""tm.terms.links: the words of the other side that translate a phrase, with offsets."""

from __future__ import annotations

import pytest

from tm.terms.links import Lexicon, best_run, romanize, tokens, translate

EMPTY = Lexicon({})


def test_tokens_carry_offsets_and_stems() -> None:
    text = "Дамбу закрыли 14 марта."
    toks = tokens(text, "ru")
    assert [text[t.start:t.stop] for t in toks] == ["Дамбу", "закрыли", "14", "марта"]
    assert toks[0].key == "дамб"


def test_romanize() -> None:
    assert romanize("Сусанин") == "susanin"
    assert romanize("Шэппс") == "shepps"


def test_best_run_keeps_weak_words_inside_a_term() -> None:
    # "Bank of Russia": "of" has no partner, but the run spans it
    assert best_run([0.0, 0.9, 0.1, 0.9, 0.0], 4)[:2] == (1, 4)
    assert best_run([0.0, 0.1], 4)[:2] == (0, 0)


def test_lexicon_finds_an_inflected_translation_with_offsets() -> None:
    lex = Lexicon({"dam": {"дамб": 0.8}})
    tgt = "Наводнение предотвратили благодаря закрытию дамбы."
    span = translate("Flooding was prevented by closing the dam.", "en", "dam", tgt, lex)
    assert span is not None and span.text == "дамбы" == tgt[span.start:span.stop]
    # the same lexicon read the other way
    back = translate(tgt, "ru", "дамбы", "Flooding was prevented by closing the dam.", lex)
    assert back is not None and back.text == "dam"


def test_a_name_is_found_by_its_transliteration_without_a_lexicon() -> None:
    span = translate("At that time Ivan Susanin was alive.", "en", "Ivan Susanin",
                     "Тогда жил Иван Сусанин.", EMPTY)
    assert span is not None and span.text == "Иван Сусанин"


def test_an_amount_is_found_in_the_other_conventions() -> None:
    span = translate("More than 20,000 people were killed.", "en", "20,000",
                     "Погибли более 20 тысяч человек.", EMPTY)
    assert span is not None and span.text == "20 тысяч"


def test_query_given_by_offsets_and_unit_links() -> None:
    src, tgt = "touch wood I am fine", "тьфу-тьфу-тьфу, я в порядке"
    # the aligner linked "touch" (0) and "wood" (1) with "тьфу-тьфу-тьфу" (0)
    span = translate(src, "en", (0, 10), tgt, EMPTY, links={(0, 0), (1, 0), (4, 3)})
    assert span is not None and span.text == "тьфу-тьфу-тьфу"
    assert translate(src, "en", (0, 10), tgt, EMPTY) is None


def test_fit_learns_links_from_repeated_pairs() -> None:
    pytest.importorskip("eflomal")
    pairs = [("the dam is closed", "дамба закрыта"), ("the dam is open", "дамба открыта"),
             ("the gate is closed", "ворота закрыты"), ("the gate is open", "ворота открыты")] * 15
    # (15 copies: eflomal samples from a /dev/urandom seed; at 5, "dam" went unlinked ~1 run in 40)
    lex, links = Lexicon.fit(pairs)
    assert len(links) == len(pairs) and all(links)
    assert max(lex.row("dam", "en"), key=lambda k: lex.row("dam", "en")[k]) == "дамб"
    span = translate("the dam is closed", "en", "dam", "дамба закрыта", lex, links[0])
    assert span is not None and span.text == "дамба"
