"""Lookups in a translation memory: exact, fuzzy (CAT match %), concordance and semantic.

>>> with TM.open("diptych.db") as tm:                      # doctest: +SKIP
...     hits = Searcher(tm).search("The minister said on Tuesday", mode="auto", limit=5)

Fuzzy match % works like a CAT tool's: token edit distance over words, where numbers and
inline tags are placeables (a changed number costs 2 points, not a word) and punctuation or
letter-case changes cost 1 point each; only identical text scores 100. Candidates come from the
FTS5 index of Snowball stems (the query's rarest words first), so a lookup touches a few hundred
units, not the whole memory.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from itertools import combinations

from rapidfuzz.distance import Levenshtein

from tm.errors import TMError
from tm.store import TM, Unit, fts_quote
from tm.textproc import TOKEN_RE, cat_tokens, detect_lang, stem_words, typed_tokens, words


class Mode(str, Enum):
    auto = "auto"
    exact = "exact"
    fuzzy = "fuzzy"
    concordance = "concordance"
    semantic = "semantic"


class Kind(str, Enum):
    """How a hit was found."""

    exact = "exact"
    fuzzy = "fuzzy"
    concordance = "concordance"
    semantic = "semantic"


@dataclass(frozen=True)
class Match:
    """One hit: the unit, its match % (0-100), how it was found, and the side that matched."""

    unit: Unit
    match: int
    kind: Kind
    lang: str


# --------------------------------------------------------------------------- match %
PLACEABLE_COST = 2.0
"""Points a changed, added or dropped number or inline tag costs."""
MINOR_COST = 1.0
"""Points a punctuation mark or a letter-case change costs."""
MAX_MINOR = 10.0


class _Profile:
    """What match % compares of one text: the word/placeable sequence and the minor parts."""

    __slots__ = ("keys", "text", "toks")

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = typed_tokens(text)
        self.keys = [("<" + kind + ">" if kind in ("num", "tag") else tok.lower())
                     for kind, tok in self.toks if kind != "punct"]

    def bag(self, *kinds: str) -> Counter[str]:
        return Counter(tok for kind, tok in self.toks if kind in kinds)


def _diff(a: Counter[str], b: Counter[str]) -> int:
    return max(sum((a - b).values()), sum((b - a).values()))


class FuzzyScorer:
    """Match % of many texts against one query (the query is analysed once)."""

    def __init__(self, query: str) -> None:
        self.query = _Profile(query.strip())
        self._bags = {k: self.query.bag(*k) for k in (("num", "tag"), ("punct",), ("word",))}

    def base(self, c: _Profile) -> float:
        """The word-level score, before the minor costs."""
        q = self.query
        longest = max(len(q.keys), len(c.keys))
        return 100.0 * (1.0 - Levenshtein.distance(q.keys, c.keys) / longest) if longest else 100.0

    def minor(self, c: _Profile) -> float:
        """Points lost to changed placeables, punctuation and letter case (capped)."""
        bags = self._bags
        cost = PLACEABLE_COST * _diff(bags[("num", "tag")], c.bag("num", "tag"))
        cost += MINOR_COST * _diff(bags[("punct",)], c.bag("punct"))
        qw, cw = bags[("word",)], c.bag("word")
        if qw != cw:  # letter-case changes: differ as written, agree lower-cased
            lower_q = Counter(w.lower() for w in qw.elements())
            lower_c = Counter(w.lower() for w in cw.elements())
            cost += MINOR_COST * max(0, _diff(qw, cw) - _diff(lower_q, lower_c))
        return min(cost, MAX_MINOR)

    def score(self, c: _Profile, base: float | None = None) -> int:
        if self.query.text == c.text:
            return 100
        b = self.base(c) if base is None else base
        return max(0, min(99, math.floor(b - self.minor(c))))

    def __call__(self, text: str) -> int:
        return self.score(_Profile(text.strip()))

    def best(self, texts: dict[int, str], limit: int) -> list[tuple[int, int]]:
        """``(match %, id)`` of the ``limit`` best texts, best first (ties: lower id first).

        The word-level score is computed for all; the minor costs (at most
        :data:`MAX_MINOR` points) only for the texts that can still make the cut.
        """
        profiles = {i: _Profile(t.strip()) for i, t in texts.items()}
        bases = {i: self.base(p) for i, p in profiles.items()}
        ranked = sorted(bases, key=lambda i: -bases[i])
        cut = bases[ranked[limit - 1]] - MAX_MINOR - 1 if len(ranked) > limit else -1.0
        scored = [(self.score(profiles[i], bases[i]), i) for i in ranked if bases[i] >= cut]
        return sorted(scored, key=lambda t: (-t[0], t[1]))[:limit]


def match_percent(query: str, text: str) -> int:
    """CAT-style fuzzy match % of ``text`` against ``query`` (100 only when identical).

    >>> match_percent("Prices rose 5% in May.", "Prices rose 7% in May.")
    98
    """
    return FuzzyScorer(query)(text)


def diff_spans(query: str, text: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each flagged True where it differs from ``query`` (for
    highlighting): tokens inserted or replaced relative to the query."""
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    qt = [t for t in cat_tokens(query)]
    ct = [text[a:b] for a, b in spans]
    changed = [False] * len(ct)
    for op in Levenshtein.opcodes(qt, ct):
        if op.tag in ("replace", "insert"):
            for i in range(op.dest_start, op.dest_end):
                changed[i] = True
    return _pieces(text, spans, changed)


def term_spans(text: str, lang: str, query_stems: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, flagged True on the words whose stem is among ``query_stems``."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    toks = stem_words([text[a:b].lower().replace("ё", "е") for a, b in spans], lang)
    return _pieces(text, spans, [t in query_stems for t in toks])


def _pieces(text: str, spans: list[tuple[int, int]], flags: list[bool]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    pos = 0
    for (a, b), flag in zip(spans, flags):
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], flag))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _coverage(query: str, text: str, wanted: set[str], lang: str) -> int:
    """Percent of ``text``'s words whose stem is among the query's (100 only if identical)."""
    if query.strip() == text.strip():
        return 100
    found = stem_words(words(text), lang)
    return min(99, round(100 * sum(t in wanted for t in found) / max(len(found), 1)))


# --------------------------------------------------------------------------- searcher
class Searcher:
    """Lookups against one open TM. Semantic search loads the encoder on first use."""

    FUZZY_CANDIDATES = 30
    MAX_POSTINGS = 4_000
    DF_CAP = 1_000
    AUTO_FUZZY = 50
    AUTO_FLOOR = 30  # auto hides semantic neighbours and fuzzy matches under this: unrelated
    FEW = 1

    def __init__(self, tm: TM, *, encoder: object = None, model: str | None = None) -> None:
        self.tm = tm
        self._encoder = encoder
        self._model = model
        self._vectors: object = None

    # ---------------------------------------------------------------- modes
    def search(self, query: str, *, mode: Mode | str = Mode.auto, lang: str | None = None,
               limit: int = 10, min_match: int = 0) -> list[Match]:
        """Best matches first. ``lang`` is the query's language (detected when None)."""
        query = query.strip()
        if not query:
            raise TMError("empty query: give a sentence, a word or a phrase to look up")
        mode = Mode(mode)
        lang = (lang or detect_lang(query))[:2]
        if lang not in ("en", "ru"):
            raise TMError(f"unknown language {lang!r}: use --lang en or --lang ru")
        if mode is Mode.exact:
            hits = self.exact(query, lang)
        elif mode is Mode.fuzzy:
            hits = self.fuzzy(query, lang, limit)
        elif mode is Mode.concordance:
            hits = self.concordance(query, lang, limit)
        elif mode is Mode.semantic:
            hits = self.semantic(query, lang, limit)
        else:
            hits = self.auto(query, lang, limit)
        return [h for h in hits if h.match >= min_match][:limit]

    def exact(self, query: str, lang: str) -> list[Match]:
        units = self.tm.get_units(self.tm.find_exact(query, lang))
        return [Match(u, 100, Kind.exact, lang) for u in units.values()]

    def fuzzy(self, query: str, lang: str, limit: int) -> list[Match]:
        ids = self._candidates(query, lang, self.FUZZY_CANDIDATES)
        ids += [i for i in self.tm.find_exact(query, lang) if i not in ids]
        texts = self.tm.texts(ids, lang)
        scored = FuzzyScorer(query).best(texts, limit) if texts else []
        units = self.tm.get_units(i for _, i in scored[:limit])
        return [Match(units[i], m, Kind.exact if m == 100 else Kind.fuzzy, lang)
                for m, i in scored[:limit]]

    def concordance(self, query: str, lang: str, limit: int) -> list[Match]:
        """Units whose ``lang`` side holds every word of the query (any inflection); a query in
        double quotes must occur as a phrase. Shortest segments first, as in a CAT concordance;
        the match % is the share of the segment's words that the query's words cover."""
        phrase = len(query) > 1 and query[0] == query[-1] == '"'
        stems = stem_words(words(query), lang)
        if not stems:
            raise TMError(f"nothing to look up in {query!r}: give at least one word")
        expr = (fts_quote(" ".join(stems)) if phrase
                else " AND ".join(fts_quote(s) for s in dict.fromkeys(stems)))
        texts = self.tm.texts(self.tm.fts_ids(lang, expr, max(limit * 20, 200)), lang)
        ranked = sorted(texts, key=lambda i: (len(texts[i]), -i))[:limit]
        units = self.tm.get_units(ranked)
        wanted = set(stems)
        return [Match(units[i], _coverage(query.strip('"'), texts[i], wanted, lang),
                      Kind.concordance, lang) for i in ranked]

    def semantic(self, query: str, lang: str, limit: int) -> list[Match]:
        from tm import vectors

        vs = self._vector_search()
        q = vectors.query_vector(self._get_encoder(), query)
        hits = vs.search(q, limit)
        units = self.tm.get_units(i for i, _ in hits)
        out = []
        for i, cos in hits:
            if i not in units:
                continue
            u = units[i]
            identical = (u.en if lang == "en" else u.ru) == query
            out.append(Match(u, 100 if identical else max(0, min(99, round(cos * 100))),
                             Kind.semantic, lang))
        return out

    def auto(self, query: str, lang: str, limit: int) -> list[Match]:
        """Each unit once, in this order: fuzzy matches of at least :attr:`AUTO_FUZZY`%,
        concordance hits for short queries (up to 3 words), semantic neighbours of at least
        :attr:`AUTO_FLOOR`% when the TM has embeddings, then the weaker fuzzy matches (down to
        :attr:`AUTO_FLOOR`%)."""
        fuzzy = self.fuzzy(query, lang, limit)
        sections = [[h for h in fuzzy if h.match >= self.AUTO_FUZZY]]
        if len(words(query)) <= 3:
            sections.append(self.concordance(query, lang, limit))
        if self.has_vectors():
            sections.append([h for h in self.semantic(query, lang, limit)
                             if h.match >= self.AUTO_FLOOR])
        sections.append([h for h in fuzzy if self.AUTO_FLOOR <= h.match < self.AUTO_FUZZY])
        seen: set[int] = set()
        out = []
        for hits in sections:
            for h in hits:
                if h.unit.id not in seen:
                    seen.add(h.unit.id)
                    out.append(h)
        return out

    # ---------------------------------------------------------------- helpers
    def has_vectors(self) -> bool:
        return self.tm.has_vectors()

    def _vector_search(self):
        from tm import vectors

        if self._vectors is None:
            if not self.has_vectors():
                raise TMError(f"{self.tm.path} has no embeddings for semantic search: run "
                              "`diptych index` first")
            self._vectors = vectors.VectorSearch(self.tm)
        return self._vectors

    def _get_encoder(self):
        from tm import vectors

        stored = self.tm.get_setting("embedding_model") or vectors.DEFAULT_MODEL
        model = self._model or stored
        vectors.check_model(self.tm, model)
        if self._encoder is None:
            from tm.encoder import load_encoder

            self._encoder = load_encoder(model)
        return self._encoder

    def _candidates(self, query: str, lang: str, k: int) -> list[int]:
        """Ids of units likely to match ``query`` well, from the FTS5 index of stems.

        Units holding the query's eight rarest words (by document frequency counted up to
        :attr:`DF_CAP`); while fewer than :attr:`FEW` are found, units holding its five
        rarest, then all but one of those five;
        when that gives fewer than ``k``, also the units sharing the most of the query's rarer
        words (posting lists read up to :attr:`MAX_POSTINGS` rows in all). Numbers are left out (they are placeables and often
        change). No BM25 ranking: it costs a row lookup per posting, and every candidate is
        scored by match % anyway. The work is bounded, whatever the size of the memory.
        """
        stems = [t for t in dict.fromkeys(stem_words(words(query), lang)) if not t.isdigit()]
        df = self._df(stems, lang)
        # rarest first; among words past the count cap, longer words first (rarer in text)
        present = sorted((t for t in stems if df[t]), key=lambda t: (df[t], -len(t)))
        if not present:
            return []
        rare = present[:5]
        found: dict[int, None] = {}

        def holding_all(group: list[str]) -> int:
            rows = self.tm.fts_ids(lang, " AND ".join(map(fts_quote, group)), k)
            for rowid in rows:
                found.setdefault(rowid, None)
            return len(rows)

        if len(present) > len(rare) and holding_all(present[:8]) >= k and len(present) > 8:
            holding_all(present)  # ambiguous: units holding every word of the query
        if len(found) < self.FEW:
            holding_all(rare)
        if len(found) < self.FEW and len(rare) >= 3:
            for group in combinations(rare, len(rare) - 1):
                holding_all(list(group))
                if len(found) >= k:
                    break
        chosen, budget = [], self.MAX_POSTINGS if len(found) < k else 0
        for t in present:
            if budget < min(df[t], self.DF_CAP):
                break
            chosen.append(t)
            budget -= min(df[t], self.DF_CAP)
        # units sharing the most of these words, counted inside SQLite
        for rowid in self.tm.fts_most_shared(lang, chosen, self.DF_CAP, k):
            found.setdefault(rowid, None)
        return list(found)

    def _df(self, stems: list[str], col: str) -> dict[str, int]:
        """How many units hold each stem in side ``col``, counted up to :attr:`DF_CAP`."""
        return {t: self.tm.fts_count(col, t, self.DF_CAP) for t in stems}
