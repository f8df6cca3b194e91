"""Rows as both backends read and write them: a stored unit from its columns, a new unit's
columns (the two backends store the same columns, so a memory copies without loss)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tm.store.types import Unit, UnitIn, text_key


def unit_of(row: Sequence[Any]) -> Unit:
    """A :class:`Unit` from a row of ``_COLUMNS`` (plus the JSON of its documents, if any)."""
    raw = row[12] if len(row) > 12 else None
    docs = tuple((int(d), int(p)) for d, p in (json.loads(raw) if isinstance(raw, str) else
                                                raw or ()))
    return Unit(id=row[0], en=row[1], ru=row[2], score=row[3], origin=row[4], created=row[5],
                changed=row[6], en_lang=row[7], ru_lang=row[8], en_markup=row[9],
                ru_markup=row[10], meta=json.loads(row[11]) if row[11] else {}, docs=docs)


def new_row(unit_id: int, en: str, ru: str, u: UnitIn, origin: str,
            stamp: str) -> tuple[object, ...]:
    """The ``units`` row of a new unit (both backends store the same columns)."""
    return (unit_id, en, ru, u.en_lang, u.ru_lang, u.en_markup, u.ru_markup, u.score, origin,
            u.created or stamp, u.changed or u.created or stamp,
            json.dumps(u.meta, ensure_ascii=False) if u.meta else None, text_key(en),
            text_key(ru))


TABLES: dict[str, tuple[str, ...]] = {
    "settings": ("key", "value"),
    "documents": ("id", "title", "url", "date", "en_path", "ru_path", "en_sha256", "ru_sha256",
                  "fingerprint", "added", "meta"),
    "units": ("id", "en", "ru", "en_lang", "ru_lang", "en_markup", "ru_markup", "score",
              "origin", "created", "changed", "meta", "en_key", "ru_key"),
    "unit_docs": ("doc_id", "position", "unit_id"),
    "embeddings": ("unit_id", "vec"),
    "history": ("id", "unit_id", "en", "ru", "en_markup", "ru_markup", "origin", "changed",
                "edited"),
    "document_history": ("id", "doc_id", "units", "title", "url", "date", "replaced"),
    "lexicon": ("en", "ru", "score"),
    "unit_links": ("unit_id", "links"),
}
"""Every table a memory's content lives in, with the columns both backends store, in an order
that keeps references valid (what ``diptych copy`` moves, row for row)."""

ORDER: dict[str, str] = {"settings": "key", "unit_docs": "doc_id, position, unit_id",
                         "embeddings": "unit_id", "lexicon": "en, ru", "unit_links": "unit_id"}
"""The order rows are read in (``id`` where a table has none here)."""
