"""Changing what a memory holds, written once over any backend's parts (tm.store.interface):
edit a unit (its old text kept in ``history``), undo the last edit, delete a unit or a
document, store a document with its units, replace a stored document's units (undoably), undo
that. Each runs in the caller's transaction (:class:`tm.store.memory.TM` opens one).

Replacing keeps the units whose text is unchanged (same ids, vectors, history), links new text
to a unit that already holds it, and deletes the document's old units no document holds any
more, so no duplicate is left behind. The units as they were go to ``document_history`` as
JSON; :func:`undo_replace` puts them back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tm.errors import Conflict, TMError
from tm.store import actor
from tm.store.interface import Inserted, Store
from tm.store.types import (
    MAX_SEGMENT,
    ORIGINS,
    REVIEWED,
    ROLES,
    Document,
    DocumentIn,
    Origin,
    Unit,
    UnitIn,
    User,
    Written,
    merge_meta,
    now_iso,
    token_sha256,
)

_KEPT = ("en", "ru", "score", "en_lang", "ru_lang", "en_markup", "ru_markup", "created",
         "changed", "created_by", "changed_by")


def insert(store: Store, buf: Sequence[tuple[int, UnitIn]], document: int | None,
           origin: str, stamp: str) -> Inserted:
    """The one insert path (checks the origin; the backend de-duplicates)."""
    return insert_merging(store, buf, document, origin, stamp)[0]


def insert_merging(store: Store, buf: Sequence[tuple[int, UnitIn]], document: int | None,
                   origin: str, stamp: str) -> tuple[Inserted, Counter[str]]:
    """:func:`insert`, then each duplicate's ``meta`` (a TU's tuid, props, notes) is merged
    into its stored unit's (:func:`~tm.store.types.merge_meta`), never dropped. Returns the
    insert's result and what was merged: ``"units"`` that took something in, and per top-level
    ``meta`` key (``attrs``, ``props``...) how many of them it grew in."""
    if origin not in ORIGINS:
        raise TMError(f"unknown origin {origin!r}: use one of {', '.join(ORIGINS)}")
    merged: Counter[str] = Counter()
    if not buf:
        return [], merged
    out = store.units.insert(buf, document, origin, stamp)
    extra: dict[int, list[Mapping[str, Any]]] = {}
    for (_, u), (unit_id, new) in zip(buf, out):
        if new is False and unit_id is not None and u.meta:
            extra.setdefault(unit_id, []).append(u.meta)
    if not extra:
        return out, merged
    stored = store.units.metas(extra)  # a unit new in this batch is stored by now too
    updates = []
    for unit_id, metas in extra.items():
        old = stored.get(unit_id, {})
        now: dict[str, Any] | None = None
        for meta in metas:
            now = merge_meta(now or old, meta) or now
        if now is not None:
            updates.append((unit_id, now))
            merged.update(["units", *(k for k in now if now[k] != old.get(k))])
    store.units.set_metas(updates)
    return out, merged


def unit_or_error(store: Store, unit_id: int) -> Unit:
    unit = store.units.get([unit_id]).get(unit_id)
    if unit is None:
        raise TMError(f"no unit {unit_id} in {store.path}: `diptych search` shows unit ids")
    return unit


def conflict(unit: Unit) -> Conflict:
    return Conflict("unit", unit.id, unit.version, unit.changed_by, unit.changed)


def check_version(unit: Unit, version: int | None) -> None:
    """Refuse a change based on another version than the stored one (None: no check)."""
    if version is not None and version != unit.version:
        raise conflict(unit)


def _set_text(store: Store, unit: Unit, en: str, ru: str, en_markup: str | None,
              ru_markup: str | None, origin: str, changed: str) -> None:
    other = store.units.holder(en, ru, en_markup, ru_markup, unit.id)  # markup is identity
    if other is not None:
        raise TMError(f"unit {other} already holds this text; delete one of the two"
                      f" (diptych delete --unit {unit.id})")
    if not store.units.set_text(unit, en, ru, en_markup, ru_markup, origin, changed,
                                actor.current()):
        raise conflict(unit_or_error(store, unit.id))  # changed since it was read


def edit_unit(store: Store, unit_id: int, en: str | None, ru: str | None,
              version: int | None = None) -> Unit:
    """New text on one or both sides; origin ``edited``, the old text to ``history``;
    refused (:class:`Conflict`) when ``version`` is given and is not the stored one."""
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
    unit = unit_or_error(store, unit_id)
    check_version(unit, version)
    if (new_en or unit.en) == unit.en and (new_ru or unit.ru) == unit.ru:
        raise TMError(f"unit {unit_id} already holds this text: nothing to change")
    stamp = now_iso()
    store.history.push(unit, stamp, actor.current())
    _set_text(store, unit, new_en or unit.en, new_ru or unit.ru,
              unit.en_markup if new_en is None else None,
              unit.ru_markup if new_ru is None else None, "edited", stamp)
    return unit_or_error(store, unit_id)


def confirm_unit(store: Store, unit_id: int, version: int | None = None) -> Unit:
    """Mark a unit's alignment as reviewed as it stands (its ``meta`` keeps when): it no
    longer carries "unreviewed alignment"; text, vector and word links stay. Its version goes
    one up (changed by whoever confirmed it), so a colleague's save based on the unit as it
    was is refused; refused itself (:class:`Conflict`) when ``version`` is not the stored."""
    unit = unit_or_error(store, unit_id)
    check_version(unit, version)
    stamp = now_iso()
    if not store.units.bump(unit, stamp, actor.current()):
        raise conflict(unit_or_error(store, unit_id))
    store.units.set_metas([(unit_id, {**unit.meta, REVIEWED: stamp})])
    return unit_or_error(store, unit_id)


def undo_edit(store: Store, unit_id: int, version: int | None = None) -> Unit:
    unit = unit_or_error(store, unit_id)
    check_version(unit, version)
    last = store.history.last(unit_id)
    if last is None:
        raise TMError(f"unit {unit_id} has no edit to undo")
    row_id, before = last
    _set_text(store, unit, *before)
    store.history.drop(row_id)
    return unit_or_error(store, unit_id)


def delete_unit(store: Store, unit_id: int, version: int | None = None) -> Unit:
    """Delete a unit; each document that held it goes a version up, so an editor holding one
    of them as read is refused rather than storing the deleted unit again."""
    unit = unit_or_error(store, unit_id)
    check_version(unit, version)
    stamp, by = now_iso(), actor.current()
    for doc_id in dict.fromkeys(d for d, _ in unit.docs):
        doc = store.documents.get(doc_id)
        if doc is not None:
            store.documents.bump(doc_id, doc.version, stamp, by)  # in this write transaction
    store.units.delete([unit])
    return unit


def delete_units(store: Store, ids: Iterable[int]) -> int:
    return store.units.delete(store.units.get(ids).values())


def delete_document(store: Store, doc_id: int) -> tuple[int, int]:
    """``(links removed, units deleted)``: units no other document holds go too."""
    if store.documents.get(doc_id) is None:
        raise TMError(f"no document {doc_id} in {store.path}: `diptych documents` lists them")
    ids = store.documents.unit_ids(doc_id)
    links = store.documents.link_count(doc_id)
    store.documents.delete(doc_id)
    return links, delete_units(store, store.units.unlinked(ids))


def link(store: Store, doc_id: int,
         units: Sequence[tuple[UnitIn, Origin]]) -> list[tuple[int, bool]]:
    """Add ``units`` in order (runs of one origin at a time), linked to ``doc_id`` at their
    positions; ``(id, is_new)`` each."""
    out: list[tuple[int, bool]] = []
    start = 0
    stamp = now_iso()
    while start < len(units):
        origin = units[start][1]
        stop = start
        while stop < len(units) and units[stop][1] == origin:
            stop += 1
        run = [(i, replace(u, position=start + i)) for i, (u, _) in enumerate(units[start:stop])]
        for position, (unit_id, new) in enumerate(insert(store, run, doc_id, origin, stamp),
                                                  start):
            if unit_id is None:
                raise TMError(f"bead {position + 1} has an empty side: it cannot be a unit")
            out.append((unit_id, bool(new)))
        start = stop
    return out


def add_document(store: Store, doc: DocumentIn) -> tuple[int, bool]:
    if doc.fingerprint is not None:
        known = store.documents.find(doc.fingerprint)
        if known is not None:
            return known, False
    return store.documents.add(doc, now_iso()), True


def store_document(store: Store, doc: DocumentIn,
                   units: Sequence[tuple[UnitIn, Origin]]) -> Written:
    doc_id, new = add_document(store, doc)
    if not new:
        raise TMError(f"this pair is in the memory already (document {doc_id}): correct"
                      " that document instead")
    return Written(doc_id, tuple(link(store, doc_id, units)))


def _unlink(store: Store, doc_id: int) -> list[Unit]:
    if store.documents.get(doc_id) is None:
        raise TMError(f"no document {doc_id} in {store.path}: `diptych documents` lists them")
    old = list(store.units.iter(doc_id, None, None, with_docs=False, batch=1000))
    store.documents.unlink(doc_id)
    return old


def _orphans(store: Store, ids: set[int]) -> int:
    """Delete the units of ``ids`` that no document holds any more."""
    return delete_units(store, store.units.unlinked(ids))


def _next_version(store: Store, doc_id: int, version: int | None,
                  seen: Mapping[int, int] | None) -> Document:
    """Check that nobody changed the document (``version``) or one of its units (``seen``:
    unit id -> the version read) since it was read, then take its next version."""
    doc = store.documents.get(doc_id)
    if doc is None:
        raise TMError(f"no document {doc_id} in {store.path}: `diptych documents` lists them")
    if version is not None and version != doc.version:
        raise Conflict("document", doc_id, doc.version, doc.changed_by, doc.changed)
    if seen is not None:
        for unit in store.units.iter(doc_id, None, None, with_docs=False, batch=1000):
            if seen.get(unit.id) != unit.version:
                raise conflict(unit)
    if not store.documents.bump(doc_id, doc.version, now_iso(), actor.current()):
        now = store.documents.get(doc_id)
        assert now is not None
        raise Conflict("document", doc_id, now.version, now.changed_by, now.changed)
    return doc


def replace_document(store: Store, doc_id: int, units: Sequence[tuple[UnitIn, Origin]],
                     title: str | None, url: str | None, date: str | None,
                     version: int | None = None, seen: Mapping[int, int] | None = None
                     ) -> Written:
    """Refused (:class:`Conflict`, nothing changed) when ``version`` or ``seen`` (see
    :func:`_next_version`) are given and the document or one of its units changed since."""
    doc = _next_version(store, doc_id, version, seen)
    old = _unlink(store, doc_id)
    snapshot = [{**{k: getattr(u, k) for k in _KEPT}, "meta": dict(u.meta) or None,
                 "origin": u.origin, "id": u.id} for u in old]
    store.documents.save(doc_id, json.dumps(snapshot, ensure_ascii=False), doc.title, doc.url,
                         doc.date, now_iso())
    store.documents.describe(doc_id, title or doc.title, url or doc.url, date or doc.date)
    linked = link(store, doc_id, units)
    return Written(doc_id, tuple(linked), _orphans(store, {u.id for u in old}),
                   store.documents.saved_count(doc_id))


def undo_replace(store: Store, doc_id: int, version: int | None = None) -> Written:
    saved = store.documents.last_saved(doc_id)
    if saved is None:
        raise TMError(f"document {doc_id} has no saved correction to undo")
    _next_version(store, doc_id, version, None)
    old = _unlink(store, doc_id)
    rows: list[dict[str, Any]] = json.loads(saved.units)
    # the units that replaced them go first, so that the saved units get their ids back
    same = {s.get("id"): (s["en"], s["ru"]) for s in rows}
    removed = _orphans(store, {u.id for u in old if same.get(u.id) != (u.en, u.ru)})
    linked = link(store, doc_id, [(UnitIn(**{k: s[k] for k in (*_KEPT, "meta") if k in s},
                                          id=s.get("id")), s["origin"]) for s in rows])
    store.documents.describe(doc_id, saved.title, saved.url, saved.date)
    store.documents.drop_saved(saved.id)
    return Written(doc_id, tuple(linked), removed + _orphans(store, {u.id for u in old}),
                   store.documents.saved_count(doc_id))


def make_token() -> str:
    """A desk token: 32 random bytes, URL-safe (43 characters)."""
    import secrets

    return secrets.token_urlsafe(32)


def add_user(store: Store, name: str, role: str) -> str:
    """Add a person; returns their token (only its hash is stored)."""
    name = name.strip()
    if not name or len(name) > actor.MAX_NAME or not name.isprintable():
        raise TMError(f"a user name is 1 to {actor.MAX_NAME} printable characters: {name!r}")
    if role not in ROLES:
        raise TMError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    token = make_token()
    if not store.users.add(User(name, role, now_iso(), actor.current()), token_sha256(token)):
        raise TMError(f"user {name!r} exists already: `diptych users token {name}` gives a"
                      " new token")
    return token


def append_unit(store: Store, doc_id: int, unit: UnitIn, origin: Origin) -> tuple[int, bool]:
    """Add ``unit`` after the document's last unit (``(id, is new)``: a pair stored already is
    linked). The document's version goes one up, so an editor holding the story as read is
    refused rather than saving the unit away."""
    _next_version(store, doc_id, None, None)
    position = store.documents.next_position(doc_id)
    ((unit_id, new),) = insert(store, [(0, replace(unit, position=position))], doc_id, origin,
                               now_iso())
    if unit_id is None:
        raise TMError("a unit needs text on both sides")
    return unit_id, bool(new)


def place_unit(store: Store, doc_id: int, position: int, unit: UnitIn,
               origin: Origin) -> tuple[int, bool]:
    """Make ``unit`` the document's unit at ``position`` (a translated segment confirmed again
    replaces the one confirmed before, which goes when no document holds it any more). The
    document's version goes one up, so an editor holding the story as read is refused."""
    _next_version(store, doc_id, None, None)
    before = set(store.documents.unlink_at(doc_id, position))
    ((unit_id, new),) = insert(store, [(0, replace(unit, position=position))], doc_id, origin,
                               now_iso())
    if unit_id is None:
        raise TMError("a segment and its translation both need text")
    _orphans(store, before - {unit_id})
    return unit_id, bool(new)
