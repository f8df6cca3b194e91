"""Lookups in a translation memory: exact, fuzzy (CAT match %), concordance and semantic.

>>> with TM.open("diptych.db") as tm:                      # doctest: +SKIP
...     hits = Searcher(tm).search("The minister said on Tuesday", mode="auto", limit=5)

Each hit says how it was found and carries the score that means something for that kind:
``match``, the CAT match % (tm.search.fuzzy), for exact and fuzzy hits only; ``similarity``, a
calibrated 0-1 (tm.search.similarity), for semantic neighbours. A sentence inside a multi-sentence unit
is matched on its own (``part``), and a concordance hit or a part carries the words of the
other side that translate it (``translation``, tm.terms.links). ``--mode auto`` orders the
lookups as tm.search.auto says. Fuzzy candidates come from the FTS5 index (tm.search.candidates), so a lookup
touches a few hundred units, not the whole memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tm.choices import Kind, Mode
from tm.errors import TMError
from tm.search.auto import MIN_FUZZY, STRONG_FUZZY, arrange
from tm.search.candidates import candidates
from tm.search.concordance import Tier, holds_phrase, query_spans, ranked_ids, translation
from tm.search.fragments import PART_UNVERIFIED, other_part, part_of, sentences
from tm.search.fuzzy import FuzzyScorer, diff_spans, match_percent, term_spans
from tm.search.similarity import calibrated
from tm.store import MAX_SEGMENT, TM, Unit, fts_quote
from tm.terms.lexicon import NoLexicon, StoredLexicon, learned_enough
from tm.terms.links import SHOW_AT, Associations, Links, Span, tokens
from tm.text.query import Query

if TYPE_CHECKING:
    from align.embed import Encoder
    from tm.vectors.ann import VectorSearch

__all__ = ["Kind", "Match", "Mode", "Nearest", "Searcher", "diff_spans", "match_percent",
           "term_spans"]


class Nearest(Protocol):
    """What semantic search needs of a vector index (:class:`tm.vectors.ann.VectorSearch`,
    :class:`tm.service.live.Snapshot`): ``(unit id, cosine)`` of the ``k`` nearest, best first."""

    def search(self, q: Any, k: int) -> list[tuple[int, float]]: ...


class InDatabase:
    """Semantic search inside the database (PostgreSQL with pgvector): no process holds the
    vectors."""

    def __init__(self, tm: TM) -> None:
        self.tm = tm

    def search(self, q: Any, k: int) -> list[tuple[int, float]]:
        return self.tm.nearest_vectors([float(x) for x in q], k)


MAX_QUERY = MAX_SEGMENT
"""The longest query, in characters (as long as the longest unit a memory holds)."""
MAX_LIMIT = 1000
"""The most hits one lookup returns."""


@dataclass(frozen=True)
class Match:
    """One hit: the unit, how it was found (``kind``) and on which side (``lang``).

    ``match`` is the CAT match % (exact and fuzzy hits; None otherwise), ``similarity`` the
    calibrated similarity of a semantic neighbour (0-1; None otherwise). ``spans`` are
    ``(start, stop)`` offsets on the ``lang`` side: the matched sentence of a multi-sentence
    unit (``part``) or the query's words in a concordance hit. ``translation`` is the span of
    the other side that translates them (None when not found, or when the whole unit matched).
    """

    unit: Unit
    match: int | None
    kind: Kind
    lang: str
    similarity: float | None = None
    spans: tuple[tuple[int, int], ...] = ()
    translation: Span | None = None
    part: bool = False
    tier: Tier | None = None

    @property
    def source(self) -> str:
        """What matched: the sentence of a part, else the unit's ``lang`` side."""
        text = self.unit.en if self.lang == "en" else self.unit.ru
        return text[self.spans[0][0]:self.spans[0][1]] if self.part and self.spans else text

    @property
    def target(self) -> str:
        """Its translation: the other side's part for a part with a checked counterpart
        (tm.search.fragments), else the whole other side."""
        if self.part and self.translation is not None and self.translation.by == "sentence":
            return self.translation.text
        return self.unit.ru if self.lang == "en" else self.unit.en


class Searcher:
    """Lookups against one open TM. Semantic search loads the encoder on first use, and the
    memory's vector index too, unless ``vectors`` gives the index to use at each semantic
    lookup (so that threads share one, and its owner can swap in a fresh one)."""

    term_show_at = SHOW_AT
    """Least confidence of a translation shown (tm.terms.links.SHOW_AT; 0 shows every guess)."""
    FUZZY_CANDIDATES = 30
    FRAGMENT_CANDIDATES = 20
    LOOSE_WORDS = 8
    SHORT_WORDS = 3
    PHRASE_WORDS = 8

    def __init__(self, tm: TM, *, encoder: Encoder | None = None, model: str | None = None,
                 vectors: Callable[[], Nearest] | None = None) -> None:
        self.tm = tm
        self._encoder = encoder
        self._model = model
        self._shared = vectors
        self._vectors: VectorSearch | None = None

    # ---------------------------------------------------------------- modes
    def search(self, query: str, *, mode: Mode | str = Mode.auto, lang: str | None = None,
               limit: int = 10, min_match: int | None = None) -> list[Match]:
        """Best matches first. ``lang`` is the query's language (detected when None);
        ``min_match`` hides exact/fuzzy hits under that % (default: :data:`MIN_FUZZY` in fuzzy
        mode, 0 otherwise; hits without a match %, concordance and semantic, are kept)."""
        query = query.strip()
        if not query:
            raise TMError("empty query: give a sentence, a word or a phrase to look up")
        if len(query) > MAX_QUERY:
            raise TMError(f"the query is {len(query):,} characters long; look up at most"
                          f" {MAX_QUERY:,} (a sentence or a paragraph), or pretranslate a"
                          " whole article")
        if not 1 <= limit <= MAX_LIMIT or not 0 <= (min_match or 0) <= 100:
            raise TMError(f"limit {limit} or min_match {min_match} out of range: give a limit"
                          f" of 1 to {MAX_LIMIT} and a min_match of 0 to 100")
        mode = Mode(mode)
        if (lang or "en")[:2] not in ("en", "ru"):
            raise TMError(f"unknown language {lang!r}: use --lang en or --lang ru")
        q = Query.of(query, lang)  # analysed once: every mode reads it
        if min_match is None:
            min_match = MIN_FUZZY if mode is Mode.fuzzy else 0
        if mode is Mode.exact:
            hits = self.exact(q, unverified=True)
        elif mode is Mode.fuzzy:
            hits = self.fuzzy(q, limit)
        elif mode is Mode.concordance:
            if not q.stems:
                raise TMError(f"nothing to look up in {query!r}: give at least one word")
            hits = self.concordance(q, limit)
        elif mode is Mode.semantic:
            hits = self.semantic(q, limit)
        else:
            hits = self.auto(q, limit)
        return [h for h in hits if h.match is None or h.match >= min_match][:limit]

    def exact(self, query: Query, phrase_ids: list[int] | None = None, *,
              unverified: bool = False, whole_ids: list[int] | None = None) -> list[Match]:
        """Units whose side is ``query``, then units holding it as one sentence (among
        ``phrase_ids``, the units holding its words as a phrase, looked up when None). A
        sentence whose counterpart on the other side cannot be checked (a 2-1 bead) is a
        fuzzy hit of at most PART_UNVERIFIED% (tm.search.fragments): left out (auto finds it
        among the fuzzy hits), or kept when ``unverified`` (exact mode: the sentence is
        there word for word, its translation is the whole other side)."""
        lang = query.lang
        if whole_ids is None:  # the units whose side is the query (auto has them already)
            whole_ids = self.tm.find_exact(query.text, lang)
        units = self.tm.get_units(whole_ids)
        hits = [Match(u, 100, Kind.exact, lang) for u in units.values()]
        if phrase_ids is None:
            phrase_ids = self.tm.fts_ids(lang, fts_quote(" ".join(query.stems)),
                                         self.FRAGMENT_CANDIDATES) if query.stems else []
        texts = self.tm.texts([i for i in phrase_ids if i not in units], lang)
        parts = {i: p for i, t in texts.items() if (p := part_of(query.text, t, lang))}
        return hits + [h for h in self._parts(self.tm.get_units(parts), parts, 100, lang)
                       if unverified or h.match == 100]

    def fuzzy(self, query: Query, limit: int,
              texts: dict[int, str] | None = None) -> list[Match]:
        """CAT match % of the candidates (``texts``: their sides in the query's language,
        looked up when None), each unit scored whole and sentence by sentence."""
        lang = query.lang
        pool: dict[int, str] = {}
        where: list[tuple[int, tuple[int, int] | None]] = []
        if texts is None:
            texts = self._candidate_texts(query)
        for i, text in texts.items():
            spans = sentences(text, lang)
            for span in [None, *spans] if len(spans) > 1 else [None]:
                pool[len(where)] = text if span is None else text[span[0]:span[1]]
                where.append((i, span))
        best: dict[int, tuple[int, tuple[int, int] | None]] = {}
        for pct, key in FuzzyScorer(query.text).best(pool, 2 * limit) if pool else []:
            unit_id, span = where[key]
            best.setdefault(unit_id, (pct, span))
        ranked = list(best.items())[:limit]
        units = self.tm.get_units(i for i, _ in ranked)
        wholes = [i for i, (_, span) in ranked if span is None]
        parts = {i: span for i, (_, span) in ranked if span is not None}
        part_hits = {h.unit.id: h for h in self._parts(
            {i: units[i] for i in parts}, parts, None, lang, {i: best[i][0] for i in parts})}
        out = []
        for i, (pct, _) in ranked:
            if i in wholes:
                out.append(Match(units[i], pct, Kind.exact if pct == 100 else Kind.fuzzy, lang))
            else:
                out.append(part_hits[i])
        return sorted(out, key=lambda h: -(h.match or 0))  # parts may have lost their %

    def concordance(self, query: Query, limit: int, *,
                    ranked: list[tuple[int, Tier]] | None = None) -> list[Match]:
        """Units holding the query's words (any form of each): the phrase, then close
        together, then anywhere (tm.search.concordance; or the ``ranked`` ids given), each with
        the forms found and their translation located in it."""
        lang = query.lang
        if ranked is None:
            ranked = ranked_ids(self.tm, query, lang, limit)
        units = self.tm.get_units(i for i, _ in ranked)
        lexicon, links = self._term_sources([t.key for t in query.tokens], lang, list(units))
        out = []
        for i, tier in ranked:
            if i not in units:
                continue
            u = units[i]
            src, tgt = (u.en, u.ru) if lang == "en" else (u.ru, u.en)
            spans = query_spans(src, lang, query)
            out.append(Match(u, None, Kind.concordance, lang, spans=tuple(spans),
                             translation=translation(src, lang, spans, tgt, lexicon,
                                                     links.get(i), show_at=self.term_show_at), tier=tier))
        return out

    def semantic(self, query: Query, limit: int) -> list[Match]:
        """Nearest unit vectors, with their calibrated similarity."""
        from tm.vectors import embed as vectors

        lang = query.lang
        vs = self._vector_search()
        hits = vs.search(vectors.query_vector(self._get_encoder(), query.text), limit)
        units = self.tm.get_units(i for i, _ in hits)
        return [Match(units[i], None, Kind.semantic, lang, similarity=calibrated(cos, lang))
                for i, cos in hits if i in units]

    def auto(self, query: Query, limit: int) -> list[Match]:
        """Every lookup, in the order of tm.search.auto, each done once and only where it can add:
        the phrase lookup serves both exact parts and verbatim hits (among the fuzzy
        candidates, which hold the query's rarest words; when none holds it, or fewer than
        ``limit`` and its words stand for their other forms too (Query.expands), the index is
        asked for queries of up to :attr:`PHRASE_WORDS` words);
        the words apart are looked for in queries of up to :attr:`LOOSE_WORDS` words; semantic neighbours when no exact,
        strong fuzzy or verbatim hit exists (they would only come after those)."""
        lang, n = query.lang, len(query.stems)
        whole = self.tm.find_exact(query.text, query.lang)
        texts = self._candidate_texts(query, whole)
        fuzzy = self.fuzzy(query, limit, texts)
        # a unit holding the query holds its rarest words, so it is usually a candidate
        found = sorted((i for i, t in texts.items() if holds_phrase(t, lang, query)),
                       key=lambda i: len(texts[i]))
        ranked = [(i, Tier.phrase) for i in found]
        if (not ranked or query.expands and len(ranked) < limit) and (
                0 < n <= self.PHRASE_WORDS):
            # common words, or other forms of the words (the candidates hold their stems as
            # typed, "Кобзев", not "Кобзева"): ask the index
            ranked += [r for r in ranked_ids(self.tm, query, lang, max(
                limit, self.FRAGMENT_CANDIDATES), tiers=(Tier.phrase,)) if r[0] not in found]
        exact = self.exact(query, phrase_ids=[i for i, _ in ranked], whole_ids=whole)
        done = {h.unit.id for h in exact}
        phrase = self.concordance(query, limit,
                                  ranked=[r for r in ranked if r[0] not in done][:limit])
        strong = any((h.match or 0) >= STRONG_FUZZY for h in fuzzy)
        loose = []
        # words apart: always for short queries; for longer ones only when nothing better holds
        # them (a verbatim or strong hit makes the extra index query pointless)
        if 1 < n <= self.LOOSE_WORDS and len(phrase) < limit and (
                n <= self.SHORT_WORDS or not (exact or phrase or strong)):
            loose = self.concordance(query, limit, ranked=ranked_ids(
                self.tm, query, lang, limit, tiers=(Tier.near, Tier.all)))
        wanted = not (exact or phrase or strong) and self.has_vectors()
        semantic = self.semantic(query, limit) if wanted else []
        return arrange(exact, fuzzy, phrase, semantic, loose, limit)

    # ---------------------------------------------------------------- helpers
    def _candidate_texts(self, query: Query, whole: list[int] | None = None) -> dict[int, str]:
        """The texts of the fuzzy candidates and of the units whose side is the query
        (``whole``: looked up when None)."""
        ids = candidates(self.tm, query, self.FUZZY_CANDIDATES)
        if whole is None:
            whole = self.tm.find_exact(query.text, query.lang)
        ids += [i for i in whole if i not in ids]
        return self.tm.texts(ids, query.lang)

    def _parts(self, units: dict[int, Unit], spans: dict[int, tuple[int, int]],
               pct: int | None, lang: str, pcts: dict[int, int] | None = None) -> list[Match]:
        """Hits on one sentence of a unit each, with the other side's part that translates it;
        a part without a checked counterpart scores at most PART_UNVERIFIED (tm.search.fragments)."""
        if not units:
            return []
        keys = [t.key for i, u in units.items()
                for t in tokens((u.en if lang == "en" else u.ru)[spans[i][0]:spans[i][1]], lang)]
        lexicon, links = self._term_sources(keys, lang, list(units))
        out = []
        for i, u in units.items():
            src, tgt = (u.en, u.ru) if lang == "en" else (u.ru, u.en)
            m = pct if pcts is None else pcts[i]
            found = other_part(src, lang, spans[i], tgt, lexicon, links.get(i))
            if m is not None and (found is None or found.by != "sentence"):
                m = min(m, PART_UNVERIFIED)
            out.append(Match(u, m, Kind.exact if m == 100 else Kind.fuzzy, lang,
                             spans=(spans[i],), part=True, translation=found))
        return out

    def _term_sources(self, keys: list[str], lang: str, ids: list[int]
                      ) -> tuple[Associations, dict[int, Links]]:
        """The lexicon rows of ``keys`` and the word links of units ``ids``; none on a memory
        whose last fit aligned too few units to learn from (tm.terms.lexicon.MIN_FIT_UNITS):
        translations then come from spelling alone."""
        if not learned_enough(self.tm):
            return NoLexicon(), {}
        return StoredLexicon(self.tm, keys, lang), self.tm.unit_links(ids)

    def has_vectors(self) -> bool:
        return self.tm.has_vectors()

    def _vector_search(self) -> Nearest:
        from tm.vectors.ann import VectorSearch

        if not self.has_vectors():
            raise TMError(f"{self.tm.shown} has no embeddings for semantic search: run "
                          "`diptych index` first")
        if self.tm.vectors_in_database:
            return InDatabase(self.tm)
        if self._shared is not None:
            return self._shared()
        if self._vectors is None:
            self._vectors = VectorSearch(self.tm)
        return self._vectors

    def _get_encoder(self) -> Encoder:
        from tm.vectors import embed as vectors
        from tm.vectors.model import DEFAULT_MODEL, load_encoder

        stored = self.tm.get_setting("embedding_model") or DEFAULT_MODEL
        model = self._model or stored
        vectors.check_model(self.tm, model)
        if self._encoder is None:
            self._encoder = load_encoder(model)
        return self._encoder
