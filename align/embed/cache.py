"""An on-disk cache of sentence vectors, keyed by (model name and version, text).

One SQLite file in WAL mode, so concurrent processes can read and write it; bounded in size
(oldest entries go first); and never fatal: if the file is corrupt or unwritable, the cache turns
itself off for the process and the vectors are computed instead. The folder also holds the
default encoder's weights, unpacked once (:mod:`align.embed.usem3_weights`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EmbeddingCache", "default_cache_dir"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 512 * 2**20


def default_cache_dir() -> Path:
    """``$DIPTYCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/diptych``, else ``~/.cache/diptych``."""
    if os.environ.get("DIPTYCH_CACHE_DIR"):
        return Path(os.environ["DIPTYCH_CACHE_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "diptych"
    return Path.home() / ".cache" / "diptych"


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """Vectors by (model, text) in ``folder/embeddings.sqlite``; at most ``max_bytes`` on disk."""

    def __init__(self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = Path(folder) / "embeddings.sqlite"
        self.max_bytes = max_bytes
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL,"
                " vec BLOB NOT NULL, PRIMARY KEY (model, key))"
            )
            self._db = db
        return self._db

    def _disable(self, exc: Exception) -> None:
        log.warning("embedding cache %s is unusable (%s); computing without it", self.path, exc)
        self._broken = True
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def _lookup(self, model: str, keys: list[bytes]) -> dict[bytes, bytes]:
        db = self._connect()
        found: dict[bytes, bytes] = {}
        for lo in range(0, len(keys), 500):
            part = keys[lo : lo + 500]
            marks = ",".join("?" * len(part))
            rows = db.execute(
                f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({marks})", [model, *part]
            )
            found.update(rows)
        return found

    def _store(self, model: str, items: list[tuple[bytes, bytes]]) -> None:
        db = self._connect()
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)",
                [(model, k, v) for k, v in items],
            )
        self._prune(db)

    def _prune(self, db: sqlite3.Connection) -> None:
        """Drop the oldest quarter of the entries while the file is over its bound."""
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = pages * db.execute("PRAGMA page_size").fetchone()[0]
        if size <= self.max_bytes:
            return
        n = db.execute("SELECT count(*) FROM vectors").fetchone()[0]
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "DELETE FROM vectors WHERE rowid IN"
                " (SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)",
                (max(1, n // 4),),
            )
        db.execute("PRAGMA incremental_vacuum")

    def get_or_compute(
        self, model: str, texts: Sequence[str], compute: Callable[[Sequence[str]], np.ndarray]
    ) -> np.ndarray:
        """Rows for ``texts``: cached ones read back, the others computed (once) and stored.

        ``compute`` runs only when some text is missing, so a fully cached call loads no model.
        """
        import numpy as np

        if not texts:
            return np.asarray(compute([]), dtype=np.float32)
        keys = [_key(t) for t in texts]
        found: dict[bytes, bytes] = {}
        if not self._broken:
            try:
                found = self._lookup(model, list(set(keys)))
            except (sqlite3.Error, OSError) as exc:
                self._disable(exc)
        rows: list[np.ndarray | None] = [None] * len(texts)
        for i, k in enumerate(keys):
            blob = found.get(k)
            if blob and len(blob) % 4 == 0:
                rows[i] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, r in enumerate(rows) if r is None]
        if missing:
            todo: dict[str, int] = {}
            for i in missing:
                todo.setdefault(texts[i], len(todo))
            fresh = np.asarray(compute(list(todo)), dtype=np.float32)
            for i in missing:
                rows[i] = fresh[todo[texts[i]]]
            if not self._broken:
                try:
                    self._store(model, [(_key(t), fresh[j].tobytes()) for t, j in todo.items()])
                except (sqlite3.Error, OSError) as exc:
                    self._disable(exc)
        if len({r.shape for r in rows if r is not None}) > 1:  # stale entries of another shape
            log.warning("embedding cache %s holds vectors of another shape; recomputing", self.path)
            return np.asarray(compute(list(texts)), dtype=np.float32)
        return np.stack(rows)  # type: ignore[arg-type]


def encode_cached(cache: EmbeddingCache | None, model: str, texts: Sequence[str],
                  compute: Callable[[Sequence[str]], np.ndarray], dim: int) -> np.ndarray:
    """An encoder's ``encode``: ``(0, dim)`` for no text, else ``compute`` through ``cache``
    (when there is one) under the name ``model``."""
    if not texts:
        import numpy as np

        return np.zeros((0, dim), np.float32)
    return compute(texts) if cache is None else cache.get_or_compute(model, texts, compute)
