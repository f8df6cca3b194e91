"""Sentence splitting with character offsets, paragraph-aware.

May import align.types only (and razdel).

Two layers, two modules. The *layout* layer (:mod:`~align.segment.layout`) reads lines:
blank lines end paragraphs; a line without final punctuation (a headline, a dateline) is a
sentence and a paragraph of its own; the single newlines of hard-wrapped text are plain spaces.
The *sentence* layer (:mod:`~align.segment.sentences`) splits each run of text
with razdel, chosen by measurement (``python bench/segment.py``: for English too it edges out
nupunkt once the rules below are added). Rules then correct what it misses: a cut inside
parentheses, after ``;``, before a dash attribution (``«Да!» — сказал он``), after an
abbreviation that always precedes a name or a number (``Gen.``, ``ул.``, ``им.``) or after
initials (``А. С. Пушкин``) is undone; an abbreviation that can end a sentence (``U.S.``,
``2023 г.``) followed by a typical sentence opener (``Then``, ``Это``) gets a cut.

Offsets always point into the text as given: ``text[s.start:s.stop] == s.text``. A BOM, NBSP,
``\\r\\n`` and Markdown heading marks (``# Title``) never end up inside a sentence's edges.

No sentence is longer than :data:`MAX_CHARS`: a longer run without a sentence end (a one-line
file, a table dump, text without spaces) is cut at the last space before the limit, or at the
limit when there is none. The encoder's memory grows with a sentence's length, so this bounds it
by construction; :func:`split_counted` also says how many runs were cut.

>>> [s.text for s in split("Gen. Petraeus spoke. He left.", "en")]
['Gen. Petraeus spoke.', 'He left.']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from align.segment.layout import _normalize, _units
from align.segment.sentences import _BASES as _BASES  # bench/segment.py switches bases here
from align.segment.sentences import _lang, _sentences
from align.types import Sentence

__all__ = ["MAX_CHARS", "split", "split_counted", "split_presplit"]

MAX_CHARS = 2000
"""Longest sentence handed on (characters): ~10 times a long news sentence."""


def split(text: str, lang: str) -> list[Sentence]:
    """Split ``text`` into sentences with offsets and 0-based paragraph indices.

    Paragraphs end at blank lines and after a line without final punctuation (a headline);
    text may be hard-wrapped or hold one paragraph a line. ``lang`` is an ISO 639-1 code:
    ``en``, ``ru`` (and a little ``de``, ``fr``) have their own abbreviations, others get the
    generic rules.
    """
    return split_counted(text, lang)[0]


def split_presplit(text: str) -> list[Sentence]:
    """Take ``text`` as one sentence a line; blank lines separate paragraphs."""
    return split_counted(text, "", presplit=True)[0]


def split_counted(text: str, lang: str, *, presplit: bool = False,
                  max_chars: int = MAX_CHARS) -> tuple[list[Sentence], int]:
    """:func:`split` (or :func:`split_presplit`), and how many runs longer than ``max_chars``
    were cut into pieces of at most ``max_chars`` characters."""
    norm = _normalize(text)
    sentences: list[Sentence] = []
    cut = paragraph = 0
    spans = _presplit_spans(norm) if presplit else _split_spans(norm, lang)
    for start, stop, new_paragraph in spans:
        if new_paragraph and sentences and sentences[-1].paragraph == paragraph:
            paragraph += 1
        pieces = list(_pieces(norm, start, stop, max_chars))
        cut += len(pieces) > 1
        sentences.extend(Sentence(a, b, text[a:b], paragraph) for a, b in pieces)
    return sentences, cut


def _split_spans(norm: str, lang: str) -> Iterator[tuple[int, int, bool]]:
    """(start, stop, starts a paragraph) of the sentences of normalised text."""
    for start, stop in _units(norm, _lang(lang)):
        chunk = norm[start:stop].replace("\n", " ")
        for k, (a, b) in enumerate(_sentences(chunk, lang)):
            yield start + a, start + b, k == 0


def _presplit_spans(norm: str) -> Iterator[tuple[int, int, bool]]:
    """(start, stop, starts a paragraph) of the non-blank lines of normalised text."""
    pos, after_blank = 0, False
    for raw in norm.split("\n"):
        start, pos = pos, pos + len(raw) + 1
        if not raw.strip():
            after_blank = True
            continue
        yield start + len(raw) - len(raw.lstrip()), start + len(raw.rstrip()), after_blank
        after_blank = False


def _pieces(norm: str, start: int, stop: int, limit: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` cut into pieces of at most ``limit`` characters: at the last space of
    each window's second half, else at the limit (never before a combining mark)."""
    while stop - start > limit:
        space = norm.rfind(" ", start + limit // 2, start + limit + 1)
        if space > start:
            end = nxt = space
        else:
            end = nxt = start + limit
            while end > start + 1 and unicodedata.combining(norm[end]):
                end = nxt = end - 1
        while end > start and norm[end - 1].isspace():
            end -= 1
        yield start, end
        start = nxt
        while start < stop and norm[start].isspace():
            start += 1
    if stop > start:
        yield start, stop
