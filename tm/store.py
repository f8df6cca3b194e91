"""The translation memory: one SQLite file, schema versioned by migrations, WAL mode.

Public API (used by the commands and by ``tm.tmx``)::

    tm = TM.open(path)            # None -> $DIPTYCH_DB or ./diptych.db; migrations applied on open
    with tm.transaction():        # BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception);
        ...                       # re-entrant: inner blocks join the outer transaction
    doc_id, new = tm.add_document(DocumentIn(title=..., fingerprint=...))
    counts = tm.add_units(units, document=doc_id, origin="imported")  # ONE transaction, all or nothing
    unit_id, is_new = tm.add_unit(unit_in, document=doc_id, origin="aligned")  # one at a time
    for unit in tm.iter_units(doc=None, since=None, min_score=None): ...  # streaming, constant memory
    tm.get_unit(id) / tm.find_exact(text, "en") / tm.count_units() / tm.documents() / tm.close()

A unit is an English/Russian pair. ``en``/``ru`` hold the plain text (used for search and exact
matching); ``en_markup``/``ru_markup`` hold a side's TMX ``<seg>`` inner XML verbatim when it
carries inline tags (``<bpt>``, ``<ept>``, ``<ph>``...), else ``None``; ``en_lang``/``ru_lang`` the
original language codes (``en-US``, ``ru-RU``); ``meta`` any JSON-serialisable mapping kept
verbatim, for TMX round trips (suggested keys: ``"tu"`` TU attributes, ``"props"`` ``[[type,
value], ...]`` in order, ``"notes"``, and per side ``"en"``/``"ru"`` with their own attrs, props
and notes). The same ``(en, ru)`` text is stored once: adding it again links the new document
to the existing unit (``unit_docs``: document, position) and keeps the first unit's meta/markup.
A document's ``fingerprint`` (e.g. the SHA-256 of both files) is unique: adding the same
article pair twice adds nothing.

Schema: ``documents``, ``units`` (plus 64-bit hashes of each side, indexed, for exact lookups and
de-duplication), ``unit_docs`` (unit <-> document links with positions), ``units_fts`` (FTS5 over
each side's Snowball stems; contentless, rowid = unit id), ``embeddings`` (one int8 vector per
unit, see tm.vectors), ``settings``. The schema version is SQLite's ``user_version``; each entry of
:data:`MIGRATIONS` upgrades it by one, inside a transaction, when the file is opened.

Concurrency: every write runs in ``BEGIN IMMEDIATE`` with a 30 s busy timeout and a retry, so two
processes adding at once both succeed (one waits for the other). SQLite errors during a write
(disk full...) roll back and become a :class:`TMError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from tm.errors import TMError
from tm.textproc import fts_text

Origin = Literal["aligned", "imported", "edited"]
ORIGINS: tuple[str, ...] = ("aligned", "imported", "edited")
DEFAULT_DB = "diptych.db"
BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    """``$DIPTYCH_DB`` or ``./diptych.db``."""
    return Path(os.environ.get("DIPTYCH_DB") or DEFAULT_DB)


def now_iso() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_key(text: str) -> int:
    """A signed 64-bit hash of a text, indexed for exact lookups and de-duplication."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big",
                          signed=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (document fingerprints)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class UnitIn:
    """A unit to add. Empty ``en`` or ``ru`` (after stripping) is skipped, never stored."""

    en: str
    ru: str
    score: float | None = None
    position: int | None = None
    en_lang: str = "en"
    ru_lang: str = "ru"
    en_markup: str | None = None
    ru_markup: str | None = None
    meta: Mapping[str, Any] | None = None
    created: str | None = None
    changed: str | None = None


@dataclass(frozen=True)
class Unit:
    """A stored unit. ``docs`` lists ``(document id, position)`` for every document it came from."""

    id: int
    en: str
    ru: str
    score: float | None
    origin: str
    created: str
    changed: str
    en_lang: str = "en"
    ru_lang: str = "ru"
    en_markup: str | None = None
    ru_markup: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    docs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DocumentIn:
    """A source of units: an article pair (title, URL, date, file hashes) or an imported file."""

    title: str | None = None
    url: str | None = None
    date: str | None = None
    en_path: str | None = None
    ru_path: str | None = None
    en_sha256: str | None = None
    ru_sha256: str | None = None
    fingerprint: str | None = None
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Document:
    id: int
    title: str | None
    url: str | None
    date: str | None
    en_path: str | None
    ru_path: str | None
    en_sha256: str | None
    ru_sha256: str | None
    fingerprint: str | None
    added: str
    units: int = 0


@dataclass(frozen=True)
class AddCounts:
    """What :meth:`TM.add_units` did: new units, units already stored (linked to the document
    if one was given), and pairs skipped because a side was empty."""

    added: int = 0
    existing: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"{self.added} new units, {self.existing} already stored, {self.skipped} skipped"


# --------------------------------------------------------------------------- migrations
# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
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
    -- stemmed words of each side (tm.textproc.fts_text); rowid = units.id
    CREATE VIRTUAL TABLE units_fts USING fts5 (en, ru, content='',
        tokenize='unicode61 remove_diacritics 0');
    -- one int8 vector per unit: the normalised sum of both sides' embeddings, times 127
    CREATE TABLE embeddings (
        unit_id INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
        vec BLOB NOT NULL
    );
    """,
)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MB: big imports insert into big indexes
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise TMError(f"cannot open translation memory {path}: {exc}; pass --db with the path of "
                      "a diptych database (or a new file name to create one)") from None
    return conn


class TM:
    """A translation memory in one SQLite file. Open with :meth:`open`; close or use ``with``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> TM:
        """Open (or create) the TM at ``path`` and bring its schema up to date.

        ``create=False`` refuses a missing file (for read-only commands such as ``search``).
        """
        p = Path(path) if path is not None else default_db_path()
        if p.is_dir():
            raise TMError(f"{p} is a directory: pass --db with a database file name")
        if not p.exists() and not create:
            raise TMError(f"no translation memory at {p}: create one with `diptych add EN RU` "
                          "or `diptych import FILE.tmx`, or pass --db / set DIPTYCH_DB")
        if not p.parent.exists():
            raise TMError(f"cannot create {p}: folder {p.parent} does not exist")
        tm = cls(_connect(p), p)
        tm._migrate()
        return tm

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TM:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise TMError(f"{self.path} is not a diptych database ({exc}): pass --db with "
                          "another path") from None
        if version > len(MIGRATIONS):
            raise TMError(f"{self.path} has schema version {version}, newer than this diptych "
                          f"understands ({len(MIGRATIONS)}): upgrade diptych")
        if version == len(MIGRATIONS):
            return
        with self.transaction():
            version = self.schema_version  # another process may have migrated meanwhile
            for number in range(version, len(MIGRATIONS)):
                for statement in _split_sql(MIGRATIONS[number]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[TM]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; ``ROLLBACK`` if the block raises. Re-entrant."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield self
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, I/O error...: nothing is written
            self._rollback()
            raise TMError(f"cannot write to {self.path}: {exc}; nothing was changed") from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _begin(self) -> None:
        for attempt in range(8):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise TMError(f"cannot write to {self.path}: {exc}") from None
                time.sleep(0.05 * 2**attempt)
        raise TMError(f"{self.path} stayed locked by another process for too long: try again "
                      "when the other diptych command has finished")

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                              (key, value))

    # ------------------------------------------------------------------ documents
    def add_document(self, doc: DocumentIn) -> tuple[int, bool]:
        """Store a document; returns ``(id, True)``, or ``(existing id, False)`` when a document
        with the same fingerprint is already stored."""
        with self.transaction():
            if doc.fingerprint is not None:
                row = self.conn.execute("SELECT id FROM documents WHERE fingerprint = ?",
                                        (doc.fingerprint,)).fetchone()
                if row is not None:
                    return int(row[0]), False
            cur = self.conn.execute(
                "INSERT INTO documents (title, url, date, en_path, ru_path, en_sha256, ru_sha256,"
                " fingerprint, added, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.title, doc.url, doc.date, doc.en_path, doc.ru_path, doc.en_sha256,
                 doc.ru_sha256, doc.fingerprint, now_iso(),
                 None if doc.meta is None else json.dumps(doc.meta, ensure_ascii=False)))
            return int(cur.lastrowid or 0), True

    def find_document(self, fingerprint: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE fingerprint = ?",
                                (fingerprint,)).fetchone()
        return None if row is None else int(row[0])

    def documents(self) -> list[Document]:
        """All documents, oldest first, with their unit counts."""
        rows = self.conn.execute(
            "SELECT d.id, title, url, date, en_path, ru_path, en_sha256, ru_sha256, fingerprint,"
            " added, (SELECT count(*) FROM unit_docs u WHERE u.doc_id = d.id)"
            " FROM documents d ORDER BY d.id").fetchall()
        return [Document(*row) for row in rows]

    def resolve_document(self, ref: str) -> int:
        """A document id from a ``--doc`` value: its id, fingerprint, title or URL."""
        if ref.isdigit():
            row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (int(ref),)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM documents WHERE fingerprint = ? OR title = ? OR url = ?"
                " ORDER BY id LIMIT 1", (ref, ref, ref)).fetchone()
        if row is None:
            raise TMError(f"no document {ref!r} in {self.path}: `diptych stats` lists them")
        return int(row[0])

    # ------------------------------------------------------------------ units
    def add_units(self, units: Iterable[UnitIn], *, document: int | None = None,
                  origin: Origin = "imported", batch: int = 2000) -> AddCounts:
        """Add units in ONE transaction (all or nothing); duplicates link to the stored unit.

        ``units`` is consumed as a stream, ``batch`` at a time (memory stays bounded).
        """
        if origin not in ORIGINS:
            raise TMError(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
        totals = [0, 0, 0]
        stamp = now_iso()
        with self.transaction():
            buf: list[tuple[int, UnitIn]] = []
            for position, u in enumerate(units):
                buf.append((position, u))
                if len(buf) >= batch:
                    self._add_batch(buf, document, origin, stamp, totals)
                    buf = []
            if buf:
                self._add_batch(buf, document, origin, stamp, totals)
        return AddCounts(*totals)

    def _add_batch(self, buf: list[tuple[int, UnitIn]], document: int | None, origin: str,
                   stamp: str, totals: list[int]) -> None:
        """One batch of :meth:`add_units`: one look-up for duplicates, bulk inserts."""
        conn = self.conn
        rows = []
        for position, u in buf:
            en, ru = u.en.strip(), u.ru.strip()
            if not en or not ru:
                totals[2] += 1
                continue
            rows.append((position, u, en, ru, text_key(en)))
        known: dict[tuple[str, str], int] = {}
        keys = list({r[4] for r in rows})
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for unit_id, en, ru in conn.execute(
                    f"SELECT id, en, ru FROM units WHERE en_key IN ({','.join('?' * len(chunk))})",
                    chunk):
                known[(en, ru)] = int(unit_id)
        next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]) + 1
        new_units, fts_rows, links, scores = [], [], [], []
        for position, u, en, ru, ek in rows:
            unit_id = known.get((en, ru))
            if unit_id is None:
                unit_id = known[(en, ru)] = next_id
                next_id += 1
                new_units.append((
                    unit_id, en, ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score,
                    origin, u.created or stamp, u.changed or u.created or stamp,
                    json.dumps(u.meta, ensure_ascii=False) if u.meta else None, ek,
                    text_key(ru)))
                fts_rows.append((unit_id, fts_text(en, "en"), fts_text(ru, "ru")))
                totals[0] += 1
            else:
                totals[1] += 1
                if u.score is not None:
                    scores.append((u.score, unit_id, u.score))
            if document is not None:
                links.append((document, u.position if u.position is not None else position,
                              unit_id))
        conn.executemany(
            "INSERT INTO units (id, en, ru, en_lang, ru_lang, en_markup, ru_markup, score, origin,"
            " created, changed, meta, en_key, ru_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            new_units)
        conn.executemany("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)", fts_rows)
        conn.executemany("UPDATE units SET score = ? WHERE id = ? AND (score IS NULL OR score < ?)",
                         scores)
        conn.executemany("INSERT OR IGNORE INTO unit_docs (doc_id, position, unit_id)"
                         " VALUES (?, ?, ?)", links)

    def add_unit(self, u: UnitIn, *, document: int | None = None, origin: Origin = "imported",
                 position: int = 0, stamp: str | None = None) -> tuple[int | None, bool]:
        """Add one unit (inside the caller's transaction, or its own): ``(id, is_new)``, or
        ``(None, False)`` when a side is empty. ``u.position`` overrides ``position``."""
        en, ru = u.en.strip(), u.ru.strip()
        if not en or not ru:
            return None, False
        if origin not in ORIGINS:
            raise TMError(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
        conn = self.conn
        stamp = stamp or now_iso()
        ek, rk = text_key(en), text_key(ru)
        with self.transaction():
            row = conn.execute("SELECT id FROM units WHERE en_key = ? AND ru_key = ?"
                               " AND en = ? AND ru = ?", (ek, rk, en, ru)).fetchone()
            if row is not None:
                unit_id, new = int(row[0]), False
                if u.score is not None:
                    conn.execute("UPDATE units SET score = ? WHERE id = ? AND"
                                 " (score IS NULL OR score < ?)", (u.score, unit_id, u.score))
            else:
                cur = conn.execute(
                    "INSERT INTO units (en, ru, en_lang, ru_lang, en_markup, ru_markup, score,"
                    " origin, created, changed, meta, en_key, ru_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (en, ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score, origin,
                     u.created or stamp, u.changed or u.created or stamp,
                     json.dumps(u.meta, ensure_ascii=False) if u.meta else None, ek, rk))
                unit_id, new = int(cur.lastrowid or 0), True
                conn.execute("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)",
                             (unit_id, fts_text(en, "en"), fts_text(ru, "ru")))
            if document is not None:
                conn.execute("INSERT OR IGNORE INTO unit_docs (doc_id, position, unit_id)"
                             " VALUES (?, ?, ?)",
                             (document, u.position if u.position is not None else position,
                              unit_id))
        return unit_id, new

    _UNIT_COLUMNS = ("id, en, ru, score, origin, created, changed, en_lang, ru_lang, en_markup,"
                     " ru_markup, meta")

    def _unit(self, row: tuple[Any, ...], with_docs: bool = True) -> Unit:
        docs: tuple[tuple[int, int], ...] = ()
        if with_docs:
            docs = tuple((int(d), int(p)) for d, p in self.conn.execute(
                "SELECT doc_id, position FROM unit_docs WHERE unit_id = ? ORDER BY doc_id,"
                " position", (row[0],)))
        return Unit(id=row[0], en=row[1], ru=row[2], score=row[3], origin=row[4], created=row[5],
                    changed=row[6], en_lang=row[7], ru_lang=row[8], en_markup=row[9],
                    ru_markup=row[10], meta=json.loads(row[11]) if row[11] else {}, docs=docs)

    def get_unit(self, unit_id: int) -> Unit | None:
        row = self.conn.execute(f"SELECT {self._UNIT_COLUMNS} FROM units WHERE id = ?",
                                (unit_id,)).fetchone()
        return None if row is None else self._unit(row)

    def get_units(self, ids: Iterable[int]) -> dict[int, Unit]:
        """Units by id (missing ids are absent from the result)."""
        out: dict[int, Unit] = {}
        for unit_id in ids:
            unit = self.get_unit(unit_id)
            if unit is not None:
                out[unit_id] = unit
        return out

    def iter_units(self, doc: int | None = None, since: str | None = None,
                   min_score: float | None = None, *, with_docs: bool = False,
                   batch: int = 1000) -> Iterator[Unit]:
        """Stream units in id order (or in document order with ``doc``), in constant memory.

        ``since`` keeps units changed at or after an ISO date/time; ``min_score`` keeps units
        whose alignment score is at least that (units without a score, e.g. imported, pass).
        """
        where: list[str] = []
        args: list[object] = []
        if since is not None:
            where.append("u.changed >= ?")
            args.append(since)
        if min_score is not None:
            where.append("(u.score IS NULL OR u.score >= ?)")
            args.append(min_score)
        cols = ", ".join("u." + c.strip() for c in self._UNIT_COLUMNS.split(","))
        if doc is not None:
            # documents are small: one query in position order
            sql = (f"SELECT {cols} FROM unit_docs d JOIN units u ON u.id = d.unit_id"
                   f" WHERE d.doc_id = ? {''.join(' AND ' + w for w in where)}"
                   " ORDER BY d.position, u.id")
            for row in self.conn.execute(sql, [doc, *args]).fetchall():
                yield self._unit(row, with_docs)
            return
        last = 0
        cond = "".join(" AND " + w for w in where)
        while True:  # keyset pagination: no long-lived read cursor, constant memory
            rows = self.conn.execute(
                f"SELECT {cols} FROM units u WHERE u.id > ?{cond} ORDER BY u.id LIMIT ?",
                [last, *args, batch]).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._unit(row, with_docs)
            last = rows[-1][0]

    def count_units(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM units").fetchone()[0])

    def find_exact(self, text: str, lang: str) -> list[int]:
        """Ids of units whose ``lang`` side is exactly ``text`` (after stripping)."""
        side = _side(lang)
        text = text.strip()
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM units WHERE {side}_key = ? AND {side} = ? ORDER BY id",
            (text_key(text), text))]


def _side(lang: str) -> str:
    side = lang.lower()[:2]
    if side not in ("en", "ru"):
        raise TMError(f"unknown language {lang!r}: use en or ru")
    return side


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (no semicolons inside literals in our migrations)."""
    script = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in script.split(";") if s.strip()]
