"""Which memory a command uses: --db, $DIPTYCH_DB, ./diptych.db or a parent's, the data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, DbSource, UnitIn, locate


@pytest.fixture()
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without diptych.db above it, no $DIPTYCH_DB, a private data folder."""
    monkeypatch.delenv("DIPTYCH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return work


def test_the_rule_in_order(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = locate()
    assert default.source is DbSource.default
    assert default.path == nowhere.parents[1] / "data" / "diptych" / "diptych.db"
    parent = nowhere.parent / "diptych.db"
    parent.touch()
    assert locate() == (found := locate()) and found.path.resolve() == parent.resolve()
    assert found.source is DbSource.folder
    here = nowhere / "diptych.db"
    here.touch()
    assert locate().path.resolve() == here.resolve()
    monkeypatch.setenv("DIPTYCH_DB", str(nowhere / "env.db"))
    assert locate() == locate(None) and locate().source is DbSource.env
    assert locate(nowhere / "opt.db").path == nowhere / "opt.db"
    assert locate(nowhere / "opt.db").source is DbSource.option


def test_search_finds_a_parent_folders_memory_and_stats_says_which(nowhere: Path) -> None:
    with TM.open(nowhere.parent / "diptych.db") as tm:
        tm.add_units([UnitIn("Hello there.", "Привет.")])
    runner = CliRunner()
    found = runner.invoke(app, ["search", "Hello there.", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["en"] == "Hello there."
    stats = runner.invoke(app, ["stats", "--json"])
    assert json.loads(stats.stdout)["found_by"] == "current folder or a parent"
    assert Path(json.loads(stats.stdout)["path"]).resolve() == (nowhere.parent / "diptych.db")
    table = runner.invoke(app, ["stats"])
    assert "found by" in table.stdout and "current folder or a parent" in table.stdout


def test_add_without_any_memory_creates_the_default_one(nowhere: Path) -> None:
    with TM.open() as tm:
        assert tm.source is DbSource.default and tm.path.is_file()
        assert tm.path.parent.name == "diptych"
