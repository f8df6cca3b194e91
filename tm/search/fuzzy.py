"""CAT match %: how much of a query a stored text matches, and which words differ.

Fuzzy match % works like a CAT tool's: token edit distance over words, where numbers and
inline tags are placeables (a changed number costs 2 points, not a word) and punctuation or
letter-case changes cost 1 point each; only identical text scores 100.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from rapidfuzz.distance import Levenshtein

from tm.store.types import MAX_SEGMENT
from tm.text.tokens import TOKEN_RE, cat_tokens, stem_words, typed_tokens, words

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


def _capped(text: str) -> str:
    """What fuzzy scoring reads of a stored text: at most :data:`MAX_SEGMENT` characters, so
    one overlong unit (stored before the import limit) cannot make a lookup slow or big."""
    return text[:MAX_SEGMENT].strip()


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
        return self.score(_Profile(_capped(text)))

    def best(self, texts: dict[int, str], limit: int) -> list[tuple[int, int]]:
        """``(match %, id)`` of the ``limit`` best texts, best first (ties: lower id first).

        The word-level score is computed for all; the minor costs (at most
        :data:`MAX_MINOR` points) only for the texts that can still make the cut.
        """
        profiles = {i: _Profile(_capped(t)) for i, t in texts.items()}
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


def coverage(query: str, text: str, wanted: set[str], lang: str) -> int:
    """Percent of ``text``'s words whose stem is among the query's (100 only if identical)."""
    if query.strip() == text.strip():
        return 100
    found = stem_words(words(_capped(text)), lang)
    return min(99, round(100 * sum(t in wanted for t in found) / max(len(found), 1)))


def diff_ranges(query: str, text: str) -> list[list[int]]:
    """``[start, stop]`` offsets of the words of ``text`` that differ from ``query``
    (:func:`diff_spans`), neighbouring words joined into one run: what the desk marks."""
    ranges: list[list[int]] = []
    pos = 0
    for piece, flagged in diff_spans(query, text):
        if flagged and piece.strip():
            if ranges and not text[ranges[-1][1]:pos].strip():
                ranges[-1][1] = pos + len(piece)
            else:
                ranges.append([pos, pos + len(piece)])
        pos += len(piece)
    return ranges
