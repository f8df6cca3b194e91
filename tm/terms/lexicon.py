"""Term translations: fit them on the memory's own units, and read them at lookup time.

``fit_terms(tm)`` aligns the memory's newest units with eflomal (tm.terms.wordalign) and stores
what :func:`tm.terms.links.translate` needs (tm.store.terms: the lexicon, each unit's links), so a
lookup does two indexed reads (the lexicon rows of the query's words, the links of the hits)
and no alignment. Units added after a fit have no links of their own: their translations come
from the lexicon and the spelling cues (token F1 0.88 against 0.94 with links, bench/terms.py);
:func:`term_state` says how many (``add`` and ``stats`` tell). Aligning only them when they are
added is not cheap enough for ``add``/``index``: eflomal takes 2-10 s for 10-300 new units on a
loaded 2-core machine and reaches F1 0.86 on them alone (0.92 with 2,000 older units for context,
25 s), against 0.80 from the older lexicon (bench/terms.py --incremental).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from tm.store import TM
from tm.terms.links import Lexicon, Links, tokens

MIN_FIT_UNITS = 2_000
"""Fewest aligned units whose lexicon and word links lookups use; a smaller memory shows only
what spelling says (the same word, a number, a transliterated name). eflomal's links on few
units are guesses (the issue's 30-unit memory: 5 of 8 concordance hits carried wrong words);
bench/term_highlights.py, development half, guard off, two runs: token F1 of the shown
0.86-0.88 at 100 units, 0.84-0.86 at 300, 0.86-0.89 at 1,000, 0.94-0.95 at 2,000 (precision
0.97, 0.92-0.94, 0.92-0.94, 0.97): 2,000 is the least size with F1 >= 0.90 and precision >=
0.95 in both."""
FIT_LIMIT = 200_000
"""Units aligned by one fit, newest first (eflomal's time grows with the square root of the
units: about 30 s for 5k units and 5 min for 200k on a loaded 2-core machine)."""


class _Terms(Protocol):
    def lexicon_rows(self, keys: Iterable[str], lang: str) -> dict[str, dict[str, float]]: ...

    def unit_links(self, ids: list[int]) -> dict[int, Links]: ...


@dataclass(frozen=True)
class FitReport:
    units: int
    entries: int


@dataclass(frozen=True)
class TermState:
    """How current the term translations are: units aligned by the last fit, units after it."""

    aligned: int
    newer: int

    def note(self, background: bool = False) -> str | None:
        """What to tell after ``add``: None when current (or, without a background refit,
        before any fit: terms unused)."""
        if not self.newer or not (self.aligned or background):
            return None
        units = f"{self.newer:,} unit{'s' * (self.newer != 1)}"
        if background:
            return (f"term translations: {units} without word links yet, aligned in the"
                    " background (tm.terms.background; `diptych stats` shows it)")
        return (f"term translations: {units} added since the last `diptych terms` without word"
                " links of their own (concordance translations from the lexicon only): run"
                " `diptych terms` to align them")


def term_state(tm: TM) -> TermState:
    """Is ``diptych terms`` behind the memory? (two indexed reads)"""
    return TermState(*tm.terms_coverage())


class NoLexicon:
    """No word associations: translations from spelling cues only."""

    def row(self, key: str, lang: str) -> Mapping[str, float]:
        return {}


def learned_enough(tm: TM) -> bool:
    """Has the last fit aligned at least :data:`MIN_FIT_UNITS` units? (one settings read)"""
    stored = tm.get_setting(FITTED_SETTING)
    if stored is not None:
        return int(stored) >= MIN_FIT_UNITS
    # a memory fitted before the setting existed: count its linked units once per open memory
    # (counting at every lookup made a 1-word concordance over 1M such units 3.5x slower)
    if tm not in _COUNTED:
        _COUNTED[tm] = tm.terms_coverage()[0]
    return _COUNTED[tm] >= MIN_FIT_UNITS


_COUNTED: weakref.WeakKeyDictionary[TM, int] = weakref.WeakKeyDictionary()
"""Linked units of each open memory without :data:`FITTED_SETTING` (a fit writes the setting,
which then rules)."""


FITTED_SETTING = "terms_fitted_units"
"""How many units the last fit aligned (read by every lookup, so one settings row)."""


class StoredLexicon:
    """The lexicon rows of a few words, read once (a :class:`tm.terms.links.Associations`)."""

    def __init__(self, store: _Terms, keys: Iterable[str], lang: str) -> None:
        self.lang = lang
        self.rows = store.lexicon_rows(keys, lang)

    def row(self, key: str, lang: str) -> Mapping[str, float]:
        return self.rows.get(key, {}) if lang == self.lang else {}


def fit_terms(tm: TM, *, limit: int = FIT_LIMIT) -> FitReport:
    """Align the newest ``limit`` units and replace the stored lexicon and links."""
    rows = tm.newest_texts(limit)
    en_tok = [[t.key for t in tokens(en, "en")] for _, en, _ in rows]
    ru_tok = [[t.key for t in tokens(ru, "ru")] for _, _, ru in rows]
    lexicon, links = Lexicon.from_alignments(en_tok, ru_tok)
    entries = [(e, r, s) for e, row in lexicon.en_ru.items() for r, s in row.items()]
    tm.replace_terms(entries, ((i, ln) for (i, _, _), ln in zip(rows, links)))
    tm.set_setting(FITTED_SETTING, str(len(rows)))
    return FitReport(len(rows), len(entries))
