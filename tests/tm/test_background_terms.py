"""Term links refitted without a manual step (tm.terms.background), and highlights that abstain
on a memory too small to learn from (tm.terms.lexicon.MIN_FIT_UNITS)."""

from __future__ import annotations

import fcntl
import time
from pathlib import Path

import pytest

from tm import service
from tm.store import TM, UnitIn
from tm.terms import background

pytest.importorskip("eflomal")
PAIRS = [("The dam was closed.", "Дамбу закрыли."), ("The dam broke.", "Дамба прорвалась."),
         ("Oil prices rose.", "Цены на нефть выросли.")]


def test_adding_units_starts_a_refit_that_brings_the_links_up_to_date(
        memory_at: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(background.ENV, "1")
    db = memory_at  # a file, or a PostgreSQL memory (the refit gets its URI)
    with TM.open(db) as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
        assert service.term_state(tm).newer == 3
        assert service.refit_terms_later(tm)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with TM.open(db, create=False) as tm:
            state = service.term_state(tm)
            if not state.newer and not tm.get_setting(background.RUNNING):
                break
        time.sleep(0.5)
    assert (state.aligned, state.newer) == (3, 0)
    with TM.open(db, create=False) as tm:
        assert not background.behind(tm) and not service.refit_terms_later(tm)


def test_one_refit_a_memory_and_none_when_turned_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "m.db"
    with TM.open(db) as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
    with open(f"{db}.terms-lock", "a") as held:  # beside the file
        fcntl.flock(held, fcntl.LOCK_EX)
        assert background.run(db) == 0  # another process holds the memory: nothing done
    assert background.run(db) == 1
    monkeypatch.setenv(background.ENV, "0")
    assert not background.start(db)


def test_a_small_memory_shows_only_what_spelling_says(tmp_path: Path) -> None:
    from tm.search.searcher import Searcher
    from tm.terms.lexicon import fit_terms

    with TM.open(tmp_path / "s.db") as tm:
        tm.add_units([UnitIn("Rain fell in Bishkek on Tuesday.", "Во вторник в Бишкеке шел дождь."),
                      *[UnitIn(e, r) for e, r in PAIRS]])
        fit_terms(tm)  # 4 units: links and lexicon are guesses, left unused
        hits = Searcher(tm).search("oil prices", mode="concordance")
        assert hits and all(h.translation is None for h in hits)
        (hit,) = Searcher(tm).search("Bishkek", mode="concordance")
        assert hit.translation is not None and hit.translation.text == "Бишкеке"
