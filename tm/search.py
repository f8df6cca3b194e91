"""Lookups in a translation memory: exact, fuzzy (CAT match %), concordance and semantic.

>>> with TM.open("diptych.db") as tm:                      # doctest: +SKIP
...     hits = Searcher(tm).search("The minister said on Tuesday", mode="auto", limit=5)

Fuzzy match % is a CAT tool's (tm.matching). Candidates come from the FTS5 index of Snowball stems (the query's rarest words first), so a lookup touches a few hundred
units, not the whole memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from tm.choices import Kind, Mode
from tm.errors import TMError
from tm.matching import FuzzyScorer, coverage, diff_spans, match_percent, term_spans
from tm.store import TM, Unit, fts_quote
from tm.textproc import detect_lang, stem_words, words

if TYPE_CHECKING:
    from align.embed import Encoder
    from tm.ann import VectorSearch

__all__ = ["Kind", "Match", "Mode", "Searcher", "diff_spans", "match_percent", "term_spans"]


@dataclass(frozen=True)
class Match:
    """One hit: the unit, its match % (0-100), how it was found, and the side that matched."""

    unit: Unit
    match: int
    kind: Kind
    lang: str


# --------------------------------------------------------------------------- searcher
class Searcher:
    """Lookups against one open TM. Semantic search loads the encoder on first use."""

    FUZZY_CANDIDATES = 30
    MAX_POSTINGS = 4_000
    DF_CAP = 1_000
    AUTO_FUZZY = 50
    AUTO_FLOOR = 30  # auto hides semantic neighbours and fuzzy matches under this: unrelated
    FEW = 1

    def __init__(self, tm: TM, *, encoder: Encoder | None = None,
                 model: str | None = None) -> None:
        self.tm = tm
        self._encoder = encoder
        self._model = model
        self._vectors: VectorSearch | None = None

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
        return [Match(units[i], coverage(query.strip('"'), texts[i], wanted, lang),
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

    def _vector_search(self) -> VectorSearch:
        from tm.ann import VectorSearch

        if self._vectors is None:
            if not self.has_vectors():
                raise TMError(f"{self.tm.path} has no embeddings for semantic search: run "
                              "`diptych index` first")
            self._vectors = VectorSearch(self.tm)
        return self._vectors

    def _get_encoder(self) -> Encoder:
        from tm import vectors
        from tm.encoder import DEFAULT_MODEL, load_encoder

        stored = self.tm.get_setting("embedding_model") or DEFAULT_MODEL
        model = self._model or stored
        vectors.check_model(self.tm, model)
        if self._encoder is None:
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
