"""tm.text.tokens: the tokens a lookup reads, and what its cache leaves behind."""

from __future__ import annotations

import gc

from tm.text.memo import Memo
from tm.text.tokens import Token, tokens


def test_tokens_have_offsets_and_stem_keys() -> None:
    text = "Migrants reported 1,200 cases in Bishkek."
    got = tokens(text, "en")
    assert [t.text for t in got] == ["Migrants", "reported", "1,200", "cases", "in", "Bishkek"]
    assert all(text[t.start:t.stop] == t.text for t in got)
    assert got[0] == Token(0, 8, "Migrants", "migrant")
    assert tokens("Мигрантов стало больше", "ru")[0].key == tokens("мигранты", "ru")[0].key


def test_cached_tokens_leave_the_garbage_collector_nothing_to_scan() -> None:
    """Every lookup tokenises its hits through a cache of 4,096 texts; had the cache kept
    Token objects, the collector would scan them all at each full pass (at 1M units 166
    collections in 400 auto lookups instead of 7, the slowest of them 106 ms)."""
    texts = [f"Report {i} from the press service, number {i * 7} of the series" for i in range(2000)]
    gc.collect()
    before = len(gc.get_objects())
    for text in texts:
        assert tokens(text, "en")[2].key == "from"
    gc.collect()
    assert len(gc.get_objects()) - before < 200


def test_memo_computes_once_and_forgets_past_its_limit() -> None:
    calls: list[str] = []
    memo = Memo(lambda key: calls.append(key) or key.upper(), limit=3)
    assert [memo[k] for k in "abab"] == ["A", "B", "A", "B"]
    assert calls == ["a", "b"]
    for k in "cde":
        memo[k]
    assert len(memo) <= 4 and calls == list("abcde")
