"""Term translation inside a unit: the words of the other side that translate a phrase.

>>> lex = Lexicon.fit([("The dam was closed.", "Дамбу закрыли.")] * 3, "en")  # doctest: +SKIP
>>> translate("The dam was closed.", "en", "dam", "Дамбу закрыли.", lex)   # doctest: +SKIP
Span(start=0, stop=5, text='Дамбу', score=...)

Each word of the other side gets an association with the query's words, the best of:
a lexicon fitted on the memory's own units (links of the eflomal word aligner, scored by Dice
over link counts), the same word or number written the same way, the same amount written in
the other language's conventions (``20,000`` / ``20 тысяч``), and a Latin name against its
Cyrillic transliteration. The translation is the contiguous run of words with the highest
total association (less a fixed cost per word), so function words inside a term are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import Indel

from tm.store.types import MAX_SEGMENT
from tm.text.numbers import amounts
from tm.text.tokens import LINK_TOKEN_RE as TOKEN_RE
from tm.text.tokens import Token, tokens

__all__ = ["TOKEN_RE", "Associations", "Lexicon", "Links", "Span", "Token", "associations",
           "best_run", "romanize", "tokens", "translate"]
COST = 0.3
"""What a word of the translation costs: a run only grows over words more associated than this."""
LINK_WEIGHT = 0.7
"""Association of two words the aligner linked in this very unit."""
TRANSLIT_MIN = 0.7
"""Least similarity of a Latin word and a Cyrillic word's transliteration to count as a cue."""

_RU_LATIN = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


Links = set[tuple[int, int]]
"""Word links of one unit: ``(i, j)`` joins English token ``i`` and Russian token ``j``."""


class Associations(Protocol):
    def row(self, key: str, lang: str) -> Mapping[str, float]: ...


@dataclass(frozen=True)
class Span:
    """The translation found: ``text[start:stop]`` of the other side, how sure (0-1), and
    ``by`` what: "words" (the term aligner) or "sentence" (a whole sentence paired in place)."""

    start: int
    stop: int
    text: str
    score: float
    by: str = "words"

    @property
    def p(self) -> float:
        """How likely these words translate the phrase (:func:`confidence` of the score; a
        whole sentence paired in place counts as sure)."""
        return 1.0 if self.by == "sentence" else confidence(self.score)


CALIBRATION: tuple[tuple[float, float], ...] = ((0.95, 1.0), (0.75, 1.0), (0.65, 0.75),
                                                 (0.0, 0.0))
"""``(least score, P(right))`` of a translation by its best word's association, measured on the
development half of bench/data/terms.jsonl (36 phrases; bench/term_highlights.py; right: token
F1 >= 0.5 against the annotation) on the corpora's memory refitted after import: a spelling cue
or a lexicon entry of 0.75 or more was right 32 times in 32, a run held up only by this unit's
own links (0.7, :data:`LINK_WEIGHT`) 3 times in 4; no phrase scored under 0.65 (taken as
wrong: never shown)."""
SHOW_AT = 0.75
"""Least :func:`confidence` of a translation that lookups show: the lowest level at which the
development half's shown translations stay >= 95% right (97%, 36 of 36 shown); under it the
phrase is shown without a translation rather than with a doubtful one."""


def confidence(score: float) -> float:
    """P(the translation is right) for a run whose best association is ``score``."""
    return next(p for least, p in CALIBRATION if score >= least)


@lru_cache(maxsize=65536)
def romanize(word: str) -> str:
    """A Cyrillic word in Latin letters (a simple BGN-like table), for matching names.
    Cached: :func:`associations` asks for each target word once per query word."""
    return "".join(_RU_LATIN.get(c, c) for c in word.lower())


def _translit_sim(a: str, b: str) -> float:
    """Similarity of two words written in Latin letters, ignoring endings past the shorter;
    0 unless their beginnings agree (a name's transliteration starts alike, "Khanoy"/"Hanoi":
    without it "Migrants" passed for "границу", romanized "granitsu", at 0.75)."""
    n = min(len(a), len(b))
    if n < 3 or Indel.normalized_similarity(a[:3], b[:3]) < 0.5:
        return 0.0
    return float(Indel.normalized_similarity(a[: n + 1], b[: n + 1]))


class Lexicon:
    """Word associations between the two languages: ``{en_key: {ru_key: score}}``, 0-1."""

    def __init__(self, en_ru: Mapping[str, Mapping[str, float]]) -> None:
        self.en_ru = en_ru
        ru_en: dict[str, dict[str, float]] = {}
        for e, row in en_ru.items():
            for r, s in row.items():
                ru_en.setdefault(r, {})[e] = s
        self.ru_en = ru_en

    def row(self, key: str, lang: str) -> Mapping[str, float]:
        """Associations of one word of ``lang`` with the words of the other language."""
        return (self.en_ru if lang == "en" else self.ru_en).get(key, {})

    @classmethod
    def from_links(cls, links: Counter[tuple[str, str]], en_count: Counter[str],
                   ru_count: Counter[str], *, top: int = 20, floor: float = 0.05) -> Lexicon:
        """Dice over link counts: ``2 links(e, r) / (count(e) + count(r))``; the ``top`` best
        partners of each English word above ``floor`` are kept."""
        rows: dict[str, dict[str, float]] = {}
        for (e, r), n in links.items():
            score = 2 * n / (en_count[e] + ru_count[r])
            if score >= floor:
                rows.setdefault(e, {})[r] = score
        for e, row in rows.items():
            if len(row) > top:
                rows[e] = dict(sorted(row.items(), key=lambda kv: -kv[1])[:top])
        return cls(rows)

    @classmethod
    def fit(cls, pairs: Iterable[tuple[str, str]], **kw: float) -> tuple[Lexicon, list[Links]]:
        """Align ``(en, ru)`` pairs with eflomal; the lexicon and each pair's links."""
        en_tok, ru_tok = [], []
        for en, ru in pairs:
            en_tok.append([t.key for t in tokens(en, "en")])
            ru_tok.append([t.key for t in tokens(ru, "ru")])
        return cls.from_alignments(en_tok, ru_tok, **kw)

    @classmethod
    def from_alignments(cls, en_tok: list[list[str]], ru_tok: list[list[str]],
                        **kw: float) -> tuple[Lexicon, list[Links]]:
        """eflomal links (both directions, united) of tokenised pairs, and their lexicon."""
        from tm.terms.wordalign import align_pairs

        aligned = align_pairs(en_tok, ru_tok)
        links: Counter[tuple[str, str]] = Counter()
        for e, r, pairs_i in zip(en_tok, ru_tok, aligned):
            for a, b in pairs_i:
                links[e[a], r[b]] += 1
        en_count = Counter(k for sent in en_tok for k in sent)
        ru_count = Counter(k for sent in ru_tok for k in sent)
        return cls.from_links(links, en_count, ru_count, **kw), aligned  # type: ignore[arg-type]


def _cue(q: Token, t: Token, q_lang: str) -> float:
    """Association from the spelling alone: same word, same number, transliterated name."""
    ql, tl = q.text.lower(), t.text.lower()
    if ql == tl:
        return 1.0
    if q.text[:1].isdigit() or t.text[:1].isdigit():
        return 0.0
    latin_q, latin_t = (ql, romanize(tl)) if q_lang == "en" else (romanize(ql), tl)
    if latin_q.isascii() and latin_t.isascii() and (q.text[:1].isupper() or t.text[:1].isupper()):
        sim = _translit_sim(latin_q, latin_t)
        return sim if sim >= TRANSLIT_MIN else 0.0
    return 0.0


def associations(query: list[Token], q_lang: str, target: list[Token], lexicon: Associations,
                 tgt_text: str, linked: Collection[int] = ()) -> list[float]:
    """For each target token, its best association (0-1) with a word of the query;
    ``linked`` holds the indexes of target tokens the aligner linked to the query's words."""
    rows = [lexicon.row(q.key, q_lang) for q in query]
    out: list[float] = []
    for t in target:
        best = 0.0
        for q, row in zip(query, rows):
            best = max(best, row.get(t.key, 0.0), _cue(q, t, q_lang))
        out.append(max(best, LINK_WEIGHT) if len(out) in linked else best)
    t_lang = "ru" if q_lang == "en" else "en"
    for src_amount in amounts(" ".join(q.text for q in query), q_lang):
        for a in amounts(tgt_text, t_lang):
            if a.key == src_amount.key:
                for i, t in enumerate(target):
                    if a.start <= t.start and t.stop <= a.stop:
                        out[i] = max(out[i], 1.0)
    return out


def best_run(scores: list[float], longest: int, cost: float | None = None
             ) -> tuple[int, int, float]:
    """``(i, j, total)``: the run ``scores[i:j]`` of at most ``longest`` items with the
    highest sum of ``score - cost`` (default :data:`COST`) that starts and ends on an item
    above ``cost``."""
    cost = COST if cost is None else cost
    best = (0, 0, 0.0)
    for i, s in enumerate(scores):
        if s <= cost:
            continue
        total = 0.0
        for j in range(i, min(len(scores), i + longest)):
            total += scores[j] - cost
            if scores[j] > cost and total > best[2]:
                best = (i, j + 1, total)
    return best


def translate(src: str, src_lang: str, query: str | tuple[int, int], tgt: str,
              lexicon: Associations, links: Links | None = None) -> Span | None:
    """The span of ``tgt`` that translates ``query`` (a phrase found in ``src``, or its
    ``(start, stop)`` offsets) in a unit whose word ``links`` (if known) the aligner gave;
    None when no word of ``tgt`` is associated with it."""
    if max(len(src), len(tgt)) > MAX_SEGMENT:  # stored before import refused it: not searched
        return None
    tgt_lang = "ru" if src_lang == "en" else "en"
    src_toks = tokens(src, src_lang)
    where = _locate(src_toks, query, src_lang)
    if not where:
        return None
    q_toks = [src_toks[i] for i in where]
    tgt_toks = tokens(tgt, tgt_lang)
    linked: set[int] = set()
    for a, b in links or ():
        s_i, t_i = (a, b) if src_lang == "en" else (b, a)
        if s_i in where and t_i < len(tgt_toks):
            linked.add(t_i)
    scores = associations(q_toks, src_lang, tgt_toks, lexicon, tgt, linked)
    i, j, _ = best_run(scores, 2 * len(q_toks) + 2)
    if j == 0:
        return None
    start, stop = tgt_toks[i].start, tgt_toks[j - 1].stop
    return Span(start, stop, tgt[start:stop], max(scores[i:j]))


def _locate(src_toks: list[Token], query: str | tuple[int, int], lang: str) -> list[int]:
    """Indexes of the source tokens the query covers: its offsets, or the first run of
    tokens with the query's keys (the query's own tokens when it is not found)."""
    if isinstance(query, tuple):
        return [i for i, t in enumerate(src_toks) if query[0] <= t.start and t.stop <= query[1]]
    keys = [t.key for t in tokens(query, lang)]
    n = len(keys)
    for i in range(len(src_toks) - n + 1):
        if [t.key for t in src_toks[i:i + n]] == keys:
            return list(range(i, i + n))
    wanted = set(keys)
    return [i for i, t in enumerate(src_toks) if t.key in wanted]
