"""Lookups: CAT match %, fuzzy candidates, concordance with stemming, semantic, auto."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tm.errors import TMError
from tm.search.searcher import Searcher, diff_spans, match_percent
from tm.store import TM, UnitIn
from tm.vectors import embed as vectors

PAIRS = [
    ("The minister said 20 people were hurt in the attack on Tuesday.",
     "Министр сообщил, что во вторник при нападении пострадали 20 человек."),
    ("Migrants crossed the border at night.", "Мигранты пересекли границу ночью."),
    ("The police detained three migrants near the station.",
     "Полиция задержала трех мигрантов возле вокзала."),
    ("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
    ("The weather will be sunny tomorrow.", "Завтра будет солнечная погода."),
    ("The government approved the new budget.", "Правительство одобрило новый бюджет."),
    ("Press the red button to stop the machine.", "Нажмите красную кнопку, чтобы остановить станок."),
    ("The museum opens at 10 a.m. on weekdays.", "По будням музей открывается в 10 часов утра."),
]


@pytest.fixture()
def tm(memory_at: str):
    with TM.open(memory_at) as store:
        store.add_units([UnitIn(e, r) for e, r in PAIRS])
        yield store


# ------------------------------------------------------------------ match %
@pytest.mark.parametrize(("query", "text", "low", "high"), [
    ("Prices rose 5% in May.", "Prices rose 5% in May.", 100, 100),
    ("Prices rose 5% in May.", "Prices rose  5% in May. ", 99, 99),   # spacing only
    ("Prices rose 5% in May.", "Prices rose 7% in May.", 98, 98),     # a number: 2 points
    ("Prices rose 5% in May.", "Prices rose 5% in May!", 99, 99),     # punctuation: 1 point
    ("Prices rose 5% in May.", "prices rose 5% in May.", 99, 99),     # case: 1 point
    ("Prices rose 5% in May.", "Prices fell 5% in May.", 75, 85),     # a word: 1 of 5
    ("Prices rose 5% in May.", "The weather will be sunny.", 0, 20),
    ("Press <b>Enter</b> now.", "Press <i>Enter</i> now.", 95, 99),   # tags are placeables
])
def test_match_percent_bands(query: str, text: str, low: int, high: int) -> None:
    assert low <= match_percent(query, text) <= high


@given(st.text(max_size=60), st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_match_percent_is_100_only_for_identical_text(a: str, b: str) -> None:
    m = match_percent(a, b)
    assert 0 <= m <= 100
    assert (m == 100) == (a.strip() == b.strip())


def test_a_dropped_word_costs_more_in_a_short_sentence() -> None:
    long = "The committee will publish its final report on the reform next week."
    short = "The report is out."
    assert match_percent(long.replace(" final", ""), long) > match_percent("The is out.", short)


def test_diff_spans_flag_what_differs_from_the_query() -> None:
    spans = diff_spans("Prices rose 5% in May.", "Prices rose 7% in June.")
    assert [t for t, changed in spans if changed] == ["7", "June"]
    assert "".join(t for t, _ in spans) == "Prices rose 7% in June."


# ------------------------------------------------------------------ modes
def test_fuzzy_finds_the_unit_with_a_changed_number_and_a_dropped_word(tm: TM) -> None:
    hits = Searcher(tm).search("The minister said 25 people were hurt in attack on Tuesday.",
                               mode="fuzzy")
    assert hits[0].unit.en == PAIRS[0][0]
    assert 75 <= hits[0].match <= 99 and hits[0].kind == "fuzzy"


def test_fuzzy_russian_query_matches_the_russian_side(tm: TM) -> None:
    hits = Searcher(tm).search("Цены на нефть выросли на 7% в мае.", mode="fuzzy")
    assert hits[0].lang == "ru" and hits[0].unit.en == PAIRS[3][0]
    assert hits[0].match == 98


def test_exact_is_100_and_only_identical(tm: TM) -> None:
    s = Searcher(tm)
    hits = s.search(PAIRS[4][0], mode="exact")
    assert [(h.unit.ru, h.match, h.kind) for h in hits] == [(PAIRS[4][1], 100, "exact")]
    assert s.search("The weather will be sunny.", mode="exact") == []
    assert s.search(PAIRS[4][0], mode="fuzzy")[0].match == 100


def test_concordance_handles_russian_and_english_inflection(tm: TM) -> None:
    s = Searcher(tm)
    ru = {h.unit.ru for h in s.search("мигрант", mode="concordance")}
    assert ru == {PAIRS[1][1], PAIRS[2][1]}  # "Мигранты", "мигрантов"
    en = {h.unit.en for h in s.search("migrant", mode="concordance", lang="en")}
    assert en == {PAIRS[1][0], PAIRS[2][0]}
    assert {h.kind for h in s.search("migrant", mode="concordance")} == {"concordance"}


def test_concordance_needs_every_word_and_quotes_make_a_phrase(tm: TM) -> None:
    s = Searcher(tm)
    assert [h.unit.id for h in s.search("мигрантов вокзала", mode="concordance")] == [3]
    assert s.search('"border crossed"', mode="concordance") == []
    assert len(s.search('"crossed the border"', mode="concordance")) == 1


def test_limit_and_min_match(tm: TM) -> None:
    s = Searcher(tm)
    assert len(s.search("the", mode="concordance", limit=2)) == 2
    assert all(h.match >= 90 for h in s.search("Oil prices rose by 6% in May.", min_match=90))


def test_bad_queries_raise_tm_errors(tm: TM) -> None:
    s = Searcher(tm)
    with pytest.raises(TMError, match="empty query"):
        s.search("   ")
    with pytest.raises(TMError, match="at least one word"):
        s.search("?!", mode="concordance")
    with pytest.raises(TMError, match="diptych index"):
        s.search("weather", mode="semantic")


def test_semantic_finds_meaning_across_languages(tm: TM, encoder) -> None:
    vectors.index(tm, encoder)
    s = Searcher(tm, encoder=encoder)
    hit = s.search("Завтра ожидается солнечная погода.", mode="semantic", limit=1)[0]
    assert hit.unit.en == PAIRS[4][0] and hit.kind == "semantic" and hit.match is None
    assert hit.similarity is not None and 0 <= hit.similarity <= 1
    hit = s.search("Parliament backed the state budget.", mode="semantic", limit=1)[0]
    assert hit.unit.ru == PAIRS[5][1]
    auto = s.search("Завтра ожидается солнечная погода.", limit=3)
    assert auto[0].unit.en == PAIRS[4][0]


def test_auto_shows_semantic_neighbours_only_when_nothing_better_exists(tm: TM, encoder) -> None:
    vectors.index(tm, encoder)
    s = Searcher(tm, encoder=encoder)
    neighbours = s.search("Photosynthesis in alpine lichens", limit=3, mode="semantic")
    assert len(neighbours) == 3 and all((h.similarity or 0) < 0.5 for h in neighbours)
    lonely = s.search("Photosynthesis in alpine lichens", limit=3)
    # nothing better: the neighbours that are not noise (similarity 0.00) are shown
    assert [h.unit.id for h in lonely] == [h.unit.id for h in neighbours
                                           if (h.similarity or 0) >= 0.01]
    assert s.search("zzqx", limit=3) == []  # a word no unit holds, no neighbour worth a look
    hits = s.search("Oil prices rose by 6% in May.", limit=5)
    assert hits[0].kind == "fuzzy" and all(  # weak neighbours stay behind a real match
        h.similarity is None or h.similarity >= 0.5 for h in hits)


def test_auto_puts_verbatim_phrases_above_meaning(tm: TM) -> None:
    s = Searcher(tm)
    hits = s.search("мигрант")
    assert [h.kind for h in hits] == ["concordance", "concordance"]
    assert [h.unit.id for h in hits] == [2, 3]  # shorter segment first (BM25)
    assert all(h.match is None for h in hits)  # no CAT % for a concordance hit
    hits = s.search("Oil prices rose by 6% in May.")
    assert (hits[0].unit.id, hits[0].kind, hits[0].match) == (4, "fuzzy", 98)
    hits = s.search("three migrants near the")  # a fragment copied from unit 3
    assert hits[0].unit.id == 3 and hits[0].kind == "concordance"
    text = hits[0].unit.en
    assert [text[a:b] for a, b in hits[0].spans] == ["three migrants near the"]


def test_auto_finds_a_unit_holding_the_words_of_a_longer_query_apart(tm: TM) -> None:
    """Five words of unit 3, not in its order: no phrase and no fuzzy match, but the unit
    holds them all (auto looked for words apart in queries of up to 3 words only)."""
    hits = Searcher(tm).search("migrants the police detained station", limit=5)
    assert [(h.unit.id, h.kind) for h in hits] == [(3, "concordance")]
    text = hits[0].unit.en
    assert {text[a:b].lower() for a, b in hits[0].spans} >= {"migrants", "police", "station"}


def test_fuzzy_hides_junk_by_default(tm: TM) -> None:
    s = Searcher(tm)
    assert all(h.match is not None and h.match >= 50
               for h in s.search("The minister said the attack was on Monday.", mode="fuzzy"))
    assert s.search("Prices of the oil", mode="fuzzy") == []
    assert s.search("Prices of the oil", mode="fuzzy", min_match=0)


def test_a_sentence_inside_a_longer_unit_is_an_exact_part(tmp_path: Path) -> None:
    with TM.open(tmp_path / "p.db") as store:
        store.add_units([UnitIn("Heavy rain fell on Monday. The dam was closed a day earlier.",
                                "В понедельник шли сильные дожди. Дамбу закрыли днем ранее.")])
        s = Searcher(store)
        for mode in ("exact", "fuzzy", "auto"):
            [hit] = s.search("The dam was closed a day earlier.", mode=mode)[:1]
            assert (hit.match, hit.part, hit.kind) == (100, True, "exact")
            assert hit.translation is not None and hit.translation.text == "Дамбу закрыли днем ранее."
            assert hit.source == "The dam was closed a day earlier."
            assert hit.target == "Дамбу закрыли днем ранее."


def test_concordance_hit_carries_the_translation_of_the_term(tmp_path: Path) -> None:
    with TM.open(tmp_path / "c.db") as store:
        store.add_units([UnitIn("At that time Ivan Susanin was alive.", "Тогда жил Иван Сусанин."),
                         UnitIn("More than 20,000 people were killed.",
                                "Погибли более 20 тысяч человек.")])
        s = Searcher(store)
        [hit] = s.search("Susanin", mode="concordance")
        assert hit.translation is not None and hit.translation.text == "Сусанин"
        ru = hit.unit.ru
        assert ru[hit.translation.start:hit.translation.stop] == "Сусанин"
        [hit] = s.search("20,000 people", mode="concordance", lang="en")
        assert hit.translation is not None and hit.translation.text.startswith("20 тысяч")


def test_a_searcher_uses_the_vector_index_it_is_given(tm: TM) -> None:
    import numpy as np

    class Fake:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 4), dtype=np.float32) / 2

    class Index:
        def search(self, q: np.ndarray, k: int) -> list[tuple[int, float]]:
            asked.append(k)
            return [(3, 0.9), (99, 0.8)]  # 99: no such unit, left out

    asked: list[int] = []
    s = Searcher(tm, encoder=Fake(), model="fake", vectors=Index)
    with pytest.raises(TMError, match="diptych index"):  # nothing stored: the index is not asked
        s.search("migrants", mode="semantic")
    assert asked == []
    tm.set_setting("embedding_model", "fake")
    tm.set_setting("embedding_dim", "4")
    vectors.store_vectors(tm, [1], np.full((1, 4), 60, dtype=np.int8))
    hits = s.search("migrants", mode="semantic", limit=2)
    if tm.vectors_in_database:  # PostgreSQL: pgvector answers; no process-side index is asked
        assert [h.unit.id for h in hits] == [1] and asked == []
    else:
        assert [h.unit.id for h in hits] == [3] and asked == [2]
