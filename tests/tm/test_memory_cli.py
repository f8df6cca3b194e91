"""`documents`, `edit` (and `--undo`), `delete`: the memory operations, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, DocumentIn, UnitIn

runner = CliRunner()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with TM.open(path) as tm:
        a, _ = tm.add_document(DocumentIn(title="Ferry", url="https://x.example/a",
                                          date="2024-03-04", fingerprint="a"))
        b, _ = tm.add_document(DocumentIn(title="Buses", fingerprint="b"))
        tm.add_units([UnitIn("The ferry sank.", "Паром затонул."),
                      UnitIn("Nobody was hurt.", "Никто не пострадал.")], document=a,
                     origin="aligned")
        tm.add_units([UnitIn("Nobody was hurt.", "Никто не пострадал."),
                      UnitIn("Buses run at night.", "Автобусы ходят ночью.")], document=b,
                     origin="aligned")
    return path


def run(*args: object, env: dict[str, str] | None = None) -> object:
    return runner.invoke(app, [str(a) for a in args], env=env)


def search(db: Path, query: str) -> list[dict]:
    res = run("search", query, "--db", db, "--json", "--mode", "concordance")
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_documents_lists_title_url_date_units_and_added(db: Path) -> None:
    res = run("documents", "--db", db, "--json")
    assert res.exit_code == 0, res.output
    docs = json.loads(res.stdout)
    assert [(d["title"], d["units"]) for d in docs] == [("Buses", 2), ("Ferry", 2)]
    assert docs[1]["url"] == "https://x.example/a" and docs[1]["date"] == "2024-03-04"
    assert docs[1]["added"].endswith("Z")
    table = run("documents", "--db", db)
    assert table.exit_code == 0 and "Ferry" in table.stdout
    units = json.loads(run("documents", "--db", db, "--units", 1, "--json").stdout)
    assert [u["en"] for u in units["units"]] == ["The ferry sank.", "Nobody was hurt."]


def test_edit_changes_the_text_origin_and_search_then_undo_restores(db: Path) -> None:
    (hit,) = search(db, "ferry")
    res = run("edit", hit["id"], "--ru", "Паром пошёл ко дну.", "--db", db, "--json")
    assert res.exit_code == 0, res.output
    unit = json.loads(res.stdout)
    assert (unit["ru"], unit["origin"], unit["edits"]) == ("Паром пошёл ко дну.", "edited", 1)
    assert [h["ru"] for h in search(db, "ко дну")] == ["Паром пошёл ко дну."]
    assert search(db, "затонул") == []  # the old text is out of the index
    undone = run("edit", hit["id"], "--undo", "--db", db, "--json")
    assert undone.exit_code == 0, undone.output
    assert json.loads(undone.stdout) | {"changed": None} == hit_unit(db, hit["id"]) | {
        "changed": None}
    assert [h["ru"] for h in search(db, "затонул")] == ["Паром затонул."]
    assert json.loads(undone.stdout)["origin"] == "aligned"
    again = run("edit", hit["id"], "--undo", "--db", db)
    assert again.exit_code == 1 and "no edit to undo" in again.stderr


def hit_unit(db: Path, unit_id: int) -> dict:
    from tm.service import unit_json

    with TM.open(db) as tm:
        unit = tm.get_unit(unit_id)
        assert unit is not None
        return unit_json(unit, edits=tm.edits(unit_id))


@pytest.mark.parametrize(("args", "message"), [
    (["1"], "nothing to change"),
    (["1", "--en", " "], "cannot be empty"),
    (["99", "--en", "x"], "no unit 99"),
    (["1", "--en", "x", "--undo"], "give one of --en/--ru, --undo or --confirm"),
    (["1", "--undo", "--confirm"], "give one of"),
    (["1", "--en", "Nobody was hurt.", "--ru", "Никто не пострадал."], "already holds"),
])
def test_edit_refuses_in_one_line_and_changes_nothing(db: Path, args: list[str],
                                                      message: str) -> None:
    before = list(TM.open(db).conn.iterdump())
    res = run("edit", *args, "--db", db)
    assert res.exit_code == 1 and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert list(TM.open(db).conn.iterdump()) == before


def test_delete_unit_and_document(db: Path) -> None:
    (hit,) = search(db, "ferry")
    res = run("delete", "--unit", hit["id"], "--db", db, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["unit"]["en"] == "The ferry sank."
    assert search(db, "ferry") == []
    # the Ferry document now holds one unit, shared with Buses: deleting it keeps that unit
    res = run("delete", "--document", 1, "--db", db, "--json")
    assert res.exit_code == 0, res.output
    assert (json.loads(res.stdout)["links"], json.loads(res.stdout)["units"]) == (1, 0)
    res = run("delete", "--document", 2, "--db", db)
    assert res.exit_code == 0 and "2 units no other document held" in res.stdout
    with TM.open(db) as tm:
        assert tm.count_units() == 0 and tm.documents() == []
        assert tm.fts_ids("en", '"hurt"', 10) == []


@pytest.mark.parametrize(("args", "message"), [
    ([], "give one of"), (["--unit", "1", "--document", "1"], "give one of"),
    (["--unit", "99"], "no unit 99"), (["--document", "99"], "no document 99"),
])
def test_delete_refuses_in_one_line(db: Path, args: list[str], message: str) -> None:
    res = run("delete", *args, "--db", db)
    assert res.exit_code == 1 and message in res.stderr, res.output


def test_rich_markup_in_titles_units_and_queries_is_printed_as_text(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    with TM.open(db) as tm:
        doc, _ = tm.add_document(DocumentIn(title="[/oops] [link=https://x.example]t[/link]",
                                            fingerprint="m"))
        tm.add_units([UnitIn("A [bold]tag[/bold] here.", "Тег [/x] здесь.")], document=doc)
    for args in (["documents"], ["documents", "--units", "1"], ["stats"]):
        res = run(*args, "--db", db)
        assert res.exit_code == 0, (args, res.output)
    assert "[/oops]" in run("documents", "--db", db, env={"COLUMNS": "200"}).stdout
    res = runner.invoke(app, ["search", "-", "--db", str(db)], input="[/x]\nA [bold]tag\n")
    assert res.exit_code == 0, res.output
    assert "[/x]" in res.stdout and "[bold]" in res.stdout
