"""Documents and units: ONE insert path (de-duplicating, FTS rows, links), fetches in one query."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tm.errors import TMError
from tm.store.base import StoreBase
from tm.store.types import (
    MAX_SEGMENT,
    ORIGINS,
    AddCounts,
    Document,
    DocumentIn,
    Origin,
    Unit,
    UnitIn,
    now_iso,
    text_key,
)
from tm.text.tokens import fts_text

_COLUMNS = ("id", "en", "ru", "score", "origin", "created", "changed", "en_lang", "ru_lang",
            "en_markup", "ru_markup", "meta")
_SELECT = ", ".join(f"u.{c}" for c in _COLUMNS)
# a unit's (document, position) links as JSON, in the same query as the unit itself
_DOCS = ("(SELECT json_group_array(json_array(doc_id, position)) FROM (SELECT doc_id, position"
         " FROM unit_docs l WHERE l.unit_id = u.id ORDER BY doc_id, position))")
_DOC_COLUMNS = ("d.id, title, url, date, en_path, ru_path, en_sha256, ru_sha256, fingerprint,"
                " added, (SELECT count(*) FROM unit_docs l WHERE l.doc_id = d.id)")


def side(lang: str) -> str:
    """The column prefix of a language: ``en`` or ``ru``."""
    s = lang.lower()[:2]
    if s not in ("en", "ru"):
        raise TMError(f"unknown language {lang!r}: use en or ru")
    return s


def _is_rowid(value: int) -> bool:
    """Whether ``value`` can be an SQLite row id (a bigger number cannot even be bound)."""
    return 0 < value < 2**63


def _unit(row: Sequence[Any]) -> Unit:
    docs = tuple((int(d), int(p)) for d, p in json.loads(row[12])) if len(row) > 12 else ()
    return Unit(id=row[0], en=row[1], ru=row[2], score=row[3], origin=row[4], created=row[5],
                changed=row[6], en_lang=row[7], ru_lang=row[8], en_markup=row[9],
                ru_markup=row[10], meta=json.loads(row[11]) if row[11] else {}, docs=docs)


class UnitStore(StoreBase):
    """Documents and units of a memory."""

    # ------------------------------------------------------------------ documents
    def add_document(self, doc: DocumentIn) -> tuple[int, bool]:
        """Store a document; returns ``(id, True)``, or ``(existing id, False)`` when a document
        with the same fingerprint is already stored."""
        with self.transaction():
            if doc.fingerprint is not None:
                known = self.find_document(doc.fingerprint)
                if known is not None:
                    return known, False
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

    def fingerprints(self) -> frozenset[str]:
        """The fingerprints of every stored document."""
        return frozenset(str(r[0]) for r in self.conn.execute(
            "SELECT fingerprint FROM documents WHERE fingerprint IS NOT NULL"))

    def documents(self) -> list[Document]:
        """All documents, oldest first, with their unit counts."""
        rows = self.conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents d ORDER BY d.id")
        return [Document(*row) for row in rows]

    def get_document(self, doc_id: int) -> Document | None:
        if not _is_rowid(doc_id):
            return None
        row = self.conn.execute(f"SELECT {_DOC_COLUMNS} FROM documents d WHERE d.id = ?",
                                (doc_id,)).fetchone()
        return None if row is None else Document(*row)

    def document_meta(self, doc_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def resolve_document(self, ref: str) -> int:
        """A document id from a ``--doc`` value: its id, fingerprint, title or URL."""
        if ref.isascii() and ref.isdigit() and len(ref) < 20 and _is_rowid(int(ref)):
            row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (int(ref),)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM documents WHERE fingerprint = ? OR title = ? OR url = ?"
                " ORDER BY id LIMIT 1", (ref, ref, ref)).fetchone()
        if row is None:
            raise TMError(f"no document {ref!r} in {self.path}: `diptych documents` lists them")
        return int(row[0])

    # ------------------------------------------------------------------ adding units
    def add_units(self, units: Iterable[UnitIn], *, document: int | None = None,
                  origin: Origin = "imported", batch: int = 2000) -> AddCounts:
        """Add units in ONE transaction (all or nothing); duplicates link to the stored unit.

        ``units`` is consumed as a stream, ``batch`` at a time (memory stays bounded).
        """
        added = existing = skipped = 0
        stamp = now_iso()
        with self.transaction():
            buf: list[tuple[int, UnitIn]] = []
            for position, u in enumerate(units):
                buf.append((position, u))
                if len(buf) >= batch:
                    for _, new in self._insert(buf, document, origin, stamp):
                        added += new is True
                        existing += new is False
                        skipped += new is None
                    buf = []
            for _, new in self._insert(buf, document, origin, stamp):
                added += new is True
                existing += new is False
                skipped += new is None
        return AddCounts(added, existing, skipped)

    def insert_units(self, units: Sequence[UnitIn], *, document: int | None = None,
                     origin: Origin = "imported") -> list[tuple[int | None, bool | None]]:
        """Like :meth:`add_units` for a short list, returning ``(id, is_new)`` per unit in
        order (``(None, None)`` for a unit with an empty side)."""
        with self.transaction():
            return self._insert(list(enumerate(units)), document, origin, now_iso())

    def add_unit(self, u: UnitIn, *, document: int | None = None,
                 origin: Origin = "imported") -> tuple[int | None, bool]:
        """Add one unit: ``(id, is_new)``, or ``(None, False)`` when a side is empty."""
        ((unit_id, new),) = self.insert_units([u], document=document, origin=origin)
        return unit_id, bool(new)

    def _insert(self, buf: list[tuple[int, UnitIn]], document: int | None, origin: str,
                stamp: str) -> list[tuple[int | None, bool | None]]:
        """The one insert path: one look-up for duplicates, then bulk inserts of units, their
        FTS rows and document links; a duplicate keeps the better score."""
        if origin not in ORIGINS:
            raise TMError(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
        if not buf:
            return []
        conn = self.conn
        keys = list({text_key(u.en.strip()) for _, u in buf})
        known: dict[tuple[str, str], int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for unit_id, en, ru in conn.execute(
                    f"SELECT id, en, ru FROM units WHERE en_key IN ({','.join('?' * len(chunk))})",
                    chunk):
                known[(en, ru)] = int(unit_id)
        next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]) + 1
        taken = self._taken([u.id for _, u in buf if u.id is not None])
        out: list[tuple[int | None, bool | None]] = []
        new_units, fts_rows, links, scores = [], [], [], []
        for position, u in buf:
            en, ru = u.en.strip(), u.ru.strip()
            if not en or not ru:
                out.append((None, None))
                continue
            unit_id = known.get((en, ru))
            if unit_id is None:
                if u.id is not None and u.id not in taken:
                    unit_id = u.id
                else:
                    unit_id, next_id = next_id, next_id + 1
                taken.add(unit_id)
                next_id = max(next_id, unit_id + 1)
                known[(en, ru)] = unit_id
                new_units.append((
                    unit_id, en, ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score,
                    origin, u.created or stamp, u.changed or u.created or stamp,
                    json.dumps(u.meta, ensure_ascii=False) if u.meta else None, text_key(en),
                    text_key(ru)))
                fts_rows.append((unit_id, fts_text(en, "en"), fts_text(ru, "ru")))
                out.append((unit_id, True))
            else:
                out.append((unit_id, False))
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
        return out

    def _taken(self, ids: list[int]) -> set[int]:
        """Which of ``ids`` name stored units."""
        return {int(r[0]) for r in self.conn.execute(
            "SELECT id FROM units WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),))} if ids else set()

    # ------------------------------------------------------------------ reading units
    def get_unit(self, unit_id: int) -> Unit | None:
        return self.get_units([unit_id]).get(unit_id)

    def get_units(self, ids: Iterable[int]) -> dict[int, Unit]:
        """Units by id, with their documents, in one query (missing ids are absent)."""
        wanted = [i for i in dict.fromkeys(ids) if _is_rowid(i)]
        out: dict[int, Unit] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self.conn.execute(
                    f"SELECT {_SELECT}, {_DOCS} FROM units u WHERE u.id IN"
                    f" ({','.join('?' * len(chunk))})", chunk):
                out[int(row[0])] = _unit(row)
        return {i: out[i] for i in wanted if i in out}

    def iter_units(self, doc: int | None = None, since: str | None = None,
                   min_score: float | None = None, *, with_docs: bool = False,
                   batch: int = 1000) -> Iterator[Unit]:
        """Stream units in id order (or in document order with ``doc``), in constant memory.

        ``since`` keeps units changed at or after an ISO date/time; ``min_score`` keeps units
        whose alignment score is at least that (units without a score, e.g. imported, pass).
        """
        where, args = "", list[object]()
        if since is not None:
            where += " AND u.changed >= ?"
            args.append(since)
        if min_score is not None:
            where += " AND (u.score IS NULL OR u.score >= ?)"
            args.append(min_score)
        cols = f"{_SELECT}, {_DOCS}" if with_docs else _SELECT
        if doc is not None:  # documents are small: one query in position order
            yield from map(_unit, self.conn.execute(
                f"SELECT {cols} FROM unit_docs d JOIN units u ON u.id = d.unit_id"
                f" WHERE d.doc_id = ?{where} ORDER BY d.position, u.id", [doc, *args]).fetchall())
            return
        last = 0
        while True:  # keyset pagination: no long-lived read cursor, constant memory
            rows = self.conn.execute(f"SELECT {cols} FROM units u WHERE u.id > ?{where}"
                                     " ORDER BY u.id LIMIT ?", [last, *args, batch]).fetchall()
            if not rows:
                return
            yield from map(_unit, rows)
            last = rows[-1][0]

    def count_units(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM units").fetchone()[0])

    def find_exact(self, text: str, lang: str) -> list[int]:
        """Ids of units whose ``lang`` side is exactly ``text`` (after stripping)."""
        s = side(lang)
        text = text.strip()
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM units WHERE {s}_key = ? AND {s} = ? ORDER BY id",
            (text_key(text), text))]

    def texts(self, ids: Sequence[int], lang: str) -> dict[int, str]:
        """One side's text of each unit (for scoring candidates). A text over
        :data:`MAX_SEGMENT` characters (stored before import refused them) is left out: no
        lookup spends seconds on a document stored as one unit."""
        s = side(lang)
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            out.update((int(i), str(t)) for i, t in self.conn.execute(
                f"SELECT id, {s} FROM units WHERE id IN ({','.join('?' * len(chunk))})"
                f" AND length({s}) <= {MAX_SEGMENT}", chunk))
        return out
