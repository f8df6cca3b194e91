"""Term translations stored in the memory: the fitted lexicon and each unit's word links.

``fit_terms(tm)`` aligns the memory's newest units with eflomal (tm.wordalign) and stores
what :func:`tm.termalign.translate` needs at lookup time, so a lookup does two indexed reads
(the lexicon rows of the query's words, the links of the hits) and no alignment:

- ``lexicon (en, ru, score)``: Dice over link counts, the 20 best partners of each word;
- ``unit_links (unit_id, links)``: the unit's links as bytes, ``i0 j0 i1 j1 ...`` (uint8
  token indexes; a token past the 255th is not linked).

Units added after a fit have no links of their own; their translations come from the
lexicon and the spelling cues (token F1 0.88 against 0.94 with links on bench/terms.py).
The SQL lives in this module (the store's part for term translations).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tm.termalign import Lexicon, Links, tokens

SCHEMA = """
-- word associations between the sides (tm.termalign), fitted by tm.lexicon.fit_terms
CREATE TABLE lexicon (
    en TEXT NOT NULL, ru TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (en, ru)
) WITHOUT ROWID;
CREATE INDEX lexicon_ru ON lexicon (ru);
-- each unit's word links (tm.wordalign): uint8 pairs of token indexes
CREATE TABLE unit_links (
    unit_id INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    links BLOB NOT NULL
);
"""


class _Store(Protocol):
    conn: Any

    def transaction(self) -> Any: ...


def encode_links(links: Links) -> bytes:
    return bytes(v for i, j in sorted(links) if i < 256 and j < 256 for v in (i, j))


def decode_links(blob: bytes) -> Links:
    return {(blob[k], blob[k + 1]) for k in range(0, len(blob) - 1, 2)}


@dataclass(frozen=True)
class FitReport:
    units: int
    entries: int


class StoredLexicon:
    """The lexicon rows of a few words, read once (a :class:`tm.termalign.Associations`)."""

    def __init__(self, store: _Store, keys: Iterable[str], lang: str) -> None:
        col, other = ("en", "ru") if lang == "en" else ("ru", "en")
        wanted = sorted(set(keys))
        self.lang = lang
        self.rows: dict[str, dict[str, float]] = {k: {} for k in wanted}
        if wanted:
            marks = ",".join("?" * len(wanted))
            for k, o, s in store.conn.execute(
                    f"SELECT {col}, {other}, score FROM lexicon WHERE {col} IN ({marks})",
                    wanted):
                self.rows[str(k)][str(o)] = float(s)

    def row(self, key: str, lang: str) -> Mapping[str, float]:
        return self.rows.get(key, {}) if lang == self.lang else {}


def unit_links(store: _Store, ids: Sequence[int]) -> dict[int, Links]:
    """The stored word links of the units ``ids`` (absent: not fitted)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {int(i): decode_links(bytes(b)) for i, b in store.conn.execute(
        f"SELECT unit_id, links FROM unit_links WHERE unit_id IN ({marks})", list(ids))}


def has_lexicon(store: _Store) -> bool:
    return store.conn.execute("SELECT 1 FROM lexicon LIMIT 1").fetchone() is not None


def fit_terms(store: _Store, *, limit: int = 200_000) -> FitReport:
    """Align the newest ``limit`` units, and replace the stored lexicon and links with the
    result (one transaction). eflomal's time grows with the units: ~10 ms a unit here."""
    rows = store.conn.execute("SELECT id, en, ru FROM units ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
    ids = [int(r[0]) for r in rows]
    en_tok = [[t.key for t in tokens(str(r[1]), "en")] for r in rows]
    ru_tok = [[t.key for t in tokens(str(r[2]), "ru")] for r in rows]
    lexicon, links = Lexicon.from_alignments(en_tok, ru_tok)
    entries = [(e, r, s) for e, row in lexicon.en_ru.items() for r, s in row.items()]
    with store.transaction():
        store.conn.execute("DELETE FROM lexicon")
        store.conn.execute("DELETE FROM unit_links")
        store.conn.executemany("INSERT INTO lexicon (en, ru, score) VALUES (?, ?, ?)", entries)
        store.conn.executemany("INSERT INTO unit_links (unit_id, links) VALUES (?, ?)",
                               ((i, encode_links(ln)) for i, ln in zip(ids, links)))
    return FitReport(len(ids), len(entries))
