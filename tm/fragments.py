"""Sentences inside units: a unit that holds several sentences (a 2-1 or 2-2 bead, a paragraph
unit) is findable by each of them, and shows the part of the other side that translates it.

>>> part_of("Prices rose.", "It rained. Prices rose.", "en")
(11, 23)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from align.segment import split
from tm.termalign import Associations, Links, Span, translate

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
    """The part of ``tgt`` that translates ``src[span]``: the sentence in the same place when
    both sides hold as many sentences, else the words the term aligner finds."""
    tgt_lang = "ru" if src_lang == "en" else "en"
    src_spans, tgt_spans = sentences(src, src_lang), sentences(tgt, tgt_lang)
    if len(src_spans) == len(tgt_spans) and span in src_spans:
        a, b = tgt_spans[src_spans.index(span)]
        return Span(a, b, tgt[a:b], 1.0, by="sentence")
    return translate(src, src_lang, span, tgt, lexicon, links)
