"""Russian lookups by dictionary form (tm.text.morph, tm.text.query, tm.search.concordance)."""

from __future__ import annotations

import pytest

from tm.search.concordance import Tier, holds_phrase, plan, query_spans
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.text.morph import forms
from tm.text.query import Query

UNITS = [
    ("Taalaibek Ibraev was appointed.", "Назначение Таалайбека Ибраева одобрено."),
    ("Nurses went on strike.", "Забастовка медсестер продолжается."),
    ("Newcomers were welcomed.", "Новичков встретили тепло."),
    ("Zhaparova spoke to Tokaev.", "С Токаевым говорила Жапарова."),
    ("A meeting with Zhaparova.", "Встреча с Садыром Жапаровым и Жапаровой."),
    ("Prices rose in Bishkek.", "В Бишкеке выросли цены."),
    ("The data were published.", "Данные опубликованы."),
]


@pytest.fixture
def searcher(memory_at: str) -> Searcher:
    """On each backend: the lookups' FTS5 expressions (ORed phrases of every form) are read
    by SQLite's FTS5 and by the PostgreSQL backend's tsquery alike."""
    tm = TM.open(memory_at)
    tm.add_units([UnitIn(e, r) for e, r in UNITS])
    return Searcher(tm)


@pytest.mark.parametrize(("query", "held"), [
    ("Ибраев", "Таалайбека Ибраева"), ("Таалайбек Ибраев", "Таалайбека Ибраева"),
    ("медсестра", "медсестер"), ("новичок", "Новичков"), ("Токаев", "Токаевым"),
    ("Бишкек", "Бишкеке"), ("Ибраева", "Таалайбека Ибраева")])
def test_a_dictionary_form_finds_the_inflected_unit_and_highlights_the_form(
        searcher: Searcher, query: str, held: str) -> None:
    for mode in ("concordance", "auto"):
        hits = searcher.search(query, mode=mode, lang="ru", limit=5)
        assert hits, (query, mode)
        ru = hits[0].unit.ru
        assert held.split()[-1] in ru
        spans = [ru[a:b] for a, b in hits[0].spans]
        assert held in spans or held.split()[-1] in spans, (query, mode, spans)


def test_feminine_surname_finds_its_oblique_forms_not_the_masculine_alone(
        searcher: Searcher) -> None:
    ru = {h.unit.ru for h in searcher.search("Жапарова", mode="concordance", lang="ru")}
    assert "Встреча с Садыром Жапаровым и Жапаровой." in ru
    assert "С Токаевым говорила Жапарова." in ru


def test_a_country_is_not_read_as_a_common_word(searcher: Searcher) -> None:
    # "Бишкек" has a proper-noun parse only; nothing about data ("Данные") comes back
    hits = searcher.search("Бишкек", mode="concordance", lang="ru")
    assert [h.unit.ru for h in hits] == ["В Бишкеке выросли цены."]


def test_phrase_needs_the_words_in_order_in_any_form() -> None:
    q = Query.of("Таалайбек Ибраев", "ru")
    assert holds_phrase("Назначение Таалайбека Ибраева одобрено.", "ru", q)
    assert not holds_phrase("Ибраева и Таалайбека", "ru", q)
    assert query_spans("Назначение Таалайбека Ибраева", "ru", q) == [(11, 29)]


def test_english_keeps_its_stems() -> None:
    q = Query.of("closing the dams", "en")
    assert q.forms == (frozenset({"close"}), frozenset({"the"}), frozenset({"dam"}))
    assert q.lang == "en" and not q.quoted and Query.of('"a dam"').quoted


def test_function_words_and_the_auxiliary_stand_for_themselves_only() -> None:
    # a pronoun, a preposition and "быть" looked for in all their forms cost every 2-word
    # query copied from a text an extra OR over 1M units and find nothing a translator asks for
    she, was, name = Query.of("она был Ибраев", "ru").forms
    assert she == frozenset({"он"})             # not "неё"/"ней" (stems "не"/"ней")
    assert was == frozenset({"был"})            # not "есть", "будут"
    assert "ибраев" in name and "ибра" in name  # the content word keeps its forms
    assert Query.of("с Ибраевым", "ru").forms[0] == frozenset({"с"})  # not "со"


def test_a_word_typed_in_another_form_than_the_dictionary_s_stands_for_itself() -> None:
    # copied from a text in the form it wants: no other forms (and no second index query)
    assert Query.of("рекомендую", "ru").forms == (frozenset({"рекоменд"}),)
    assert Query.of("Ибраеву", "ru").forms == (frozenset({"ибраев"}),)
    # a nominative or an infinitive stands for all its forms
    assert len(Query.of("Ибраев", "ru").forms[0]) > 1
    assert len(Query.of("заявить", "ru").forms[0]) > 1


def test_a_word_stands_for_the_paradigms_it_is_a_dictionary_form_of() -> None:
    # "начала": the plural of "начало", and the past tense of "начать" (no dictionary form)
    started = forms("начала")
    assert {"начало", "началом", "началах"} <= started
    assert not started & {"начать", "начнет", "начнут"}
    # the phrase tier asks for the other forms' phrases; the typed one was asked before
    tiers = [expr for tier, expr in plan("помочь Дмитрию", "ru").tiers if tier == Tier.phrase]
    assert tiers[0] == '"помоч дмитр"' and '"помоч дмитр"' not in tiers[1]
    assert '"поможет дмитр"' in tiers[1]
