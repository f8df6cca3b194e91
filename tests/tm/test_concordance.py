"""tm.search.concordance: tiers, highlighted query, translation of the hit."""

from __future__ import annotations

from tm.search.concordance import Tier, plan, query_spans, ranked_ids, translation
from tm.terms.links import Lexicon


class FakeIndex:
    """Answers each tier's expression with fixed ids and records what it was asked."""

    def __init__(self, answers: dict[str, list[int]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def fts_ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]:
        self.asked.append(expr)
        tier = "near" if expr.startswith("NEAR") else "all" if " AND " in expr else "phrase"
        return self.answers.get(tier, [])[:limit]


def test_plan_tiers() -> None:
    p = plan("the dams were closed", "en")
    assert [t for t, _ in p.tiers] == [Tier.phrase, Tier.near, Tier.all]
    assert p.tiers[0][1] == '"the dam were close"'
    assert p.tiers[1][1].startswith("NEAR(")
    assert [t for t, _ in plan('"the dams"', "en").tiers] == [Tier.phrase]
    assert [t for t, _ in plan("dams", "en").tiers] == [Tier.phrase]
    assert plan("!!", "en").tiers == ()


def test_ranked_ids_keep_the_phrase_tier_first_and_each_unit_once() -> None:
    index = FakeIndex({"phrase": [7], "near": [3, 7], "all": [3, 9, 1]})
    assert ranked_ids(index, "closed dam", "en", 3) == [(7, Tier.phrase), (3, Tier.near),
                                                         (9, Tier.all)]
    index = FakeIndex({"phrase": [1, 2]})
    assert ranked_ids(index, "closed dam", "en", 2) == [(1, Tier.phrase), (2, Tier.phrase)]
    assert len(index.asked) == 1  # enough hits: later tiers are not run


def test_query_spans_phrase_then_words() -> None:
    text = "Closing the dams saved the city; the dam closed again."
    assert query_spans(text, "en", "closing the dams") == [(0, 16)]
    assert query_spans(text, "en", "dams closing") == [(37, 47)]  # "dam closed": same stems
    spans = query_spans(text, "en", "city dams")
    assert [text[a:b] for a, b in spans] == ["dams", "city", "dam"]


def test_translation_of_a_hit() -> None:
    src, tgt = "Flooding was prevented by closing the dam.", "Наводнение предотвратили, закрыв дамбу."
    lex = Lexicon({"dam": {"дамб": 0.9}})
    span = translation(src, "en", query_spans(src, "en", "dam"), tgt, lex, None)
    assert span is not None and span.text == "дамбу" == tgt[span.start:span.stop]
    assert translation(src, "en", [], tgt, lex, None) is None
