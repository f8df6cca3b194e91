"""The order of ``--mode auto``: what a translator expects from the default lookup.

1. exact matches (100%, including a sentence inside a multi-sentence unit);
2. fuzzy matches of at least :data:`STRONG_FUZZY`%;
3. units holding the query verbatim (concordance, phrase tier): a copied fragment finds its
   sentence before anything that only means something similar;
4. fuzzy matches of :data:`MIN_FUZZY`-:data:`STRONG_FUZZY`%;
5. semantic neighbours whose calibrated similarity reaches :data:`MIN_SIMILARITY`, or every
   semantic neighbour when sections 1-4 found nothing: a neighbour is never hidden when
   nothing better exists (the searcher looks them up only when sections 1-3 are empty);
6. units holding all the query's words close together or anywhere (concordance; queries of
   up to 3 words).

Each unit appears once, in the first section that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

STRONG_FUZZY = 75
MIN_FUZZY = 50
"""Fuzzy matches under this are noise in auto (and the default ``--min-match`` of fuzzy)."""
MIN_SIMILARITY = 0.5


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
    better = bool(exact or strong or phrase or weak)
    close = [h for h in semantic if not better or (h.similarity or 0.0) >= MIN_SIMILARITY]
    seen: set[int] = set()
    out: list[Any] = []
    for section in (exact, strong, phrase, weak, close, loose):
        for h in section:
            if h.unit.id not in seen and len(out) < limit:
                seen.add(h.unit.id)
                out.append(h)
    return out
