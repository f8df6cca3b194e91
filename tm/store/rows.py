"""Rows as both backends read and write them: a stored unit from its columns, a new unit's
columns (the two backends store the same columns, so a memory copies without loss)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tm.store import actor
from tm.store.base import Executes
from tm.store.interface import Inserted
from tm.store.types import Unit, UnitIn, text_key

UNIT_COLUMNS = ("id", "en", "ru", "score", "origin", "created", "changed", "en_lang", "ru_lang",
                "en_markup", "ru_markup", "meta", "version", "created_by", "changed_by")
"""The columns of ``units`` a :class:`Unit` is read from, in :func:`unit_of`'s order."""
UNIT_SELECT = ", ".join(f"u.{c}" for c in UNIT_COLUMNS)
DOC_COLUMNS = ("d.id, title, url, date, en_path, ru_path, en_sha256, ru_sha256, fingerprint,"
               " added, (SELECT count(*) FROM unit_docs l WHERE l.doc_id = d.id), version,"
               " changed, changed_by")
"""The columns (of ``documents d``) a :class:`tm.store.types.Document` is made of, in order."""


def unit_of(row: Sequence[Any]) -> Unit:
    """A :class:`Unit` from a row of :data:`UNIT_COLUMNS` (plus the JSON of its documents, if
    any)."""
    raw = row[15] if len(row) > 15 else None
    docs = tuple((int(d), int(p)) for d, p in (json.loads(raw) if isinstance(raw, str) else
                                                raw or ()))
    return Unit(id=row[0], en=row[1], ru=row[2], score=row[3], origin=row[4], created=row[5],
                changed=row[6], en_lang=row[7], ru_lang=row[8], en_markup=row[9],
                ru_markup=row[10], meta=json.loads(row[11]) if row[11] else {}, docs=docs,
                version=row[12], created_by=row[13], changed_by=row[14])


def new_row(unit_id: int, en: str, ru: str, u: UnitIn, origin: str,
            stamp: str) -> tuple[object, ...]:
    """The ``units`` row of a new unit (both backends store the same columns): made and
    changed by the TMX's ``creationid``/``changeid`` where given, else by the actor."""
    by = u.created_by or actor.current()
    return (unit_id, en, ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score, origin,
            u.created or stamp, u.changed or u.created or stamp,
            json.dumps(u.meta, ensure_ascii=False) if u.meta else None, text_key(en),
            text_key(ru), by, u.changed_by or by)


Key = tuple[str, str, str | None, str | None]
"""A unit's identity: its two texts AND their inline markup (CAT tools treat a segment's tags
as part of it)."""


def place_units(buf: Sequence[tuple[int, UnitIn]], document: int | None, known: dict[Key, int],
                taken: set[int], next_id: int, new: Callable[[int, str, str, UnitIn], None]
                ) -> tuple[Inserted, list[tuple[float, int, float]], list[tuple[int, int, int]]]:
    """The insert rules of both backends, over what a batch's look-ups found (``known`` units
    by :data:`Key`, the ``taken`` ids asked for, the ``next_id`` free): a unit with an empty
    side is skipped; a duplicate (also within the batch) keeps its id and the better score; a
    new unit gets the id it asks for when that is free, else the next, and is handed to
    ``new(id, en, ru, unit)``. Returns what each unit became, the ``(score, id, score)``
    updates of duplicates and the ``(document, position, id)`` links."""
    out: Inserted = []
    scores: list[tuple[float, int, float]] = []
    links: list[tuple[int, int, int]] = []
    for position, u in buf:
        en, ru = u.en.strip(), u.ru.strip()
        if not en or not ru:
            out.append((None, None))
            continue
        key = (en, ru, u.en_markup, u.ru_markup)
        unit_id = known.get(key)
        if unit_id is None:  # new: the id it asks for when that is free, else the next
            unit_id = u.id if u.id is not None and u.id not in taken else next_id
            taken.add(unit_id)
            next_id = max(next_id, unit_id + 1)
            known[key] = unit_id
            new(unit_id, en, ru, u)
            out.append((unit_id, True))
        else:
            out.append((unit_id, False))
            if u.score is not None:
                scores.append((u.score, unit_id, u.score))
        if document is not None:
            links.append((document, u.position if u.position is not None else position,
                          unit_id))
    return out, scores, links


def named_id(ref: str) -> int | None:
    """The row id ``ref`` spells (ASCII digits, 1 to 2**63 - 1, what both backends' ids can
    be), or None: it names a document by its fingerprint, title or URL instead."""
    if ref.isascii() and ref.isdigit() and len(ref) < 20 and 0 < int(ref) < 2**63:
        return int(ref)
    return None


def iter_units(conn: Executes, mark: str, docs: str, doc: int | None, since: str | None,
               min_score: float | None, *, with_docs: bool, batch: int) -> Iterator[Unit]:
    """Units in id order (in position order with ``doc``), keyset-paginated, for both
    backends: ``mark`` is the driver's placeholder (``?`` or ``%s``), ``docs`` the backend's
    SQL for a unit's (document, position) links as JSON."""
    where, args = "", list[object]()
    if since is not None:
        where += f" AND u.changed >= {mark}"
        args.append(since)
    if min_score is not None:
        where += f" AND (u.score IS NULL OR u.score >= {mark})"
        args.append(min_score)
    cols = f"{UNIT_SELECT}, {docs}" if with_docs else UNIT_SELECT
    if doc is not None:  # documents are small: one query in position order
        yield from map(unit_of, conn.execute(
            f"SELECT {cols} FROM unit_docs d JOIN units u ON u.id = d.unit_id"
            f" WHERE d.doc_id = {mark}{where} ORDER BY d.position, u.id", [doc, *args]).fetchall())
        return
    last = 0
    while True:  # keyset pagination: no long-lived read cursor, constant memory
        rows = conn.execute(f"SELECT {cols} FROM units u WHERE u.id > {mark}{where}"
                            f" ORDER BY u.id LIMIT {mark}", [last, *args, batch]).fetchall()
        if not rows:
            return
        yield from map(unit_of, rows)
        last = rows[-1][0]


TABLES: dict[str, tuple[str, ...]] = {
    "settings": ("key", "value"),
    "documents": ("id", "title", "url", "date", "en_path", "ru_path", "en_sha256", "ru_sha256",
                  "fingerprint", "added", "meta", "version", "changed", "changed_by"),
    "units": ("id", "en", "ru", "en_lang", "ru_lang", "en_markup", "ru_markup", "score",
              "origin", "created", "changed", "meta", "en_key", "ru_key", "version",
              "created_by", "changed_by"),
    "unit_docs": ("doc_id", "position", "unit_id"),
    "embeddings": ("unit_id", "vec"),
    "history": ("id", "unit_id", "en", "ru", "en_markup", "ru_markup", "origin", "changed",
                "edited", "changed_by", "edited_by", "version"),
    "document_history": ("id", "doc_id", "units", "title", "url", "date", "replaced"),
    "lexicon": ("en", "ru", "score"),
    "unit_links": ("unit_id", "links"),
    "users": ("name", "role", "token_sha256", "created", "created_by"),
    "batch_items": ("job", "item", "state", "host", "worker", "until", "finished", "message"),
}
"""Every table a memory's content lives in, with the columns both backends store, in an order
that keeps references valid (what ``diptych copy`` moves, row for row)."""

ORDER: dict[str, str] = {"settings": "key", "users": "name", "batch_items": "job, item", "unit_docs": "doc_id, position, unit_id",
                         "embeddings": "unit_id", "lexicon": "en, ru", "unit_links": "unit_id"}
"""The order rows are read in (``id`` where a table has none here)."""


def select_all(table: str) -> str:
    """The query that reads every row of ``table`` (one of :data:`TABLES`), in :data:`ORDER`
    (what ``diptych copy`` reads from either backend)."""
    return f"SELECT {', '.join(TABLES[table])} FROM {table} ORDER BY {ORDER.get(table, 'id')}"
