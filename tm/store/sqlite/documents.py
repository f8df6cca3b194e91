"""SQLite: ``documents``, their links to units (``unit_docs``) and ``document_history``."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tm.store.rows import DOC_COLUMNS, named_id
from tm.store.sqlite.units import is_rowid
from tm.store.types import Document, DocumentIn, Saved


class SqliteDocuments:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, doc: DocumentIn, stamp: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO documents (title, url, date, en_path, ru_path, en_sha256, ru_sha256,"
            " fingerprint, added, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.title, doc.url, doc.date, doc.en_path, doc.ru_path, doc.en_sha256,
             doc.ru_sha256, doc.fingerprint, stamp,
             None if doc.meta is None else json.dumps(doc.meta, ensure_ascii=False)))
        return int(cur.lastrowid or 0)

    def find(self, fingerprint: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE fingerprint = ?",
                                (fingerprint,)).fetchone()
        return None if row is None else int(row[0])

    def fingerprints(self) -> frozenset[str]:
        return frozenset(str(r[0]) for r in self.conn.execute(
            "SELECT fingerprint FROM documents WHERE fingerprint IS NOT NULL"))

    def all(self) -> list[Document]:
        rows = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents d ORDER BY d.id")
        return [Document(*row) for row in rows]

    def get(self, doc_id: int) -> Document | None:
        if not is_rowid(doc_id):
            return None
        row = self.conn.execute(f"SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = ?",
                                (doc_id,)).fetchone()
        return None if row is None else Document(*row)

    def meta(self, doc_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def resolve(self, ref: str) -> int | None:
        named = named_id(ref)
        if named is not None:
            row = self.conn.execute("SELECT id FROM documents WHERE id = ?", (named,)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM documents WHERE fingerprint = ? OR title = ? OR url = ?"
                " ORDER BY id LIMIT 1", (ref, ref, ref)).fetchone()
        return None if row is None else int(row[0])

    def unit_ids(self, doc_id: int) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            "SELECT DISTINCT unit_id FROM unit_docs WHERE doc_id = ?", (doc_id,))]

    def link_count(self, doc_id: int) -> int:
        return int(self.conn.execute("SELECT count(*) FROM unit_docs WHERE doc_id = ?",
                                     (doc_id,)).fetchone()[0])

    def delete(self, doc_id: int) -> None:
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def unlink(self, doc_id: int) -> None:
        self.conn.execute("DELETE FROM unit_docs WHERE doc_id = ?", (doc_id,))

    def unlink_at(self, doc_id: int, position: int) -> list[int]:
        ids = [int(r[0]) for r in self.conn.execute(
            "SELECT unit_id FROM unit_docs WHERE doc_id = ? AND position = ?", (doc_id, position))]
        self.conn.execute("DELETE FROM unit_docs WHERE doc_id = ? AND position = ?",
                          (doc_id, position))
        return ids

    def next_position(self, doc_id: int) -> int:
        return int(self.conn.execute("SELECT coalesce(max(position) + 1, 0) FROM unit_docs"
                                     " WHERE doc_id = ?", (doc_id,)).fetchone()[0])

    def describe(self, doc_id: int, title: str | None, url: str | None,
                 date: str | None) -> None:
        self.conn.execute("UPDATE documents SET title = ?, url = ?, date = ? WHERE id = ?",
                          (title, url, date, doc_id))

    def bump(self, doc_id: int, version: int, stamp: str, by: str) -> bool:
        """The next version of a document, changed now by ``by``; False (nothing changed)
        when it is no longer at ``version``."""
        cur = self.conn.execute("UPDATE documents SET version = version + 1, changed = ?,"
                                " changed_by = ? WHERE id = ? AND version = ?",
                                (stamp, by, doc_id, version))
        return cur.rowcount == 1

    def save(self, doc_id: int, units: str, title: str | None, url: str | None,
             date: str | None, stamp: str) -> None:
        self.conn.execute("INSERT INTO document_history (doc_id, units, title, url, date,"
                          " replaced) VALUES (?, ?, ?, ?, ?, ?)",
                          (doc_id, units, title, url, date, stamp))

    def last_saved(self, doc_id: int) -> Saved | None:
        row = self.conn.execute("SELECT id, units, title, url, date FROM document_history"
                                " WHERE doc_id = ? ORDER BY id DESC LIMIT 1", (doc_id,)).fetchone()
        return None if row is None else Saved(*row)

    def drop_saved(self, saved_id: int) -> None:
        self.conn.execute("DELETE FROM document_history WHERE id = ?", (saved_id,))

    def saved_count(self, doc_id: int) -> int:
        return int(self.conn.execute("SELECT count(*) FROM document_history WHERE doc_id = ?",
                                     (doc_id,)).fetchone()[0])
