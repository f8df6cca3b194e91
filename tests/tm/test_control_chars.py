"""Issue 18 finding 5: control characters are dropped on every way in (TMX, API, editor, CLI
`edit`, titles), no empty segment is accepted, and what an old memory holds is made visible
on every way out to a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.store import TM, DocumentIn, UnitIn

runner = CliRunner()
HOSTILE = "Gas\x1b]0;owned\x07 prices\x9b2J fell\x00."
CLEAN = "Gas]0;owned prices2J fell."
RAW = ("\x1b", "\x07", "\x9b", "\x00")


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with TM.open(path) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Prices", fingerprint="p"))
        tm.add_units([UnitIn("Oil prices rose.", "Цены на нефть выросли.")], document=doc)
    return path


def units(db: Path) -> list[tuple[str, str]]:
    with TM.open(db, readonly=True) as tm:
        return [(u.en, u.ru) for u in tm.iter_units()]


def test_cli_edit_drops_control_characters_and_refuses_an_empty_side(db: Path) -> None:
    res = runner.invoke(app, ["edit", "1", "--en", HOSTILE, "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert units(db) == [(CLEAN, "Цены на нефть выросли.")]
    res = runner.invoke(app, ["edit", "1", "--ru", "\x00\x1b ", "--db", str(db)])
    assert res.exit_code == 1 and "empty" in res.stderr
    assert units(db) == [(CLEAN, "Цены на нефть выросли.")]


def test_tmx_import_drops_control_characters(db: Path, tmp_path: Path) -> None:
    """C1 controls are legal XML; a terminal reads U+009B as CSI. A segment of nothing else is
    not a unit."""
    tmx = tmp_path / "in.tmx"
    body = ('<tu><tuv xml:lang="en"><seg>Prices\u009b2J rose.</seg></tuv>'
            '<tuv xml:lang="ru"><seg>Цены\u009d выросли.</seg></tuv></tu>'
            '<tu><tuv xml:lang="en"><seg>\u0085\u009b</seg></tuv>'
            '<tuv xml:lang="ru"><seg>Пусто.</seg></tuv></tu>')
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   f' srclang="en" datatype="plaintext"/><body>{body}</body></tmx>',
                   encoding="utf-8")
    res = runner.invoke(app, ["import", str(tmx), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert units(db)[1:] == [("Prices2J rose.", "Цены выросли.")]


def test_tmx_document_props_dates_checked_and_titles_bounded(db: Path, tmp_path: Path) -> None:
    """A date 2026-13-45 and a 2 MB title were stored as given (the editor could not save)."""
    prop = json.dumps({"title": "T\x1b" + "x" * 2_000_000, "date": "2026-13-45",
                       "position": 0, "fingerprint": "f1"})
    tmx = tmp_path / "docs.tmx"
    tmx.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                   ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                   ' srclang="en" datatype="plaintext"/><body><tu>'
                   f'<prop type="x-diptych-doc">{prop}</prop>'
                   '<tuv xml:lang="en"><seg>Bread got dearer.</seg></tuv>'
                   '<tuv xml:lang="ru"><seg>Хлеб подорожал.</seg></tuv></tu></body></tmx>',
                   encoding="utf-8")
    res = runner.invoke(app, ["import", str(tmx), "--db", str(db)])
    assert res.exit_code == 0, res.output
    with TM.open(db, readonly=True) as tm:
        doc = tm.documents()[-1]
    assert doc.date is None and doc.title is not None
    assert len(doc.title) <= 1_000 and "\x1b" not in doc.title


def test_add_titles_lose_control_characters(db: Path, tmp_path: Path) -> None:
    from tm.service import AddRequest

    req = AddRequest("a.txt", "b.txt", title="Headline\x1b[2J\x00 of\nthe day", url=None)
    assert req.title == "Headline[2J of the day"


def test_terminal_output_shows_what_an_old_memory_holds(tmp_path: Path) -> None:
    """Units and titles written before the cleaning (or by another tool) are printed with
    visible symbols, not executed by the terminal."""
    path = tmp_path / "old.db"
    with TM.open(path) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Title\x1b]0;owned\x07", fingerprint="o"))
        tm.add_units([UnitIn(HOSTILE, "Цены\x9b2J упали.")], document=doc)
    for args in (["documents"], ["documents", "--units", "1"], ["search", "Gas prices fell"],
                 ["search", "prices", "--mode", "concordance"]):
        res = runner.invoke(app, [*args, "--db", str(path)])
        assert res.exit_code == 0, (args, res.output)
        assert not any(c in res.output for c in RAW), (args, res.output)
        assert "␛" in res.output or "\ufffd" in res.output, (args, res.output)
    res = runner.invoke(app, ["documents", "--json", "--db", str(path)])
    assert not any(c in res.output for c in RAW) and "\\u001b" in res.output
