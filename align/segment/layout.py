"""The layout layer of :mod:`align.segment`: lines, paragraphs, headlines, hard wrapping.

Blank lines end paragraphs; a line without final punctuation (a headline, a dateline) is a
sentence and a paragraph of its own; the single newlines of hard-wrapped text are plain spaces.
:func:`_units` yields the runs of text the sentence layer (:mod:`align.segment.sentences`) splits.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from align.segment.sentences import _WINDOW, _joins, _words

# Same-length replacements, so offsets into the normalised text are offsets into the original.
_SPACES = str.maketrans(
    {c: " " for c in "\ufeff\xa0\u2007\u202f\u200b\t\x0b\x0c"} | {"\u2028": "\n", "\u2029": "\n"}
)
_TERMINAL = ".!?…"
_CLOSERS = "\"'»”’)]*"
_SOFT_END = ",-‐‑–—(«“„/&+"
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(?=\S)")
_RULE_LINE = re.compile(r"[ \t]*([=\-_*~#•·])(?:[ \t]*\1){2,}[ \t]*")
_BULLET = re.compile(r"[ \t]*(?:[-*•·‣▪–—][ \t]+|\(?(?:\d{1,3}[.)]|[a-zа-я]\))[ \t]+)(?=\S)")
_SYMBOL_BULLET = re.compile(r"[ \t]*[*•·‣▪][ \t]+(?=\S)")
_LOWER_START = re.compile(r"[\"'«“„(\[]*[^\W\d_]")
_WRAP_MIN, _WRAP_MAX = 40, 150  # line widths at which hard-wrapping is plausible


def _normalize(text: str) -> str:
    """A copy of ``text`` of the same length with exotic spaces and CR made plain."""
    return text.translate(_SPACES).replace("\r\n", " \n").replace("\r", "\n")


class _Line:
    """One non-blank line of the normalised text: content bounds and its layout traits."""

    __slots__ = ("body", "bullet", "heading", "indented", "start", "stop", "symbol", "text")

    def __init__(self, norm: str, start: int, stop: int) -> None:
        raw = norm[start:stop]
        heading = _HEADING.match(raw)
        symbol = None if heading else _SYMBOL_BULLET.match(raw)
        if heading:
            start += heading.end()
        elif symbol:  # "• Regions" -> "Regions"; dashes and numbers are kept
            start += symbol.end()
        while norm[start].isspace():
            start += 1
        while norm[stop - 1].isspace():
            stop -= 1
        closed = norm[start:stop].rstrip("#").rstrip()
        if heading and closed:  # closing hashes: "# Title #"
            stop = start + len(closed)
        self.start, self.stop = start, stop
        self.text = norm[start:stop]
        self.heading = bool(heading)
        bullet = _BULLET.match(self.text)
        self.bullet = bool(bullet or symbol)
        self.symbol = bool(symbol)  # "•", "*": never a wrapped-over dash or number
        self.body = self.text[bullet.end() :] if bullet else self.text  # after a list marker
        self.indented = raw[:1].isspace()

    @property
    def terminal(self) -> bool:
        """Ends like a sentence (or a list item): ``.``, ``!``, ``?``, ``…``, ``:``, ``;``."""
        body = self.text.rstrip(_CLOSERS)
        return bool(body) and body[-1] in _TERMINAL + ":;"


def _blocks(norm: str) -> Iterator[list[_Line]]:
    """Runs of non-blank lines (separated by blank lines); Markdown rules are dropped."""
    block: list[_Line] = []
    pos = 0
    for raw in norm.split("\n"):
        start, pos = pos, pos + len(raw) + 1
        if not raw.strip() or _RULE_LINE.fullmatch(raw):
            if block:
                yield block
                block = []
            continue
        block.append(_Line(norm, start, start + len(raw)))
    if block:
        yield block


# Words a line of running text can break after, but a headline or a sentence cannot end with.
_DANGLING = {
    "en": _words("a an the and or but nor of in on at to for with by from as if than"),
    "ru": _words("и а но или либо в во на с со к ко по за от до из у о об для при без"),
    "de": _words("der die das und oder aber in im am zu mit von für auf"),
    "fr": _words("le la les de du des et ou à au en dans pour avec sur par"),
}


def _continues(line: _Line, nxt: _Line, lang: str) -> bool:
    """Strong signs that ``line`` breaks in mid-sentence: a trailing comma, a lower-case next."""
    if line.terminal or line.heading or nxt.heading:
        return False
    return line.text[-1] in _SOFT_END or _dangling(line, lang) or _lower_start(nxt)


def _dangling(line: _Line, lang: str) -> bool:
    """Does the line end with a word no sentence ends with ("and", "the", "и", "в")?"""
    return line.text.rsplit(None, 1)[-1] in _DANGLING.get(lang, ())


def _lower_start(line: _Line) -> bool:
    """Does the line (after any list marker) start with a lower-case word?"""
    first = _LOWER_START.match(line.body)
    return first is not None and first.group()[-1].islower()


def _wrap_width(block: list[_Line], strong: list[bool]) -> int | None:
    """The width ``block`` looks hard-wrapped at, or None when its lines are paragraphs."""
    width = max(len(line.text) for line in block)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return None
    loose = [not a.terminal and _full(a, b, width) for a, b in itertools.pairwise(block)]
    return width if any(strong) or (len(loose) >= 2 and 2 * sum(loose) >= len(loose)) else None


def _wrap_evidence(block: list[_Line]) -> bool:
    """Does any line of ``block`` end where a wrapping editor would have broken it?"""
    width = max(len(line.text) for line in block)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return False
    return any(not a.terminal and _full(a, b, width) for a, b in itertools.pairwise(block))


def _full(line: _Line, nxt: _Line, width: int) -> bool:
    """Was ``line`` broken because the next word would not fit in ``width`` characters?"""
    return len(line.text) >= 30 and len(line.text) + 1 + len(nxt.text.split(None, 1)[0]) > width


def _soft_breaks(
    block: list[_Line], strong: list[bool], width: int | None, lang: str
) -> list[bool]:
    """For each newline of a block: is it a mere space (True) or a paragraph end (False)?

    ``width`` is the line width of hard-wrapped text, None when each line is a paragraph.
    """
    result = []
    for (a, b), hard_wrap in zip(itertools.pairwise(block), strong):
        if a.heading or b.heading or b.symbol:
            soft = False
        elif width is not None:  # hard-wrapped: only a short line or an indent ends a paragraph
            soft = hard_wrap or (_full(a, b, width) if not a.terminal else not b.indented)
        elif a.text.rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL):  # "А. В.\nИванов" goes on
            soft = _joins(a.text[-_WINDOW:], b.text[:_WINDOW], lang)  # by the rules alone
        elif b.bullet:
            soft = False
        else:  # a headline, unless the next line plainly goes on
            soft = _lower_start(b) or not a.terminal and _dangling(a, lang)
        result.append(soft)
    return result


def _units(norm: str, lang: str) -> Iterator[tuple[int, int]]:
    """(start, stop) of the paragraphs (runs of text) the sentence splitter sees.

    A text is hard-wrapped as a whole: when a third or more of its multi-line blocks look
    wrapped, the others (a two-line paragraph breaking before a name) are read at that width.
    """
    blocks = list(_blocks(norm))
    strong = [[_continues(a, b, lang) for a, b in itertools.pairwise(bl)] for bl in blocks]
    widths = [_wrap_width(bl, st) for bl, st in zip(blocks, strong)]
    multi = [bl for bl in blocks if len(bl) > 1]
    wrapped = [max(len(ln.text) for ln in bl) for bl in multi if _wrap_evidence(bl)]
    # one wrapped-looking block alone may be a long headline over a short paragraph
    enough = len(multi) >= 2 or any(w is not None for w in widths)
    text_width = max(wrapped) if enough and 3 * len(wrapped) >= len(multi) else None
    for block, flags, width in zip(blocks, strong, widths):
        # the widest line seen may fall short of the wrap width by about a word
        fits = text_width is not None and max(len(ln.text) for ln in block) <= text_width + 10
        if width is None and fits and len(block) > 1:
            width = text_width
        soft = _soft_breaks(block, flags, width, lang)
        start = block[0].start
        for i, (line, space) in enumerate(zip(block, [*soft, False])):
            if not space:
                yield start, line.stop
                start = block[i + 1].start if i + 1 < len(block) else -1
