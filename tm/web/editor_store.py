"""Interim: storing an edited alignment, until these operations move into the store/service
layer (issue 9). Each function is one transaction.

- :func:`store_document`: a new document and its units (each with its own origin).
- :func:`replace_document`: a stored document's units and links replaced by new ones; units
  no other document holds are deleted (no duplicates left), and the old list is kept in
  ``document_history`` so :func:`undo_replace` restores it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from tm.errors import TMError
from tm.store import TM, DocumentIn, Origin, Unit, UnitIn, now_iso

_HISTORY = ("CREATE TABLE IF NOT EXISTS document_history (id INTEGER PRIMARY KEY, doc_id INTEGER"
            " NOT NULL REFERENCES documents (id) ON DELETE CASCADE, units TEXT NOT NULL,"
            " replaced TEXT NOT NULL)")
_FIELDS = ("en", "ru", "score", "en_lang", "ru_lang", "en_markup", "ru_markup", "meta",
           "created", "changed")


WAIT_MS = 250
"""How long each attempt to start a save waits for another writer (a long import): a page
should say "locked, nothing lost" within seconds rather than hang for minutes."""


@contextmanager
def patience(tm: TM, ms: int = WAIT_MS) -> Iterator[None]:
    """Wait at most ``ms`` a try for the write lock inside this block."""
    before = int(tm.conn.execute("PRAGMA busy_timeout").fetchone()[0])
    tm.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        tm.conn.execute(f"PRAGMA busy_timeout = {before}")


@dataclass(frozen=True)
class Stored:
    """What a save did: the document, its units now, units new to the memory, units that
    were already stored (linked), units deleted (no document held them any more)."""

    doc_id: int
    units: int
    added: int
    linked: int
    removed: int = 0
    undoable: int = 0


def _link_units(tm: TM, doc_id: int, units: Sequence[tuple[UnitIn, Origin]],
                vectors: np.ndarray | None, model: str | None) -> tuple[int, int]:
    from tm.vectors import check_model, store_vectors

    stamp = now_iso()
    added = linked = 0
    new_ids, new_rows = [], []
    for position, (u, origin) in enumerate(units):
        unit_id, is_new = tm.add_unit(u, document=doc_id, origin=origin, position=position,
                                      stamp=stamp)
        if unit_id is None:
            raise TMError(f"bead {position + 1} has an empty side: mark it omitted instead")
        added += is_new
        linked += not is_new
        if is_new:
            new_ids.append(unit_id)
            new_rows.append(position)
    if vectors is not None and model and new_ids:
        check_model(tm, model, vectors.shape[1])
        store_vectors(tm, new_ids, vectors[new_rows])
    return added, linked


def store_document(tm: TM, doc: DocumentIn, units: Sequence[tuple[UnitIn, Origin]], *,
                   vectors: np.ndarray | None = None, model: str | None = None) -> Stored:
    """Store a new document with its units in one transaction (refused when a document with
    the same fingerprint is stored already)."""
    with patience(tm), tm.transaction():
        doc_id, new = tm.add_document(doc)
        if not new:
            raise TMError(f"this pair is in the memory already (document {doc_id}): open it"
                          f" with /editor/documents/{doc_id} to correct it")
        added, linked = _link_units(tm, doc_id, units, vectors, model)
    return Stored(doc_id, len(units), added, linked)


def _snapshot(unit: Unit) -> dict[str, Any]:
    out = {k: getattr(unit, k) for k in _FIELDS}
    out["meta"] = dict(unit.meta) or None
    out["origin"] = unit.origin
    return out


def _unlink(tm: TM, doc_id: int) -> list[Unit]:
    """Remove a document's links; returns its units as they were, in order."""
    old = list(tm.iter_units(doc=doc_id))
    tm.conn.execute("DELETE FROM unit_docs WHERE doc_id = ?", (doc_id,))
    return old


def _delete_orphans(tm: TM, ids: set[int]) -> int:
    from tm.web.backend import _interim_delete_units

    orphans = [i for i in sorted(ids) if tm.conn.execute(
        "SELECT 1 FROM unit_docs WHERE unit_id = ? LIMIT 1", (i,)).fetchone() is None]
    _interim_delete_units(tm, orphans)
    return len(orphans)


def replace_document(tm: TM, doc_id: int, units: Sequence[tuple[UnitIn, Origin]], *,
                     vectors: np.ndarray | None = None, model: str | None = None) -> Stored:
    """Replace a document's units in one transaction; undo with :func:`undo_replace`."""
    with patience(tm), tm.transaction():
        tm.conn.execute(_HISTORY)
        if not any(d.id == doc_id for d in tm.documents()):
            raise TMError(f"no document {doc_id} in the memory")
        old = _unlink(tm, doc_id)
        tm.conn.execute("INSERT INTO document_history (doc_id, units, replaced) VALUES (?, ?, ?)",
                        (doc_id, json.dumps([_snapshot(u) for u in old], ensure_ascii=False),
                         now_iso()))
        added, linked = _link_units(tm, doc_id, units, vectors, model)
        removed = _delete_orphans(tm, {u.id for u in old})
        undoable = undoable_replacements(tm, doc_id)
    return Stored(doc_id, len(units), added, linked, removed, undoable)


def undoable_replacements(tm: TM, doc_id: int) -> int:
    tm.conn.execute(_HISTORY) if not tm.conn.in_transaction else None
    return int(tm.conn.execute("SELECT count(*) FROM document_history WHERE doc_id = ?",
                               (doc_id,)).fetchone()[0])


def undo_replace(tm: TM, doc_id: int) -> Stored:
    """Give a document back the units it had before its last replacement."""
    with patience(tm), tm.transaction():
        tm.conn.execute(_HISTORY)
        row = tm.conn.execute("SELECT id, units FROM document_history WHERE doc_id = ?"
                              " ORDER BY id DESC LIMIT 1", (doc_id,)).fetchone()
        if row is None:
            raise TMError(f"document {doc_id} has no saved correction to undo")
        old = _unlink(tm, doc_id)
        units = [(UnitIn(**{k: s[k] for k in _FIELDS}), s["origin"])
                 for s in json.loads(row[1])]
        added, linked = _link_units(tm, doc_id, units, None, None)
        removed = _delete_orphans(tm, {u.id for u in old})
        tm.conn.execute("DELETE FROM document_history WHERE id = ?", (row[0],))
        undoable = undoable_replacements(tm, doc_id)
    return Stored(doc_id, len(units), added, linked, removed, undoable)
