"""Sentences inside units: a unit that holds several sentences (a 2-1 or 2-2 bead, a paragraph
unit) is findable by each of them, and shows the part of the other side that translates it.

A part keeps its match % (100 for a sentence stored word for word) only when the other side's
part is a counterpart that can be checked (:func:`counterpart`): both sides hold as many
sentences and the one in the same place agrees in length, numbers and word links. Any other
part is a lower match of the whole unit (at most :data:`PART_UNVERIFIED`%): its draft is the
whole other side, for the translator to cut, never a fragment passed off as 100%.

>>> part_of("Prices rose.", "It rained. Prices rose.", "en")
(11, 23)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from align.segment import split
from tm.terms.links import SHOW_AT, Associations, Links, Span, tokens, translate
from tm.text.numbers import amounts

PART_UNVERIFIED = 74
"""Match % at most of a part without a checked counterpart: under the default fill (75)
and auto's strong fuzzy, above the noise floor (50): shown, never drafted as is."""
RATIO_SPREAD = 1.8
"""How far a paired sentence's length ratio may stray from the unit's (either way)."""
LINKS_INSIDE = 0.6
"""Least share of a part's word links (after ``diptych terms``) that land in its counterpart."""

_BREAK = re.compile(r"[.!?…;:»\"”)]\s+\S")


def sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """``(start, stop)`` of each sentence of ``text`` (one span for a one-sentence text)."""
    if not _BREAK.search(text):  # cheap test first: most units hold one sentence
        return [(0, len(text))]
    spans = [(s.start, s.stop) for s in split(text, lang)]
    return spans or [(0, len(text))]


def part_of(query: str, text: str, lang: str) -> tuple[int, int] | None:
    """The span of the sentence of ``text`` equal to ``query`` (a multi-sentence ``text``)."""
    q = query.strip()
    if not q or q == text.strip() or q not in text:
        return None
    for a, b in sentences(text, lang):
        if text[a:b].strip() == q:
            return a, b
    return None


def best_part(score: Callable[[str], int], text: str, lang: str
              ) -> tuple[int, tuple[int, int] | None]:
    """``(match %, span)`` of the best-matching sentence of ``text`` under ``score``; the
    span is None when the whole text scores at least as well (or it is one sentence)."""
    whole = score(text)
    spans = sentences(text, lang)
    if len(spans) < 2:
        return whole, None
    best, where = whole, None
    for a, b in spans:
        s = score(text[a:b])
        if s > best:
            best, where = s, (a, b)
    return best, where


def other_part(src: str, src_lang: str, span: tuple[int, int], tgt: str,
               lexicon: Associations, links: Links | None) -> Span | None:
    """The part of ``tgt`` that translates ``src[span]``: its :func:`counterpart` sentence
    (``by="sentence"``) when there is one, else the words the term aligner finds."""
    found = (counterpart(src, src_lang, span, tgt, links)
             or translate(src, src_lang, span, tgt, lexicon, links))
    return found if found is not None and found.p >= SHOW_AT else None


def counterpart(src: str, src_lang: str, span: tuple[int, int], tgt: str,
                links: Links | None) -> Span | None:
    """The sentence of ``tgt`` that translates sentence ``span`` of ``src``, when that can be
    checked: both sides hold as many sentences, and the one in the same place has the unit's
    length ratio (within :data:`RATIO_SPREAD`), every number of the part that ``tgt`` holds,
    and most of the part's word ``links`` (when the unit has some); None otherwise."""
    tgt_lang = "ru" if src_lang == "en" else "en"
    src_spans, tgt_spans = sentences(src, src_lang), sentences(tgt, tgt_lang)
    if len(src_spans) != len(tgt_spans) or span not in src_spans:
        return None
    k = src_spans.index(span)
    a, b = tgt_spans[k]
    ratio = ((b - a) / max(span[1] - span[0], 1)) / (len(tgt) / max(len(src), 1))
    if not 1 / RATIO_SPREAD <= ratio <= RATIO_SPREAD:
        return None
    in_part = Counter(x.key for x in amounts(tgt[a:b], tgt_lang))
    in_tgt = Counter(x.key for x in amounts(tgt, tgt_lang))
    for key, n in Counter(x.key for x in amounts(src[span[0]:span[1]], src_lang)).items():
        if in_part[key] < min(n, in_tgt[key]):  # a number of the part stands elsewhere
            return None
    if links and not _links_inside(src, src_lang, span, tgt, (a, b), links):
        return None
    return Span(a, b, tgt[a:b], 1.0, by="sentence")


def _links_inside(src: str, src_lang: str, span: tuple[int, int], tgt: str,
                  part: tuple[int, int], links: Links) -> bool:
    tgt_lang = "ru" if src_lang == "en" else "en"
    src_in = {i for i, t in enumerate(tokens(src, src_lang)) if span[0] <= t.start < span[1]}
    tgt_in = {j for j, t in enumerate(tokens(tgt, tgt_lang)) if part[0] <= t.start < part[1]}
    ours = [(s, t) for s, t in ((a, b) if src_lang == "en" else (b, a) for a, b in links)
            if s in src_in]
    return not ours or sum(t in tgt_in for _, t in ours) >= LINKS_INSIDE * len(ours)
