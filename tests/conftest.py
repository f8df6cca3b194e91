"""Shared fixtures: paths to ../shared, a temp cache, and the default encoder loaded once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("diptych", database=None, deadline=None)
settings.load_profile("diptych")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the embedding cache, the default TM (user data folder) and Hypothesis' files out
    of the user's home and the working directory; restored after the session. Hypothesis reads
    its storage directory lazily, so setting it here, before any test, takes effect."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DIPTYCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
        mp.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(tmp_path_factory.mktemp("hypothesis")))
        yield


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder (benchmark corpora, TMX DTD)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def encoder():
    """The default embedded encoder (USE multilingual v3), loaded once per test session."""
    from align.embed import load_encoder

    return load_encoder("use-m3")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def news_site() -> Iterator[str]:
    """tests/data/news (our own EN/RU news pages) served over http.server: no internet."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(_Quiet, directory=str(ROOT / "tests" / "data" / "news")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
