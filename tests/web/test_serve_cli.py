"""`diptych serve`: bad input is one line and exit code 1, before anything listens."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tm.cli import app


def test_serve_refuses_a_missing_memory(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.startswith("diptych: error: no translation memory at")
    assert not (tmp_path / "none.db").exists()


def test_serve_refuses_a_short_token(memory: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--db", str(memory), "--token", "short"])
    assert result.exit_code == 1 and "at least 16 characters" in result.output


def test_serve_is_listed_with_the_other_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "serve" in result.output
