"""tm.terms.lexicon and tm.store.terms: the fitted lexicon and unit links stored in the memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.store import TM, UnitIn
from tm.store.types import decode_links, encode_links
from tm.terms.lexicon import StoredLexicon, fit_terms
from tm.terms.links import translate

PAIRS = [("the dam is closed", "дамба закрыта"), ("the dam is open", "дамба открыта"),
         ("the gate is closed", "ворота закрыты"), ("the gate is open", "ворота открыты")]
CONTEXTS = [*PAIRS, ("the dam is new", "дамба новая"), ("the dam is old", "дамба старая"),
            ("the road is closed", "дорога закрыта"), ("the road is open", "дорога открыта")]
""""дамба" beside other words than "закрыта"/"открыта", and "закрыта" beside another noun than
"дамба": with PAIRS alone, eflomal (a sampler seeded from /dev/urandom) now and then linked
"dam" to "закрыта" too (once in CI), since the two always came together there."""


def test_links_round_trip_through_bytes() -> None:
    links = {(0, 1), (2, 2), (5, 0)}
    assert decode_links(encode_links(links)) == links
    assert decode_links(encode_links({(300, 1), (1, 1)})) == {(1, 1)}  # past 255: dropped


def test_fit_stores_what_a_lookup_reads(tmp_path: Path) -> None:
    pytest.importorskip("eflomal")
    with TM.open(tmp_path / "t.db") as tm:
        # enough pairs that eflomal (a sampler seeded from /dev/urandom) links "dam" every run
        tm.add_units([UnitIn(e + f" {n}", r + f" {n}") for n in range(15) for e, r in CONTEXTS])
        assert not tm.has_lexicon()
        report = fit_terms(tm)
        assert report.units == 120 and report.entries > 0 and tm.has_lexicon()
        lex = StoredLexicon(tm, ["dam"], "en")
        assert max(lex.row("dam", "en"), key=lambda k: lex.row("dam", "en")[k]) == "дамб"
        assert lex.row("dam", "ru") == {}
        assert "dam" in StoredLexicon(tm, ["дамб"], "ru").row("дамб", "ru")
        links = tm.unit_links([1, 2, 999])
        assert set(links) == {1, 2} and all(links.values())
        u = tm.get_unit(1)
        assert u is not None
        span = translate(u.en, "en", "dam", u.ru, lex, links[1])
        assert span is not None and span.text == "дамба"
        # an edit makes the unit's links stale: they go
        tm.edit_unit(1, en="the dam was closed 0")
        assert 1 not in tm.unit_links([1])


def test_a_refit_replaces_everything(tmp_path: Path) -> None:
    pytest.importorskip("eflomal")
    with TM.open(tmp_path / "t.db") as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
        fit_terms(tm)
        assert fit_terms(tm, limit=2).units == 2
        assert set(tm.unit_links([1, 2, 3, 4])) == {3, 4}  # the two newest


def test_term_state_counts_the_units_after_the_last_fit(tmp_path: Path) -> None:
    from tm.terms.lexicon import term_state

    with TM.open(tmp_path / "t.db") as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
        assert term_state(tm).note() is None  # never fitted: nothing to say after add
        tm.replace_terms([], [(i, set()) for i in (1, 2, 3, 4)])
        assert (term_state(tm).aligned, term_state(tm).note()) == (4, None)
        tm.add_units([UnitIn("the dam is shut", "дамба заперта")])
        note = term_state(tm).note()
        assert term_state(tm).newer == 1 and note and "1 unit added" in note


def test_a_memory_fitted_before_the_setting_counts_its_links_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a memory from before FITTED_SETTING: counting its linked units at every lookup cost
    # 18 ms a lookup at 1M units
    from tm.terms import lexicon

    tm = TM.open(str(tmp_path / "tm.db"))
    calls: list[int] = []
    real = tm.terms_coverage
    monkeypatch.setattr(tm, "terms_coverage", lambda: calls.append(1) or real())
    assert tm.get_setting(lexicon.FITTED_SETTING) is None
    assert not lexicon.learned_enough(tm) and not lexicon.learned_enough(tm)
    assert calls == [1]
