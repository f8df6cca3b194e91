"""The translation memory's storage: ALL of diptych's SQL, one interface, per-table parts.

May import tm.errors, tm.choices and tm.text (the words it indexes); nothing else of tm.
Public API::

    tm = TM.open(path)            # None -> the rule of locate(); migrations applied on open
    tm = TM.open(path, readonly=True)  # search, stats, export...: SQLite mode=ro, never changed
    with tm.transaction():        # BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception);
        ...                       # re-entrant: inner blocks join the outer transaction
    doc_id, new = tm.add_document(DocumentIn(title=..., fingerprint=...))
    counts = tm.add_units(units, document=doc_id, origin="imported")  # ONE transaction
    for unit in tm.iter_units(doc=None, since=None, min_score=None): ...  # constant memory
    tm.get_units(ids) / tm.find_exact(text, "en") / tm.documents() / tm.edit_unit(id, en=...)

Layout: :class:`TM` (``memory``) holds one backend's :class:`~tm.store.interface.Store`, which
is composed of per-table parts (``units``, ``documents``, ``history``, ``text``, ``vectors``,
``terms``, ``settings``; the protocols are in ``interface``). What is not a query (checks,
de-duplication, what an edit or a replacement keeps) is written once in ``changes``; each
backend's SQL lives in its own package (``sqlite/``: one module per part plus ``schema``
(migrations), ``check`` (is a file ours?) and ``store`` (connection, transactions)).

A unit is an English/Russian pair. ``en``/``ru`` hold the plain text (used for search and exact
matching); ``en_markup``/``ru_markup`` hold a side's TMX ``<seg>`` inner XML verbatim when it
carries inline tags, else ``None``; ``en_lang``/``ru_lang`` the original language codes; ``meta``
any JSON-serialisable mapping kept verbatim, for TMX round trips. The same ``(en, ru)`` text is
stored once: adding it again links the new document to the existing unit (``unit_docs``) and
keeps the first unit's meta/markup. A document's ``fingerprint`` is unique: adding the same
article pair twice adds nothing.

Schema (tm.store.sqlite.schema): ``documents``, ``units`` (plus 64-bit hashes of each side,
indexed), ``unit_docs``, ``units_fts`` (FTS5 over each side's Snowball stems; contentless, rowid
= unit id), ``embeddings`` (one int8 vector per unit, see tm.vectors.embed), ``settings``,
``history`` (a unit's text before each edit), ``document_history`` (a document's units before
the alignment editor replaced them), ``lexicon`` and ``unit_links`` (term translations).

A file is classified before anything is written to it (tm.store.sqlite.check): another
application's SQLite database, a damaged file, an unknown (newer or negative) schema version, a
FIFO or a non-SQLite file are refused with one line and left as they were (no tables, no
user_version, no WAL switch). ``MAX_SEGMENT`` bounds a unit's side (10,000 characters).

Concurrency: every write runs in ``BEGIN IMMEDIATE`` with a 30 s busy timeout and a retry, so two
processes adding at once both succeed (one waits for the other). SQLite errors during a write
(disk full...) roll back and become a :class:`TMError`.
"""

from __future__ import annotations

from tm.choices import RULE
from tm.store.interface import Store, fts_quote
from tm.store.location import DEFAULT_DB, locate, user_db_path
from tm.store.memory import TM
from tm.store.sqlite.schema import MIGRATIONS
from tm.store.types import (
    MAX_SEGMENT,
    ORIGINS,
    AddCounts,
    Counts,
    DbLocation,
    DbSource,
    Document,
    DocumentIn,
    Earlier,
    Origin,
    Unit,
    UnitIn,
    Written,
    file_sha256,
    now_iso,
    text_key,
)
from tm.store.watch import MemoryGone

__all__ = [
    "DEFAULT_DB", "MAX_SEGMENT", "MIGRATIONS", "ORIGINS", "RULE", "TM", "AddCounts", "Counts",
    "DbLocation", "DbSource", "Document", "DocumentIn", "Earlier", "MemoryGone", "Origin", "Store", "Unit",
    "UnitIn", "Written", "file_sha256", "fts_quote", "locate", "now_iso", "text_key",
    "user_db_path",
]
