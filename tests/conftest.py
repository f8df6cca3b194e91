"""Shared fixtures: paths to ../shared, a temp cache, and the default encoder loaded once."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis keeps no example database or caches in the working directory (tests never write
# there); its storage directory is read lazily, so setting it here still takes effect.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="diptych-hypothesis-"))
settings.register_profile("diptych", database=None, deadline=None)
settings.load_profile("diptych")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the on-disk embedding cache and default TM out of the user's home and the cwd."""
    os.environ["DIPTYCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


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
