"""The order of ``--mode auto``: what a translator expects from the default lookup.

1. exact matches (100%, including a sentence inside a multi-sentence unit);
2. fuzzy matches of at least :data:`STRONG_FUZZY`%;
3. units holding the query verbatim (concordance, phrase tier): a copied fragment finds its
   sentence before anything that only means something similar;
4. fuzzy matches of :data:`MIN_FUZZY`-:data:`STRONG_FUZZY`%;
5. semantic neighbours whose calibrated similarity reaches :data:`MIN_SIMILARITY`, or, when
   nothing else was found (sections 1-4 and 6 empty), every neighbour that reaches
   :data:`MIN_SHOWN` (the searcher looks them up only when sections 1-3 are empty);
6. units holding all the query's words close together or anywhere (concordance; queries of
   up to 8 words): a query whose words a unit holds apart finds it rather than neighbours of
   similarity 0.00.

Each unit appears once, in the first section that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

STRONG_FUZZY = 75
MIN_FUZZY = 50
"""Fuzzy matches under this are noise in auto (and the default ``--min-match`` of fuzzy)."""
MIN_SIMILARITY = 0.5
MIN_SHOWN = 0.01
"""A neighbour under this (shown as similarity 0.00) is noise: "no match" is more honest."""


class _Hit(Protocol):
    @property
    def unit(self) -> Any: ...

    @property
    def match(self) -> int | None: ...

    @property
    def similarity(self) -> float | None: ...


def arrange(exact: Sequence[_Hit], fuzzy: Sequence[_Hit], phrase: Sequence[_Hit],
            semantic: Sequence[_Hit], loose: Sequence[_Hit], limit: int) -> list[Any]:
    """The hits of each lookup, in auto's order (see the module doc), at most ``limit``."""
    strong = [h for h in fuzzy if (h.match or 0) >= STRONG_FUZZY]
    weak = [h for h in fuzzy if MIN_FUZZY <= (h.match or 0) < STRONG_FUZZY]
    better = bool(exact or strong or phrase or weak or loose)
    floor = MIN_SIMILARITY if better else MIN_SHOWN
    close = [h for h in semantic if (h.similarity or 0.0) >= floor]
    seen: set[int] = set()
    out: list[Any] = []
    for section in (exact, strong, phrase, weak, close, loose):
        for h in section:
            if h.unit.id not in seen and len(out) < limit:
                seen.add(h.unit.id)
                out.append(h)
    return out
