"""The schema, as migrations, and how a connection is opened.

The schema version is SQLite's ``user_version``; each entry of :data:`MIGRATIONS` upgrades it
by one, inside a transaction, when the file is opened. Never edit a released entry: append one.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tm.errors import TMError

BUSY_TIMEOUT_MS = 30_000

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        title TEXT, url TEXT, date TEXT,
        en_path TEXT, ru_path TEXT, en_sha256 TEXT, ru_sha256 TEXT,
        fingerprint TEXT UNIQUE,
        added TEXT NOT NULL,
        meta TEXT
    );
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        en TEXT NOT NULL, ru TEXT NOT NULL,
        en_lang TEXT NOT NULL DEFAULT 'en', ru_lang TEXT NOT NULL DEFAULT 'ru',
        en_markup TEXT, ru_markup TEXT,
        score REAL,
        origin TEXT NOT NULL CHECK (origin IN ('aligned', 'imported', 'edited')),
        created TEXT NOT NULL, changed TEXT NOT NULL,
        meta TEXT,
        en_key INTEGER NOT NULL, ru_key INTEGER NOT NULL
    );
    CREATE INDEX units_en_key ON units (en_key);
    CREATE INDEX units_ru_key ON units (ru_key);
    CREATE INDEX units_changed ON units (changed);
    CREATE TABLE unit_docs (
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        unit_id INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
        PRIMARY KEY (doc_id, position, unit_id)
    ) WITHOUT ROWID;
    CREATE INDEX unit_docs_unit ON unit_docs (unit_id);
    -- stemmed words of each side (tm.text.tokens.fts_text); rowid = units.id
    CREATE VIRTUAL TABLE units_fts USING fts5 (en, ru, content='',
        tokenize='unicode61 remove_diacritics 0');
    -- one int8 vector per unit: the normalised sum of both sides' embeddings, times 127
    CREATE TABLE embeddings (
        unit_id INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
        vec BLOB NOT NULL
    );
    """,
    """
    -- a unit's text before each edit, newest last: `diptych edit --undo` restores it
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
        en TEXT NOT NULL, ru TEXT NOT NULL,
        en_markup TEXT, ru_markup TEXT,
        origin TEXT NOT NULL, changed TEXT NOT NULL,
        edited TEXT NOT NULL
    );
    CREATE INDEX history_unit ON history (unit_id, id);
    """,
    """
    -- term translations (tm.terms.lexicon, tm.store.terms): word associations between the sides,
    -- Dice over eflomal link counts, and each aligned unit's links (uint8 index pairs)
    CREATE TABLE lexicon (
        en TEXT NOT NULL, ru TEXT NOT NULL, score REAL NOT NULL,
        PRIMARY KEY (en, ru)
    ) WITHOUT ROWID;
    CREATE INDEX lexicon_ru ON lexicon (ru);
    CREATE TABLE unit_links (
        unit_id INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
        links BLOB NOT NULL
    );
    """,
    """
    -- a document's units (JSON) and title, URL, date before each replacement by the alignment
    -- editor, newest last: undoing the replacement puts them back
    CREATE TABLE document_history (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        units TEXT NOT NULL,
        title TEXT, url TEXT, date TEXT,
        replaced TEXT NOT NULL
    );
    CREATE INDEX document_history_doc ON document_history (doc_id, id);
    """,
    """
    -- origin 'translated': a segment confirmed in the desk's translate page. SQLite cannot
    -- alter a CHECK constraint; loosening it in the stored schema is the documented way (every
    -- stored value still passes); _migrate then bumps schema_version so connections reparse it
    PRAGMA writable_schema = ON;
    UPDATE sqlite_schema SET sql = replace(sql, '''edited'')', '''edited'', ''translated'')')
        WHERE type = 'table' AND name = 'units';
    PRAGMA writable_schema = OFF;
    """,
    """
    -- a team on one memory: who made and who last changed each unit, who made each earlier
    -- text and who replaced it, who last replaced a document's units; a version per unit and per
    -- document, bumped by every change, so a save based on an older one is refused
    ALTER TABLE units ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE units ADD COLUMN created_by TEXT;
    ALTER TABLE units ADD COLUMN changed_by TEXT;
    ALTER TABLE history ADD COLUMN changed_by TEXT;
    ALTER TABLE history ADD COLUMN edited_by TEXT;
    ALTER TABLE history ADD COLUMN version INTEGER;
    ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE documents ADD COLUMN changed TEXT;
    ALTER TABLE documents ADD COLUMN changed_by TEXT;
    -- the people of a shared desk (diptych users): a token is kept only as its SHA-256
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('reader', 'translator', 'admin')),
        token_sha256 TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL, created_by TEXT
    );
    -- a pair list shared by `add --batch` workers (job = the list's SHA-256, item = its line):
    -- a claim expires at `until` (Unix seconds) unless its worker finishes or renews it
    CREATE TABLE batch_items (
        job TEXT NOT NULL, item INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'failed')),
        host TEXT, worker TEXT, until REAL, finished TEXT, message TEXT,
        PRIMARY KEY (job, item)
    );
    """,
)


def connect(path: Path, *, readonly: bool = False, immutable: bool = False,
            mode: str | None = None) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), foreign keys on.

    ``readonly`` opens the file with SQLite's ``mode=ro``: nothing can change it. ``immutable``
    also makes SQLite create no ``-wal``/``-shm`` files (only to look at a file that may not be
    ours, or on a read-only medium: it does not see other processes' writes). ``mode``
    overrides SQLite's open mode (``rw``: an existing file only). WAL is switched on by
    :meth:`tm.store.sqlite.store.SqliteStore.open` only once the file is known to be ours.
    """
    from urllib.parse import quote

    mode = mode or ("ro" if readonly else "rwc")
    target = (f"file:{quote(str(path.absolute()))}?mode={mode}"
              + ("&immutable=1" if immutable else ""))
    try:
        conn = sqlite3.connect(target, uri=True, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB: big imports insert into big indexes
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        from tm.store.sqlite.check import explain

        raise TMError(explain(exc, path)) from None
    return conn


def use_wal(conn: sqlite3.Connection) -> None:
    """WAL and synchronous=NORMAL: readers never wait for the writer (our files only).

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
    once, without waiting out the busy timeout, while another process is creating the same
    memory (two `add` at once): the switch is tried again for a few seconds."""
    import time

    for attempt in range(10):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 9:
                raise
            time.sleep(0.02 * 2**attempt)
    conn.execute("PRAGMA synchronous = NORMAL")


def split_sql(script: str) -> list[str]:
    """Statements of a migration script (no semicolons inside literals in our migrations)."""
    script = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in script.split(";") if s.strip()]
