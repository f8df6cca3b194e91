"""``diptych review EN RU``: uses the desk serving the memory or starts one, and opens the
editor for the pair; bad input is one line and exit code 1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import typer
from typer.testing import CliRunner

from tm.errors import TMError
from tm.web import editor_cli


def _app() -> typer.Typer:
    app = typer.Typer()
    editor_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group, so `review` is a subcommand
    return app


def test_a_missing_file_is_one_line_and_exit_1(tmp_path: Path, root: Path) -> None:
    result = CliRunner().invoke(_app(), ["review", str(tmp_path / "nope.txt"),
                                         str(root / "corpora/sample.ru.txt"),
                                         "--db", str(tmp_path / "m.db"), "--no-browser"])
    assert result.exit_code == 1
    assert isinstance(result.exception, TMError)
    assert "English edition" in str(result.exception) and "is not a file" in str(result.exception)


def test_review_opens_the_editor_of_the_running_desk(serve, memory: Path, root: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(memory)
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.setattr(editor_cli.subprocess, "Popen", None)  # must not start another desk
    en, ru = root / "corpora/sample.en.txt", root / "corpora/sample.ru.txt"
    url = editor_cli.review(str(en), str(ru), db=memory, port=server.port)
    assert opened == [url]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == server.base and parts.path == "/editor"
    assert parse_qs(parts.query) == {"en": [str(en.resolve())], "ru": [str(ru.resolve())]}
    page = httpx.get(url).text
    assert f'data-en-path="{en.resolve()}"' in page


def test_review_refuses_a_desk_serving_another_memory(serve, memory: Path, tmp_path: Path,
                                                      root: Path) -> None:
    server = serve(memory)
    with pytest.raises(TMError, match="serves .*desk.db, not"):
        editor_cli.review(str(root / "corpora/sample.en.txt"),
                          str(root / "corpora/sample.ru.txt"), db=tmp_path / "other.db",
                          port=server.port, browser=False)


def test_review_starts_a_desk_when_none_runs(memory: Path) -> None:
    from tests.web.conftest import free_port

    base, proc = editor_cli.ensure_server(str(memory), free_port(), echo=False)
    try:
        assert proc is not None
        assert httpx.get(base + "/api/align/memory").json() == {"db": str(memory.resolve())}
        assert editor_cli.ensure_server(str(memory), int(base.rsplit(":", 1)[1]))[1] is None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


def test_review_without_the_web_extra_says_so_once(tmp_path: Path, root: Path,
                                                   monkeypatch) -> None:
    """One 'diptych: error:' line naming the extra, not the server's error inside ours."""
    import sys

    from tm.cli import app

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    result = CliRunner().invoke(app, ["review", str(root / "corpora/sample.en.txt"),
                                      str(root / "corpora/sample.ru.txt"),
                                      "--db", str(tmp_path / "m.db"), "--no-browser"])
    assert result.exit_code == 1
    assert result.stderr.count("diptych: error:") == 1
    assert "pip install 'diptych[web]'" in result.stderr
