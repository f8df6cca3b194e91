"""Issue 21: units under the shared weak threshold carry "unreviewed alignment" into search,
the API and the desk until edited; exact mode finds one sentence of a longer unit."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tm.cli import app
from tm.search.fragments import PART_UNVERIFIED
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn

runner = CliRunner()
WEAK = ("Gas prices fell sharply in May.", "Цены на газ резко упали в мае.")
SURE = ("Oil prices rose in June.", "Цены на нефть выросли в июне.")
TWO = ("European gas storage sites are 93% full, data show. That is the lowest level for"
       " mid-October since 2014.")
ONE = ("Хранилища газа в Европе заполнены на 93% — это самый низкий уровень для середины"
       " октября с 2014 года, показывают данные.")
PAIRED = ("Хранилища газа в Европе заполнены на 93%, показывают данные. Это самый низкий"
          " уровень для середины октября с 2014 года.")


def _memory(tmp_path: Path) -> Path:
    db = tmp_path / "m.db"
    with TM.open(db) as tm:
        tm.add_units([UnitIn(*WEAK, score=0.62)], origin="aligned")
        tm.add_units([UnitIn(*SURE, score=0.93)], origin="aligned")
        tm.add_units([UnitIn("Prices fell.", "Цены упали.", score=0.3)])  # imported: no mark
    return db


def test_a_weak_unit_says_so_in_search_json_until_edited(tmp_path: Path) -> None:
    db = _memory(tmp_path)
    res = runner.invoke(app, ["search", "prices", "--db", str(db), "--json", "--mode",
                              "concordance"])
    assert res.exit_code == 0, res.output
    marks = {h["en"]: h["unreviewed"] for h in map(json.loads, res.stdout.splitlines())}
    assert marks == {WEAK[0]: "unreviewed alignment, 0.62", SURE[0]: None, "Prices fell.": None}
    shown = runner.invoke(app, ["search", "gas prices", "--db", str(db)])
    assert "unreviewed alignment, 0.62" in shown.stdout
    with TM.open(db) as tm:
        (unit_id,) = [u.id for u in tm.get_units(range(1, 4)).values() if u.en == WEAK[0]]
        tm.edit_unit(unit_id, ru="Цены на газ резко снизились в мае.")
        assert tm.get_unit(unit_id).unreviewed is None  # type: ignore[union-attr]


def test_exact_mode_finds_one_sentence_of_a_longer_unit(tmp_path: Path) -> None:
    query = "That is the lowest level for mid-October since 2014."
    with TM.open(tmp_path / "p.db") as tm:
        tm.add_units([UnitIn(TWO, PAIRED)])
        (hit,) = Searcher(tm).search(query, mode="exact")
        assert (hit.match, hit.part, hit.target) == (100, True, PAIRED[61:])
    with TM.open(tmp_path / "u.db") as tm:  # a 2-1 unit: no counterpart sentence to check
        tm.add_units([UnitIn(TWO, ONE)])
        (hit,) = Searcher(tm).search(query, mode="exact")
        assert (hit.match, hit.part, hit.source, hit.target) == (PART_UNVERIFIED, True, query,
                                                                 ONE)


def test_confirming_a_weak_unit_takes_the_mark_off_and_keeps_its_vector(tmp_path: Path) -> None:
    db = _memory(tmp_path)
    with TM.open(db) as tm:
        (unit_id,) = [u.id for u in tm.get_units(range(1, 4)).values() if u.en == WEAK[0]]
        tm.store_vectors([(unit_id, bytes(4))])
    res = runner.invoke(app, ["edit", str(unit_id), "--confirm", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["unreviewed"], out["en"], out["origin"]) == (None, WEAK[0], "aligned")
    with TM.open(db) as tm:
        assert tm.count_vectors() == 1  # the text did not change: nothing to recompute
    both = runner.invoke(app, ["edit", str(unit_id), "--confirm", "--undo", "--db", str(db)])
    assert both.exit_code == 1 and "give one of" in both.stderr
