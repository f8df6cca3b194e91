"""Concordance: units holding the query's words, the exact phrase first, each with the query
highlighted on its side and the words that translate it on the other side.

Ranking, as a translator reads a concordance (OmegaT, Linguee): units holding the query as a
phrase (its words in order, any inflection), then units holding all its words close together
(FTS5 ``NEAR``), then units holding all of them anywhere; BM25 within each tier (computed on a
bounded pool of the newest matching units, so a common word costs the same in a memory of 1M
units as in one of 10k). A query in double quotes asks for the phrase tier alone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from tm.store import fts_quote
from tm.terms.links import Associations, Links, Span, Token, tokens, translate
from tm.text.tokens import stem_words, words


class Tier(str, Enum):
    """How closely a concordance hit holds the query's words."""

    phrase = "phrase"
    near = "near"
    all = "all"


class FullText(Protocol):
    def fts_ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]: ...


@dataclass(frozen=True)
class Plan:
    """The FTS5 expression of each tier for one query."""

    stems: tuple[str, ...]
    tiers: tuple[tuple[Tier, str], ...]


def plan(query: str, lang: str) -> Plan:
    """The tiers to run for ``query``: phrase, near, all (phrase alone for a quoted query or
    a one-word query)."""
    quoted = len(query) > 1 and query[0] == query[-1] == '"'
    stems = tuple(stem_words(words(query), lang))
    if not stems:
        return Plan((), ())
    tiers: list[tuple[Tier, str]] = [(Tier.phrase, fts_quote(" ".join(stems)))]
    unique = list(dict.fromkeys(stems))
    if not quoted and len(unique) > 1:
        tiers.append((Tier.near, f"NEAR({' '.join(map(fts_quote, unique))}, {len(unique) + 2})"))
        tiers.append((Tier.all, " AND ".join(map(fts_quote, unique))))
    return Plan(stems, tuple(tiers))


POOL = 300
"""Newest matching units BM25 ranks in one tier (it reads each one's positions and sizes)."""


def ranked_ids(store: FullText, query: str, lang: str, limit: int, *, pool: int = POOL,
               tiers: Collection[Tier] = tuple(Tier)) -> list[tuple[int, Tier]]:
    """``(unit id, tier)`` of the best ``limit`` units in ``tiers``, phrase tier first."""
    out: dict[int, Tier] = {}
    for tier, expr in plan(query, lang).tiers:
        if tier not in tiers:
            continue
        for unit_id in store.fts_ranked(lang, expr, pool, limit):
            out.setdefault(unit_id, tier)
        if len(out) >= limit:
            break
    return list(out.items())[:limit]


def query_spans(text: str, lang: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` stands in ``text``: the span of its words in order when they are
    there as a phrase, else the span of each word of ``text`` that is one of them."""
    toks = tokens(text, lang)
    keys = [t.key for t in tokens(query, lang)]
    run = _run(toks, keys)
    if run is not None:
        return [(toks[run[0]].start, toks[run[-1]].stop)]
    wanted = set(keys)
    return [(t.start, t.stop) for t in toks if t.key in wanted]


def holds_phrase(text: str, lang: str, query: str) -> bool:
    """Does ``text`` hold the words of ``query`` in order (any inflection)?"""
    keys = [t.key for t in tokens(query, lang)]
    return bool(keys) and _run(tokens(text, lang), keys) is not None


def _run(toks: list[Token], keys: list[str]) -> list[int] | None:
    n = len(keys)
    for i in range(len(toks) - n + 1) if n else ():
        if [t.key for t in toks[i:i + n]] == keys:
            return list(range(i, i + n))
    return None


def translation(src: str, src_lang: str, spans: Sequence[tuple[int, int]], tgt: str,
                lexicon: Associations, links: Links | None) -> Span | None:
    """The words of ``tgt`` that translate the query found at ``spans`` of ``src``."""
    if not spans:
        return None
    if len(spans) == 1:
        return translate(src, src_lang, spans[0], tgt, lexicon, links)
    found = [translate(src, src_lang, s, tgt, lexicon, links) for s in spans]
    best = [s for s in found if s is not None]
    return max(best, key=lambda s: s.score) if best else None
