"""Fixtures of the web tests: a small memory, an in-process client, a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web desk needs its extra: pip install -e '.[web]'")

from tm.store import TM, DocumentIn, UnitIn

PAIRS = [
    ("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
    ("The government approved the new budget on Tuesday.",
     "Во вторник правительство одобрило новый бюджет."),
    ("Migrants crossed the border at night.", "Мигранты пересекли границу ночью."),
    ("The police detained three migrants near the station.",
     "Полиция задержала трех мигрантов возле вокзала."),
    ("The museum opens at 10 a.m. on weekdays.", "По будням музей открывается в 10 часов утра."),
    ("The new rail shuttle links Tashkent and Shymkent.",
     "Новый железнодорожный челнок связывает Ташкент и Шымкент."),
]
HOSTILE = [
    ("Alert <script>window.__pwned = 1</script> here.",
     "Тревога <script>window.__pwned = 1</script> здесь."),
    ("Picture <img src=x onerror=\"window.__pwned = 2\"> there.",
     "Картинка <img src=x onerror=\"window.__pwned = 2\"> там."),
    ("Quote \"><svg onload=\"window.__pwned = 3\"> end.",
     "Цитата \"><svg onload=\"window.__pwned = 3\"> конец."),
]

HOSTILE_TITLE = "<img src=x onerror=window.__pwned=4>"


def make_memory(path: Path, pairs: list[tuple[str, str]] = PAIRS) -> Path:
    with TM.open(path) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Evening news", url="https://example.org/news",
                                            date="2024-05-01", fingerprint="evening"))
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in pairs], document=doc,
                     origin="aligned")
    return path


@pytest.fixture()
def memory(tmp_path: Path) -> Path:
    return make_memory(tmp_path / "desk.db")


@pytest.fixture()
def hostile_memory(tmp_path: Path) -> Path:
    """A memory whose units hold markup that would run if it were not escaped, imported from
    TMX as a foreign memory would be."""
    from xml.sax.saxutils import escape

    from tm.tmx import import_tmx

    tus = "".join(
        f'<tu><tuv xml:lang="en"><seg>{escape(en)}</seg></tuv>'
        f'<tuv xml:lang="ru"><seg>{escape(ru)}</seg></tuv></tu>' for en, ru in HOSTILE)
    tmx = tmp_path / f"{HOSTILE_TITLE}.tmx"  # the document is named after the file
    tmx.write_text('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header'
                   ' creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t"'
                   ' adminlang="en" srclang="en" datatype="plaintext"/><body>'
                   f"{tus}</body></tmx>", encoding="utf-8")
    db = make_memory(tmp_path / "hostile.db")
    with TM.open(db) as tm:
        report = import_tmx(tm, tmx)
    assert report.added == len(HOSTILE)
    return db


@pytest.fixture()
def client_for() -> Iterator[Callable[..., object]]:
    """``client_for(db, **settings)``: a TestClient of the app, addressed as 127.0.0.1."""
    from fastapi.testclient import TestClient

    from tm.web.app import create_app
    from tm.web.common import Settings

    opened: list[TestClient] = []

    def make(db: Path, **kwargs: object) -> TestClient:
        client = TestClient(create_app(Settings(db=db, **kwargs)),  # type: ignore[arg-type]
                            base_url="http://127.0.0.1:8765")
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture()
def client(memory: Path, client_for: Callable[..., object]) -> object:
    return client_for(memory)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m tm.web`` in a subprocess, on 127.0.0.1 at a free port."""

    def __init__(self, db: Path, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tm.web", "--db", str(db), "--port", str(self.port),
             "--workers", "1", *args], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:  # wait until it accepts connections (startup loads the library)
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read()}")  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start in 60 s") from None
                time.sleep(0.1)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and what it printed on stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err


@pytest.fixture()
def serve() -> Iterator[Callable[..., Server]]:
    """``serve(db, *options)`` starts a real server; all are stopped after the test."""
    started: list[Server] = []

    def start(db: Path, *args: str) -> Server:
        server = Server(db, *args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
