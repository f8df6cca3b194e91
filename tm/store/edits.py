"""Changing what a memory holds: edit a unit (its old text kept in ``history``), undo the last
edit, delete a unit or a document. Each is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from tm.errors import TMError
from tm.store.types import MAX_SEGMENT, Unit, now_iso, text_key
from tm.store.units import UnitStore
from tm.text.tokens import fts_text


@dataclass(frozen=True)
class Earlier:
    """A unit's text before one of its edits: ``origin`` and ``changed`` as they were then,
    ``edited`` when it was replaced."""

    en: str
    ru: str
    origin: str
    changed: str
    edited: str


class EditStore(UnitStore):
    """Edits and deletions."""

    def _fts_delete(self, unit_id: int, en: str, ru: str) -> None:
        """Remove a unit's row from the contentless FTS index (it needs the indexed values)."""
        self.conn.execute("INSERT INTO units_fts (units_fts, rowid, en, ru) VALUES"
                          " ('delete', ?, ?, ?)", (unit_id, fts_text(en, "en"), fts_text(ru, "ru")))

    def _set_text(self, unit: Unit, en: str, ru: str, en_markup: str | None,
                  ru_markup: str | None, origin: str, changed: str) -> None:
        other = self.conn.execute(  # a unit is its text and markup (UnitStore._insert)
            "SELECT id FROM units WHERE en_key = ? AND ru_key = ? AND en = ? AND ru = ?"
            " AND en_markup IS ? AND ru_markup IS ? AND id != ?",
            (text_key(en), text_key(ru), en, ru, en_markup, ru_markup, unit.id)).fetchone()
        if other is not None:
            raise TMError(f"unit {other[0]} already holds this text; delete one of the two"
                          f" (diptych delete --unit {unit.id})")
        self._fts_delete(unit.id, unit.en, unit.ru)
        self.conn.execute(
            "UPDATE units SET en = ?, ru = ?, en_markup = ?, ru_markup = ?, origin = ?,"
            " changed = ?, en_key = ?, ru_key = ? WHERE id = ?",
            (en, ru, en_markup, ru_markup, origin, changed, text_key(en), text_key(ru), unit.id))
        self.conn.execute("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)",
                          (unit.id, fts_text(en, "en"), fts_text(ru, "ru")))
        self.conn.execute("DELETE FROM embeddings WHERE unit_id = ?", (unit.id,))  # stale now
        self.conn.execute("DELETE FROM unit_links WHERE unit_id = ?", (unit.id,))  # stale too

    def _unit_or_error(self, unit_id: int) -> Unit:
        unit = self.get_unit(unit_id)
        if unit is None:
            raise TMError(f"no unit {unit_id} in {self.path}: `diptych search` shows unit ids")
        return unit

    def edit_unit(self, unit_id: int, *, en: str | None = None, ru: str | None = None) -> Unit:
        """Give a unit new text on one or both sides; its origin becomes ``edited`` and the old
        text goes to ``history``. Its vector is dropped (``diptych index`` recomputes it)."""
        new_en = None if en is None else en.strip()
        new_ru = None if ru is None else ru.strip()
        if new_en is None and new_ru is None:
            raise TMError("nothing to change: give --en TEXT, --ru TEXT or both")
        if new_en == "" or new_ru == "":
            raise TMError("a unit's text cannot be empty: to remove it, use diptych delete --unit")
        longest = max(len(new_en or ""), len(new_ru or ""))
        if longest > MAX_SEGMENT:
            raise TMError(f"the new text is {longest:,} characters long; a unit holds at most"
                          f" {MAX_SEGMENT:,} a side: give one sentence or a few")
        with self.transaction():
            unit = self._unit_or_error(unit_id)
            if (new_en or unit.en) == unit.en and (new_ru or unit.ru) == unit.ru:
                raise TMError(f"unit {unit_id} already holds this text: nothing to change")
            stamp = now_iso()
            self.conn.execute(
                "INSERT INTO history (unit_id, en, ru, en_markup, ru_markup, origin, changed,"
                " edited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (unit.id, unit.en, unit.ru, unit.en_markup, unit.ru_markup, unit.origin,
                 unit.changed, stamp))
            self._set_text(unit, new_en or unit.en, new_ru or unit.ru,
                           unit.en_markup if new_en is None else None,
                           unit.ru_markup if new_ru is None else None, "edited", stamp)
            return self._unit_or_error(unit_id)

    def undo_edit(self, unit_id: int) -> Unit:
        """Restore the text a unit had before its last edit (and forget that edit)."""
        with self.transaction():
            unit = self._unit_or_error(unit_id)
            row = self.conn.execute(
                "SELECT id, en, ru, en_markup, ru_markup, origin, changed FROM history"
                " WHERE unit_id = ? ORDER BY id DESC LIMIT 1", (unit_id,)).fetchone()
            if row is None:
                raise TMError(f"unit {unit_id} has no edit to undo")
            self._set_text(unit, *row[1:])
            self.conn.execute("DELETE FROM history WHERE id = ?", (row[0],))
            return self._unit_or_error(unit_id)

    def edits(self, unit_id: int) -> int:
        """How many edits of a unit can be undone."""
        return int(self.conn.execute("SELECT count(*) FROM history WHERE unit_id = ?",
                                     (unit_id,)).fetchone()[0])

    def history(self, unit_id: int) -> list[Earlier]:
        """The unit's earlier texts, newest first (the first is what ``undo_edit`` restores)."""
        return [Earlier(*row) for row in self.conn.execute(
            "SELECT en, ru, origin, changed, edited FROM history WHERE unit_id = ?"
            " ORDER BY id DESC", (unit_id,))]

    def _delete_units(self, ids: list[int]) -> int:
        units = self.get_units(ids)
        for unit in units.values():
            self._fts_delete(unit.id, unit.en, unit.ru)
        self.conn.executemany("DELETE FROM units WHERE id = ?", ((i,) for i in units))
        return len(units)

    def delete_unit(self, unit_id: int) -> Unit:
        """Delete a unit (its links, vector and history go with it); returns what it was."""
        with self.transaction():
            unit = self._unit_or_error(unit_id)
            self._delete_units([unit_id])
            return unit

    def delete_document(self, doc_id: int) -> tuple[int, int]:
        """Delete a document and its links; units no longer linked to any document are deleted
        too. Returns ``(links removed, units deleted)``."""
        with self.transaction():
            if self.get_document(doc_id) is None:
                raise TMError(f"no document {doc_id} in {self.path}: `diptych documents` lists"
                              " them")
            ids = [int(r[0]) for r in self.conn.execute(
                "SELECT DISTINCT unit_id FROM unit_docs WHERE doc_id = ?", (doc_id,))]
            links = int(self.conn.execute("SELECT count(*) FROM unit_docs WHERE doc_id = ?",
                                          (doc_id,)).fetchone()[0])
            self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            orphans = [int(r[0]) for r in self.conn.execute(
                "SELECT id FROM units u WHERE id IN (SELECT value FROM json_each(?)) AND NOT"
                " EXISTS (SELECT 1 FROM unit_docs l WHERE l.unit_id = u.id)", (str(ids),))]
            return links, self._delete_units(orphans)
