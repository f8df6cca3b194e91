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
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from rapidfuzz.distance import Levenshtein

from tm.errors import TMError
from tm.store import TM, Unit
from tm.textproc import TOKEN_RE, cat_tokens, detect_lang, stem_words, words


class Mode(str, Enum):
    auto = "auto"
    exact = "exact"
    fuzzy = "fuzzy"
    concordance = "concordance"
    semantic = "semantic"


@dataclass(frozen=True)
class Match:
    """One hit: the unit, its match % (0-100), how it was found, and the side that matched."""

    unit: Unit
    match: int
    kind: str
    lang: str


# --------------------------------------------------------------------------- match %
_NUM = re.compile(r"\d")
_WORDISH = re.compile(r"\w")
PLACEABLE_COST = 2.0
MINOR_COST = 1.0
MAX_MINOR = 10.0


def _classify(tok: str) -> str:
    if tok.startswith("<") and tok.endswith(">") and len(tok) > 2:
        return "<tag>"
    if _NUM.match(tok):
        return "<num>"
    if _WORDISH.match(tok):
        return tok.lower()
    return ""  # punctuation / symbol


def match_percent(query: str, text: str) -> int:
    """CAT-style fuzzy match % of ``text`` against ``query`` (100 only when identical).

    >>> match_percent("Prices rose 5% in May.", "Prices rose 7% in May.")
    98
    """
    query, text = query.strip(), text.strip()
    if query == text:
        return 100
    qt, ct = cat_tokens(query), cat_tokens(text)
    qk = [k for k in map(_classify, qt) if k]
    ck = [k for k in map(_classify, ct) if k]
    longest = max(len(qk), len(ck))
    if longest == 0:
        base = 100.0
    else:
        base = 100.0 * (1.0 - Levenshtein.distance(qk, ck) / longest)
    minor = 0.0
    for kind, cost in (("<num>", PLACEABLE_COST), ("<tag>", PLACEABLE_COST), ("", MINOR_COST)):
        qa = Counter(t for t in qt if _classify(t) == kind)
        ca = Counter(t for t in ct if _classify(t) == kind)
        minor += cost * max(sum((qa - ca).values()), sum((ca - qa).values()))
    qw = Counter(t for t in qt if _classify(t) not in ("", "<num>", "<tag>"))
    cw = Counter(t for t in ct if _classify(t) not in ("", "<num>", "<tag>"))
    cased = sum((qw - cw).values()) - sum((Counter(k.lower() for k in qw.elements())
                                            - Counter(k.lower() for k in cw.elements())).values())
    minor += MINOR_COST * max(cased, 0)
    score = base - min(minor, MAX_MINOR)
    return max(0, min(99, math.floor(score)))


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


# --------------------------------------------------------------------------- searcher
def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Searcher:
    """Lookups against one open TM. Semantic search loads the encoder on first use."""

    FUZZY_CANDIDATES = 100
    MAX_POSTINGS = 30_000

    def __init__(self, tm: TM, *, encoder: object = None, model: Optional[str] = None) -> None:
        self.tm = tm
        self._encoder = encoder
        self._model = model
        self._vectors: object = None
        tm.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.units_vocab USING"
                        " fts5vocab(main, units_fts, 'col')")

    # ---------------------------------------------------------------- modes
    def search(self, query: str, *, mode: Mode | str = Mode.auto, lang: Optional[str] = None,
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
        return [Match(u, 100, "exact", lang) for u in units.values()]

    def fuzzy(self, query: str, lang: str, limit: int) -> list[Match]:
        ids = self._candidates(query, lang, self.FUZZY_CANDIDATES)
        ids += [i for i in self.tm.find_exact(query, lang) if i not in ids]
        texts = self._texts(ids, lang)
        scored = sorted(((match_percent(query, texts[i]), i) for i in texts), key=lambda t: -t[0])
        units = self.tm.get_units(i for _, i in scored[:limit])
        return [Match(units[i], m, "exact" if m == 100 else "fuzzy", lang)
                for m, i in scored[:limit]]

    def concordance(self, query: str, lang: str, limit: int) -> list[Match]:
        """Units whose ``lang`` side holds every word of the query (any inflection); a query in
        double quotes must occur as a phrase. Shortest segments first, as in a CAT concordance."""
        phrase = len(query) > 1 and query[0] == query[-1] == '"'
        stems = stem_words(words(query), lang)
        if not stems:
            raise TMError(f"nothing to look up in {query!r}: give at least one word")
        expr = (_fts_quote(" ".join(stems)) if phrase
                else " AND ".join(_fts_quote(s) for s in dict.fromkeys(stems)))
        rows = self.tm.conn.execute(
            "SELECT rowid FROM units_fts WHERE units_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (f"{lang}: ({expr})", max(limit * 20, 200))).fetchall()
        texts = self._texts([r[0] for r in rows], lang)
        ranked = sorted(texts, key=lambda i: (len(texts[i]), -i))[:limit]
        units = self.tm.get_units(ranked)
        return [Match(units[i], match_percent(query.strip('"'), texts[i]), "concordance", lang)
                for i in ranked]

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
                             "semantic", lang))
        return out

    def auto(self, query: str, lang: str, limit: int) -> list[Match]:
        """Fuzzy matches, plus concordance for short queries (up to 3 words), plus semantic
        neighbours when the TM has embeddings; each unit once, with its best match %."""
        best: dict[int, Match] = {}

        def merge(hits: Iterable[Match]) -> None:
            for h in hits:
                old = best.get(h.unit.id)
                if old is None or h.match > old.match:
                    best[h.unit.id] = h

        merge(self.fuzzy(query, lang, limit))
        if len(words(query)) <= 3:
            merge(self.concordance(query, lang, limit))
        if self.has_vectors():
            merge(self.semantic(query, lang, limit))
        return sorted(best.values(), key=lambda h: (-h.match, h.unit.id))

    # ---------------------------------------------------------------- helpers
    def has_vectors(self) -> bool:
        return self.tm.conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone() is not None

    def _vector_search(self):  # noqa: ANN202
        from tm import vectors

        if self._vectors is None:
            if not self.has_vectors():
                raise TMError(f"{self.tm.path} has no embeddings for semantic search: run "
                              "`diptych index` first")
            self._vectors = vectors.VectorSearch(self.tm)
        return self._vectors

    def _get_encoder(self):  # noqa: ANN202
        from tm import vectors

        stored = self.tm.get_setting("embedding_model") or vectors.DEFAULT_MODEL
        model = self._model or stored
        vectors.check_model(self.tm, model)
        if self._encoder is None:
            self._encoder = vectors.load_encoder(model)
        return self._encoder

    def _candidates(self, query: str, lang: str, k: int) -> list[int]:
        """Ids of units sharing the query's rarest stems, best BM25 first."""
        stems = list(dict.fromkeys(stem_words(words(query), lang)))
        if not stems:
            return []
        col = lang
        df = self._df(stems, col)
        present = sorted((t for t in stems if df.get(t)), key=lambda t: df[t])
        chosen, total = [], 0
        for t in present:
            if chosen and total + df[t] > self.MAX_POSTINGS:
                break
            chosen.append(t)
            total += df[t]
        if not chosen:
            return []
        expr = " OR ".join(_fts_quote(t) for t in chosen)
        rows = self.tm.conn.execute(
            "SELECT rowid FROM units_fts WHERE units_fts MATCH ? ORDER BY rank LIMIT ?",
            (f"{col}: ({expr})", k)).fetchall()
        return [int(r[0]) for r in rows]

    def _df(self, stems: list[str], col: str) -> dict[str, int]:
        """Number of units whose ``col`` side holds each stem (0 when absent)."""
        out: dict[str, int] = {}
        for t in stems:
            row = self.tm.conn.execute(
                "SELECT doc FROM temp.units_vocab WHERE term = ? AND col = ?", (t, col)).fetchone()
            out[t] = int(row[0]) if row else 0
        return out

    def _texts(self, ids: list[int], lang: str) -> dict[int, str]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {int(i): str(t) for i, t in self.tm.conn.execute(
            f"SELECT id, {lang} FROM units WHERE id IN ({marks})", ids)}
