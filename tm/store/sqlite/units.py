"""SQLite: ``units``, their FTS rows and their links to documents; ONE insert path."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from tm.store.interface import Inserted
from tm.store.rows import UNIT_SELECT, Key, iter_units, new_row, place_units, unit_of
from tm.store.types import MAX_SEGMENT, Unit, UnitIn, text_key
from tm.text.tokens import fts_text

# a unit's (document, position) links as JSON, in the same query as the unit itself
_DOCS = ("(SELECT json_group_array(json_array(doc_id, position)) FROM (SELECT doc_id, position"
         " FROM unit_docs l WHERE l.unit_id = u.id ORDER BY doc_id, position))")


def is_rowid(value: int) -> bool:
    """Whether ``value`` can be an SQLite row id (a bigger number cannot even be bound)."""
    return 0 < value < 2**63


def marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteUnits:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(self, buf: Sequence[tuple[int, UnitIn]], document: int | None, origin: str,
               stamp: str) -> Inserted:
        """One look-up for duplicates, then bulk inserts of units, their FTS rows and
        document links; a duplicate keeps the better score. A unit is its text AND its inline
        markup (CAT tools treat a segment's tags as part of it)."""
        conn = self.conn
        keys = list({text_key(u.en.strip()) for _, u in buf})
        known: dict[Key, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for unit_id, en, ru, en_markup, ru_markup in conn.execute(
                    "SELECT id, en, ru, en_markup, ru_markup FROM units"
                    f" WHERE en_key IN ({marks(len(chunk))})", chunk):
                known[(en, ru, en_markup, ru_markup)] = int(unit_id)
        next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM units").fetchone()[0]) + 1
        wanted = [u.id for _, u in buf if u.id is not None]
        taken = {int(r[0]) for r in conn.execute(
            "SELECT id FROM units WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),))} if wanted else set()
        new_units: list[tuple[object, ...]] = []
        fts_rows: list[tuple[int, str, str]] = []

        def new(unit_id: int, en: str, ru: str, u: UnitIn) -> None:
            new_units.append(new_row(unit_id, en, ru, u, origin, stamp))
            fts_rows.append((unit_id, fts_text(en, "en"), fts_text(ru, "ru")))

        out, scores, links = place_units(buf, document, known, taken, next_id, new)
        conn.executemany(
            "INSERT INTO units (id, en, ru, en_lang, ru_lang, en_markup, ru_markup, score, origin,"
            f" created, changed, meta, en_key, ru_key, created_by, changed_by)"
            f" VALUES ({marks(16)})", new_units)
        conn.executemany("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)", fts_rows)
        conn.executemany("UPDATE units SET score = ? WHERE id = ? AND (score IS NULL OR score < ?)",
                         scores)
        conn.executemany("INSERT OR IGNORE INTO unit_docs (doc_id, position, unit_id)"
                         " VALUES (?, ?, ?)", links)
        return out

    def metas(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        wanted = [i for i in dict.fromkeys(ids) if is_rowid(i)]
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            out.update((int(i), json.loads(m) if m else {}) for i, m in self.conn.execute(
                f"SELECT id, meta FROM units WHERE id IN ({marks(len(chunk))})", chunk))
        return out

    def set_metas(self, updates: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        self.conn.executemany("UPDATE units SET meta = ? WHERE id = ?", [
            (json.dumps(meta, ensure_ascii=False) if meta else None, unit_id)
            for unit_id, meta in updates])

    def get(self, ids: Iterable[int]) -> dict[int, Unit]:
        """Units by id, with their documents, in one query (missing ids are absent)."""
        wanted = [i for i in dict.fromkeys(ids) if is_rowid(i)]
        out: dict[int, Unit] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self.conn.execute(
                    f"SELECT {UNIT_SELECT}, {_DOCS} FROM units u"
                    f" WHERE u.id IN ({marks(len(chunk))})", chunk):
                out[int(row[0])] = unit_of(row)
        return {i: out[i] for i in wanted if i in out}

    def iter(self, doc: int | None, since: str | None, min_score: float | None, *,
             with_docs: bool, batch: int) -> Iterator[Unit]:
        return iter_units(self.conn, "?", _DOCS, doc, since, min_score,
                          with_docs=with_docs, batch=batch)

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM units").fetchone()[0])

    def find_exact(self, text: str, side: str) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM units WHERE {side}_key = ? AND {side} = ? ORDER BY id",
            (text_key(text), text))]

    def texts(self, ids: Sequence[int], side: str) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = [i for i in ids[start:start + 500] if is_rowid(i)]
            out.update((int(i), str(t)) for i, t in self.conn.execute(
                f"SELECT id, {side} FROM units WHERE id IN ({marks(len(chunk))})"
                f" AND length({side}) <= {MAX_SEGMENT}", chunk))
        return out

    def holder(self, en: str, ru: str, en_markup: str | None, ru_markup: str | None,
               besides: int) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM units WHERE en_key = ? AND ru_key = ? AND en = ? AND ru = ?"
            " AND en_markup IS ? AND ru_markup IS ? AND id != ?",
            (text_key(en), text_key(ru), en, ru, en_markup, ru_markup, besides)).fetchone()
        return None if row is None else int(row[0])

    def _fts_delete(self, unit: Unit) -> None:
        """Remove a unit's row from the contentless FTS index (it needs the indexed values)."""
        self.conn.execute("INSERT INTO units_fts (units_fts, rowid, en, ru) VALUES"
                          " ('delete', ?, ?, ?)",
                          (unit.id, fts_text(unit.en, "en"), fts_text(unit.ru, "ru")))

    def bump(self, old: Unit, stamp: str, by: str) -> bool:
        return self.conn.execute(
            "UPDATE units SET version = version + 1, changed = ?, changed_by = ?"
            " WHERE id = ? AND version = ?", (stamp, by, old.id, old.version)).rowcount == 1

    def set_text(self, old: Unit, en: str, ru: str, en_markup: str | None,
                 ru_markup: str | None, origin: str, changed: str, by: str) -> bool:
        """False (nothing changed) when the unit is no longer at ``old.version``."""
        cur = self.conn.execute(
            "UPDATE units SET en = ?, ru = ?, en_markup = ?, ru_markup = ?, origin = ?,"
            " changed = ?, en_key = ?, ru_key = ?, changed_by = ?, version = version + 1"
            " WHERE id = ? AND version = ?",
            (en, ru, en_markup, ru_markup, origin, changed, text_key(en), text_key(ru), by,
             old.id, old.version))
        if cur.rowcount != 1:
            return False
        self._fts_delete(old)
        self.conn.execute("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)",
                          (old.id, fts_text(en, "en"), fts_text(ru, "ru")))
        self.conn.execute("DELETE FROM embeddings WHERE unit_id = ?", (old.id,))  # stale now
        self.conn.execute("DELETE FROM unit_links WHERE unit_id = ?", (old.id,))  # stale too
        return True

    def delete(self, units: Iterable[Unit]) -> int:
        """Delete units (links, vector, history and word links go with them by cascade)."""
        gone = list(units)
        for unit in gone:
            self._fts_delete(unit)
        self.conn.executemany("DELETE FROM units WHERE id = ?", ((u.id,) for u in gone))
        return len(gone)

    def unlinked(self, ids: Iterable[int]) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM units u WHERE id IN (SELECT value FROM json_each(?)) AND NOT"
            " EXISTS (SELECT 1 FROM unit_docs l WHERE l.unit_id = u.id)",
            (json.dumps(sorted(set(ids))),))]

    def newest(self, limit: int) -> list[tuple[int, str, str]]:
        """``(id, en, ru)`` of the ``limit`` newest units, newest first."""
        return [(int(i), str(e), str(r)) for i, e, r in self.conn.execute(
            "SELECT id, en, ru FROM units ORDER BY id DESC LIMIT ?", (limit,))]
