"""A document's units as a whole: store a new document with its units, replace a stored
document's units and links (undoably), undo that. Each is one transaction.

Replacing keeps the units whose text is unchanged (same ids, vectors, history), links new text
to a unit that already holds it, and deletes the document's old units no document holds any
more, so no duplicate is left behind. The units as they were go to ``document_history`` as
JSON; :meth:`DocumentStore.undo_replace` puts them back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from tm.errors import TMError
from tm.store.edits import EditStore
from tm.store.types import DocumentIn, Origin, Unit, UnitIn, now_iso

_KEPT = ("en", "ru", "score", "en_lang", "ru_lang", "en_markup", "ru_markup", "created",
         "changed")


@dataclass(frozen=True)
class Written:
    """What writing a document's units did: ``linked`` is ``(unit id, is new)`` for each
    unit in order; ``removed`` counts the old units deleted (no document held them any more);
    ``undoable`` how many replacements of the document can be undone."""

    doc_id: int
    linked: tuple[tuple[int, bool], ...]
    removed: int = 0
    undoable: int = 0

    @property
    def units(self) -> int:
        return len(self.linked)

    @property
    def added(self) -> int:
        """Units new to the memory."""
        return sum(new for _, new in self.linked)


class DocumentStore(EditStore):
    """Documents written as a whole (the alignment editor's saves)."""

    @contextmanager
    def patience(self, ms: int) -> Iterator[None]:
        """Wait at most ``ms`` a try for another writer's lock inside this block (a page
        should hear "locked" within seconds, not after minutes)."""
        before = int(self.conn.execute("PRAGMA busy_timeout").fetchone()[0])
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {before}")

    def _link(self, doc_id: int, units: Sequence[tuple[UnitIn, Origin]]) -> list[tuple[int, bool]]:
        """Add ``units`` in order (runs of one origin at a time), linked to ``doc_id`` at their
        positions; ``(id, is_new)`` each."""
        out: list[tuple[int, bool]] = []
        start = 0
        while start < len(units):
            origin = units[start][1]
            stop = start
            while stop < len(units) and units[stop][1] == origin:
                stop += 1
            run = [replace(u, position=start + i) for i, (u, _) in enumerate(units[start:stop])]
            for position, (unit_id, new) in enumerate(
                    self.insert_units(run, document=doc_id, origin=origin), start):
                if unit_id is None:
                    raise TMError(f"bead {position + 1} has an empty side: it cannot be a unit")
                out.append((unit_id, bool(new)))
            start = stop
        return out

    def store_document(self, doc: DocumentIn, units: Sequence[tuple[UnitIn, Origin]]) -> Written:
        """A new document and its units, each with its origin; refused when a document with
        the same fingerprint is stored already."""
        with self.transaction():
            doc_id, new = self.add_document(doc)
            if not new:
                raise TMError(f"this pair is in the memory already (document {doc_id}): correct"
                              " that document instead")
            return Written(doc_id, tuple(self._link(doc_id, units)))

    def place_unit(self, doc_id: int, position: int, unit: UnitIn,
                   origin: Origin) -> tuple[int, bool]:
        """Make ``unit`` the document's unit at ``position`` (a translated segment confirmed
        again replaces the one confirmed before, which goes when no document holds it any
        more); ``(unit id, is new)``."""
        with self.transaction():
            before = {int(r[0]) for r in self.conn.execute(
                "SELECT unit_id FROM unit_docs WHERE doc_id = ? AND position = ?",
                (doc_id, position))}
            self.conn.execute("DELETE FROM unit_docs WHERE doc_id = ? AND position = ?",
                              (doc_id, position))
            ((unit_id, new),) = self.insert_units([replace(unit, position=position)],
                                                  document=doc_id, origin=origin)
            if unit_id is None:
                raise TMError("a segment and its translation both need text")
            self._orphans(before - {unit_id})
            return unit_id, bool(new)

    def next_position(self, doc_id: int) -> int:
        """The position after a document's last unit (0 for an empty document)."""
        return int(self.conn.execute("SELECT coalesce(max(position) + 1, 0) FROM unit_docs"
                                     " WHERE doc_id = ?", (doc_id,)).fetchone()[0])

    def _unlink(self, doc_id: int) -> list[Unit]:
        if self.get_document(doc_id) is None:
            raise TMError(f"no document {doc_id} in {self.path}: `diptych documents` lists them")
        old = list(self.iter_units(doc=doc_id))
        self.conn.execute("DELETE FROM unit_docs WHERE doc_id = ?", (doc_id,))
        return old

    def _orphans(self, ids: set[int]) -> int:
        """Delete the units of ``ids`` that no document holds any more."""
        orphans = [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM units u WHERE id IN (SELECT value FROM json_each(?)) AND NOT"
            " EXISTS (SELECT 1 FROM unit_docs l WHERE l.unit_id = u.id)", (json.dumps(sorted(ids)),))]
        return self._delete_units(orphans)

    def _describe(self, doc_id: int, title: str | None, url: str | None,
                  date: str | None) -> None:
        self.conn.execute("UPDATE documents SET title = ?, url = ?, date = ? WHERE id = ?",
                          (title, url, date, doc_id))

    def replace_document(self, doc_id: int, units: Sequence[tuple[UnitIn, Origin]], *,
                         title: str | None = None, url: str | None = None,
                         date: str | None = None) -> Written:
        """Give a document new units, and a new title, URL or date where one is given (undo
        with :meth:`undo_replace`)."""
        with self.transaction():
            doc = self.get_document(doc_id)
            old = self._unlink(doc_id)
            assert doc is not None  # _unlink refuses an unknown document
            snapshot = [{**{k: getattr(u, k) for k in _KEPT}, "meta": dict(u.meta) or None,
                         "origin": u.origin, "id": u.id} for u in old]
            self.conn.execute("INSERT INTO document_history (doc_id, units, title, url, date,"
                              " replaced) VALUES (?, ?, ?, ?, ?, ?)",
                              (doc_id, json.dumps(snapshot, ensure_ascii=False), doc.title,
                               doc.url, doc.date, now_iso()))
            self._describe(doc_id, title or doc.title, url or doc.url, date or doc.date)
            linked = self._link(doc_id, units)
            return Written(doc_id, tuple(linked), self._orphans({u.id for u in old}),
                           self.replacements(doc_id))

    def undo_replace(self, doc_id: int) -> Written:
        """Give a document back the units it had before its last replacement."""
        with self.transaction():
            row = self.conn.execute("SELECT id, units, title, url, date FROM document_history"
                                    " WHERE doc_id = ? ORDER BY id DESC LIMIT 1",
                                    (doc_id,)).fetchone()
            if row is None:
                raise TMError(f"document {doc_id} has no saved correction to undo")
            old = self._unlink(doc_id)
            saved: list[dict[str, Any]] = json.loads(row[1])
            # the units that replaced them go first, so that their ids are free again
            same = {s.get("id"): (s["en"], s["ru"]) for s in saved}
            removed = self._orphans({u.id for u in old if same.get(u.id) != (u.en, u.ru)})
            linked = self._link(doc_id, [(UnitIn(**{k: s[k] for k in (*_KEPT, "meta")},
                                                 id=s.get("id")), s["origin"]) for s in saved])
            self._describe(doc_id, *row[2:])
            self.conn.execute("DELETE FROM document_history WHERE id = ?", (row[0],))
            return Written(doc_id, tuple(linked), removed + self._orphans({u.id for u in old}),
                           self.replacements(doc_id))

    def replacements(self, doc_id: int) -> int:
        """How many replacements of a document can be undone."""
        return int(self.conn.execute("SELECT count(*) FROM document_history WHERE doc_id = ?",
                                     (doc_id,)).fetchone()[0])
