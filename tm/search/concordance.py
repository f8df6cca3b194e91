"""Concordance: units holding the query's words, the exact phrase first, each with the query
highlighted on its side and the words that translate it on the other side.

Ranking, as a translator reads a concordance (OmegaT, Linguee): units holding the query as a
phrase (its words in order, any inflection), then units holding all its words close together
(FTS5 ``NEAR``), then units holding all of them anywhere; BM25 within each tier (computed on a
bounded pool of the newest matching units, so a common word costs the same in a memory of 1M
units as in one of 10k). A query in double quotes asks for the phrase tier alone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import product
from typing import Protocol

from tm.store import fts_quote
from tm.terms.links import SHOW_AT, Associations, Links, Span, Token, tokens, translate
from tm.text.query import Query


class Tier(str, Enum):
    """How closely a concordance hit holds the query's words."""

    phrase = "phrase"
    near = "near"
    all = "all"


class FullText(Protocol):
    def fts_ranked(self, lang: str, expr: str, pool: int, limit: int) -> list[int]: ...


MAX_VARIANTS = 64
"""Most phrases one tier ORs: a Russian word has 1-4 stems among its forms (a verb up to 6),
so a 3-word phrase is well under; past it the tier asks for the words anywhere instead."""


@dataclass(frozen=True)
class Plan:
    """The FTS5 expression of each tier for one query."""

    stems: tuple[str, ...]
    tiers: tuple[tuple[Tier, str], ...]


def _any(forms: frozenset[str]) -> str:
    quoted = sorted(map(fts_quote, forms))
    return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"


def plan(query: Query | str, lang: str) -> Plan:
    """The tiers to run for ``query``: phrase, near, all (phrase alone for a quoted query or
    a one-word query). Each word stands for any of its forms (Query.forms). The phrase tier
    asks for the words as typed first, then ORs the phrases of every other choice of forms, up to
    :data:`MAX_VARIANTS` (BM25 reads each phrase ORed over the whole index, so the typed
    phrase alone, when it fills a lookup, costs less: 2-word Russian concordance over 1M
    units, the phrase tier's mean/p95 19.7/61.2 ms -> 13.6/42.5 ms, typed phrase enough in
    57 of 80); the near tier is FTS5's NEAR on the stems as typed; the all tier, the words
    anywhere in any form."""
    q = query if isinstance(query, Query) else Query.of(query, lang)
    if not q.stems:
        return Plan((), ())
    groups = list(q.forms)
    choices = 1
    for g in groups:
        choices *= len(g)
    every = " AND ".join(_any(g) for g in dict.fromkeys(groups))
    typed = fts_quote(" ".join(q.stems))
    if choices <= MAX_VARIANTS:  # the other forms' phrases: the typed one was asked first
        phrase = " OR ".join(p for p in (fts_quote(" ".join(c)) for c in product(*map(sorted, groups)))
                             if p != typed)
    else:
        phrase = every
    tiers: list[tuple[Tier, str]] = [(Tier.phrase, typed)]
    if phrase:
        tiers.append((Tier.phrase, phrase))
    stems = list(dict.fromkeys(q.stems))
    if not q.quoted and len(dict.fromkeys(groups)) > 1:
        if len(stems) > 1:  # one NEAR group: answerable by every backend's parser (tm.store)
            near = f"NEAR({' '.join(map(fts_quote, stems))}, {len(stems) + 2})"
            tiers.append((Tier.near, near))
        tiers.append((Tier.all, every))
    return Plan(q.stems, tuple(tiers))


POOL = 300
"""Newest matching units BM25 ranks in one tier (it reads each one's positions and sizes)."""


def ranked_ids(store: FullText, query: Query | str, lang: str, limit: int, *, pool: int = POOL,
               tiers: Collection[Tier] = tuple(Tier)) -> list[tuple[int, Tier]]:
    """``(unit id, tier)`` of the best ``limit`` units in ``tiers``, phrase tier first."""
    q = query if isinstance(query, Query) else Query.of(query, lang)
    out: dict[int, Tier] = {}
    done: set[str] = set()
    for tier, expr in _tiers(q, lang):
        if tier not in tiers or expr in done:
            continue  # a tier whose expression an earlier one ran finds nothing new
        done.add(expr)
        for unit_id in store.fts_ranked(lang, expr, pool, limit):
            out.setdefault(unit_id, tier)
        if len(out) >= limit:
            break
    return list(out.items())[:limit]


def _tiers(q: Query, lang: str) -> Iterator[tuple[Tier, str]]:
    """The plan's tiers, the phrase as typed (its first) asked before the forms of the words
    are worked out (tm.text.morph, 3-7 ms a Russian word): when it fills the lookup they
    are not needed."""
    if q.stems:
        yield Tier.phrase, fts_quote(" ".join(q.stems))
    yield from plan(q, lang).tiers


def query_spans(text: str, lang: str, query: Query | str) -> list[tuple[int, int]]:
    """Where ``query`` stands in ``text``: the span of its words in order when they are
    there as a phrase (any form of each), else the span of each word of ``text`` that is a
    form of one of them."""
    q = query if isinstance(query, Query) else Query.of(query.strip('"'), lang)
    toks = tokens(text, lang)
    run = _run(toks, q)
    if run is not None:
        return [(toks[run[0]].start, toks[run[-1]].stop)]
    wanted = frozenset().union(*q.token_forms)
    return [(t.start, t.stop) for t in toks if t.key in wanted]


def holds_phrase(text: str, lang: str, query: Query | str) -> bool:
    """Does ``text`` hold the words of ``query`` in order (any form of each)?"""
    q = query if isinstance(query, Query) else Query.of(query.strip('"'), lang)
    return bool(q.tokens) and _run(tokens(text, lang), q) is not None


def _run(toks: list[Token], q: Query) -> list[int] | None:
    """The first run of ``toks`` holding the query's words as typed, else (when they stand
    for other forms too) the first holding a form of each."""
    n = len(q.tokens)
    keys = [t.key for t in q.tokens]
    for i in range(len(toks) - n + 1) if n else ():
        if [t.key for t in toks[i:i + n]] == keys:
            return list(range(i, i + n))
    for i in range(len(toks) - n + 1) if n and q.expands else ():
        if all(q.matches(k, t) for k, t in enumerate(toks[i:i + n])):
            return list(range(i, i + n))
    return None


def translation(src: str, src_lang: str, spans: Sequence[tuple[int, int]], tgt: str,
                lexicon: Associations, links: Links | None, *,
                show_at: float = SHOW_AT) -> Span | None:
    """The words of ``tgt`` that translate the query found at ``spans`` of ``src``, when
    they are likely enough to be right (their :attr:`Span.p` reaches ``show_at``)."""
    if not spans:
        return None
    found = [translate(src, src_lang, s, tgt, lexicon, links) for s in spans]
    best = [s for s in found if s is not None and s.p >= show_at]
    return max(best, key=lambda s: s.score) if best else None
