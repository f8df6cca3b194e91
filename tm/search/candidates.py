"""Fuzzy candidates: the units likely to match a query well, from the FTS5 index of stems.

Units holding the query's eight rarest words (by document frequency counted up to
:data:`DF_CAP`); while fewer than :data:`FEW` are found, units holding its five rarest, then all
but one of those five; when that gives fewer than ``k``, also the units sharing the most of the
query's rarer words (posting lists read up to :data:`MAX_POSTINGS` rows in all). Numbers are
left out (they are placeables and often change). No BM25 ranking: it costs a row lookup per
posting, and every candidate is scored by match % anyway. The work is bounded, whatever the
size of the memory.
"""

from __future__ import annotations

from itertools import combinations

from tm.store import TM, fts_quote
from tm.text.query import Query

MAX_POSTINGS = 4_000
DF_CAP = 1_000
FEW = 1


def candidates(tm: TM, query: Query, k: int) -> list[int]:
    """Ids of up to about ``k`` units likely to match ``query`` (see the module doc)."""
    lang = query.lang
    stems = [t for t in dict.fromkeys(query.stems) if not t.isdigit()]
    df = tm.fts_counts(lang, stems, DF_CAP)
    # rarest first; among words past the count cap, longer words first (rarer in text)
    present = sorted((t for t in stems if df[t]), key=lambda t: (df[t], -len(t)))
    if not present:
        return []
    rare = present[:5]
    found: dict[int, None] = {}

    def holding_all(group: list[str]) -> int:
        rows = tm.fts_ids(lang, " AND ".join(map(fts_quote, group)), k)
        for rowid in rows:
            found.setdefault(rowid, None)
        return len(rows)

    if len(present) > len(rare) and holding_all(present[:8]) >= k and len(present) > 8:
        holding_all(present)  # ambiguous: units holding every word of the query
    if len(found) < FEW:
        holding_all(rare)
    if len(found) < FEW and len(rare) >= 3:
        for group in combinations(rare, len(rare) - 1):
            holding_all(list(group))
            if len(found) >= k:
                break
    chosen, budget = [], MAX_POSTINGS if len(found) < k else 0
    for t in present:
        if budget < min(df[t], DF_CAP):
            break
        chosen.append(t)
        budget -= min(df[t], DF_CAP)
    # units sharing the most of these words, counted inside SQLite
    for rowid in tm.fts_most_shared(lang, chosen, DF_CAP, k):
        found.setdefault(rowid, None)
    return list(found)
