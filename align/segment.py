"""Sentence splitting with character offsets, paragraph-aware.

Two layers. The *layout* layer reads lines: blank lines end paragraphs; a line without final
punctuation (a headline, a dateline) is a sentence and a paragraph of its own; the single
newlines of hard-wrapped text are plain spaces. The *sentence* layer splits each run of text
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

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator

from align.types import Sentence

__all__ = ["MAX_CHARS", "split", "split_counted", "split_presplit"]

MAX_CHARS = 2000
"""Longest sentence handed on (characters): ~10 times a long news sentence."""

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


def _words(*lines: str) -> frozenset[str]:
    return frozenset(w for line in lines for w in line.split())


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


# -- the sentence layer: a library's cuts, corrected by rules -------------------------------------

_BASES: dict[str, str] = {}  # language -> "nupunkt"; razdel (the default) measured best
_PIECE = 10_000  # characters razdel gets at once
_WINDOW = 300  # characters of context the rules look at on each side of a cut
# where a cut could go: after final punctuation and a space, or after a CJK full stop
_CANDIDATE = re.compile(
    r"(?<![.!?…])[.!?…]+[\"'»”’)\]]*\s+(?=\S)|[。！？]+[」』”）]*\s*(?=\S)|(?<=[^\W\d_]{2})\)+\s+(?=\S)"
)
_ABBR = re.compile(r"(?:^|[^\w.])((?:[^\W\d_]+\.\s?)*[^\W\d_]+)\.[\"'»”’)\]]*$")
_INITIAL = re.compile(r"(?:^|[\s(«\"“'])([^\W\d_])\.$")
_PAIR_REST = re.compile(r"[^\W\d_]{1,2}\.")
_DE_ORDINAL = re.compile(r"\b(?:am|vom|zum|bis|seit|ab|im|der|die|das|dem|den|des)\s\d{1,2}\.$")
_OPENING = '"«“„‐‑–—-'  # a quotation or a dash that opens a sentence
_FIRST_WORD = re.compile(r"[\"'«“„(\[\s‐‑–—-]*(\w+)(\.?)")
_ACRONYM_GOES_ON = re.compile(r"[^\W\d_]{2,6}[,;:)]")
_CJK_STOP = re.compile(r"[。！？][」』”）]*$")
_NUMBERED_STOP = re.compile(r"(\w+\.)\s\d{1,4}\.$")
_UNIT_STOP = re.compile(r"[\d°]\s?[^\W\d_]\.$")
_NUMBER_END = re.compile(r"(?:\d|\b[IVXLC]+)[\s-]*\w{1,2}\.$")
_ATTRIBUTION = re.compile(r"[-‐‑–—]\s+[^\W\d_]")
_SAID_END = re.compile(r"(?:[!?…]|[.!?…,][\"'»”’])$")


# Abbreviations that never end a sentence: a name, a number or a phrase follows.
_HEAD = {
    "en": _words(
        "mr mrs ms messrs dr prof gen lt col maj capt cmdr adm sgt cpl gov sen rep rev hon pres",
        "supt insp det st mt ft jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e cf viz",
        "approx fig figs vol vols no nos p pp ch chap sec art para",
    ),
    "ru": _words(
        "т.е т.к т.н т.ч т.о им ул пр просп пер пл наб бул ш д кв корп стр обл р-н пос дер",
        "см ср напр св акад проф доц ген полк тов гр г-н г-жа ст п пп ч чч гл рис табл прим",
        "и.о зам зав нач ред худ рук отв пос",
        "янв фев февр мар апр авг сент окт нояб дек",
    ),
    "de": _words(
        "z.b u.a d.h bzw ca vgl dr prof nr hr fr st s abs art bd jh mio mrd evtl ggf",
        "inkl sog u.u o.a",
        "jan feb febr aug sept okt nov dez",
    ),
    "fr": _words("m mm mme mlle dr pr st ste cf p pp env av bd ex"),
}
# Abbreviations that may end a sentence: cut after them when a typical opener follows.
_ENDABLE = {
    "en": _words("u.s u.k u.n u.s.a e.u d.c inc corp co ltd llc plc bros jr sr etc a.m p.m al"),
    "ru": _words(
        "г гг в вв др пр руб коп долл тыс млн млрд трлн т.д т.п и.т.д и.т.п ч час мин сек",
        "дес барр га куб км проц изд",
    ),
    "de": _words("usw etc u.a"),
    "fr": _words("etc"),
}
# Capitalised words that start sentences rather than names: a cut before them is likely.
_OPENERS = {
    "en": _words(
        "the a an this that these those there then thus it its he she they we i you his her",
        "their our my your but and or so yet however in on at for with after before when while",
        "if as since although though because what who why how where which meanwhile also still",
        "now today yesterday some many most all both each such no one another other others",
        "officials analysts critics last next earlier later instead according",
    ),
    "ru": _words(
        "это эти этот эта этого этому тот та те то он она оно они мы я вы ты его её ее их им",
        "в во на но а и однако при по за с со к ко от до из для после перед как когда если",
        "так также тогда там тут здесь сейчас теперь затем потом уже еще ещё все всё весь вся",
        "каждый каждая каждое каждому каждого кроме между что кто где почему зачем нет да не ни",
        "лишь только вот сам сама сами впрочем поэтому хотя пока позже ранее сегодня вчера",
        "завтра кстати напомним помимо среди около более менее многие некоторые один одна",
    ),
    "de": _words(
        "der die das ein eine es er sie wir ich dies diese dieser aber und doch dann",
        "in im am auf mit nach vor bei wenn als so auch nun heute",
    ),
    "fr": _words(
        "le la les un une il elle ils elles nous je on ce cette ces mais et puis",
        "alors en dans au aux pour avec après avant quand si ainsi aujourd'hui",
    ),
}


def _lang(lang: str) -> str:
    return lang.lower().replace("_", "-").split("-")[0]


def _library_cuts(chunk: str, lang: str) -> set[int]:
    """Sentence starts (after the first) by the library measured best for ``lang``.

    razdel slows down quadratically on a long run it joins (1 MB of ``т. е.``), so it gets
    pieces of at most ``_PIECE`` characters, cut inside a run of words where no cut can be.
    """
    cuts: set[int] = set()
    start = 0
    while start < len(chunk):
        stop = len(chunk)
        if stop - start > _PIECE:
            stop = start + _PIECE
            while stop > start + _PIECE // 2 and not (
                chunk[stop] == " " and chunk[stop - 1].isalnum()
            ):
                stop -= 1
        piece = chunk[start:stop]
        if _BASES.get(lang) == "nupunkt":
            import nupunkt

            starts = [a for a, _ in nupunkt.sentence_spans(piece)]
        else:
            import razdel  # type: ignore[import-untyped]

            starts = [s.start for s in razdel.sentenize(piece)]
        cuts.update(start + a for a in starts[1:])
        start = stop
    return cuts


@functools.cache
def _razdel_heads() -> frozenset[str]:
    """razdel's own never-final abbreviations ("vs", "ул", "корр"): its list, for every language."""
    from razdel.segmenters.sokr import HEAD_SOKRS  # type: ignore[import-untyped]

    return frozenset(HEAD_SOKRS)


def _is_head(keys: list[str], lang: str) -> bool:
    """Is one of the abbreviation keys one that never ends a sentence?"""
    return any(key in _HEAD.get(lang, frozenset()) or key in _razdel_heads() for key in keys)


def _abbreviations(left: str) -> list[str]:
    """Lower-cased keys of the abbreviation ``left`` ends with: ``"т. е."`` gives t.е and е."""
    match = _ABBR.search(left[-40:])
    if not match:
        return []
    chain = match.group(1).replace(" ", "").lower()
    return [chain, chain.rsplit(".", 1)[-1]] if "." in chain else [chain]


def _opener(right: str, lang: str) -> bool:
    """Does ``right`` start with a capitalised common word (``The``, ``Это``)?"""
    match = _FIRST_WORD.match(right)
    if not match or match.group(2):  # "В. Путин": an initial, not the preposition "в"
        return False
    word = match.group(1)
    return word[:1].isupper() and word.lower() in _OPENERS.get(lang, frozenset())


def _missed(left: str, right: str, lang: str) -> bool:
    """A cut the library missed: an abbreviation that can end a sentence, then an opener."""
    if _CJK_STOP.search(left[-4:]):
        return True  # Chinese and Japanese sentences end without a space
    first = _FIRST_WORD.match(right)
    if not first or not first.group(1)[:1].isupper():
        return False
    numbered = _NUMBERED_STOP.search(left[-24:])
    if numbered and _is_head(_abbreviations(numbered.group(1)), lang):
        return True  # "on Oct. 4. Putin said", "in Nov. 2023. They": not a list's "1."
    if _UNIT_STOP.search(left[-8:]):
        return True  # "+35 °C. Синоптики": a unit, not an initial
    if left[-1] == ")" and left.count(")") > left.count("("):
        return True  # "Отличное место) Вернёмся ещё": a bracket smiley ends the sentence
    opener = _opener(right, lang)
    ends = _ENDABLE.get(lang, frozenset())
    keys = [k for k in _abbreviations(left) if k in ends]
    if keys and (opener or right[0] in _OPENING):  # "31 час. «Раньше ...", "2023 г. Это"
        # "г.", "в." end a sentence only after a number: "в 2023 г.", "XIX в."
        return any(len(k) > 1 for k in keys) or bool(_NUMBER_END.search(left[-12:]))
    initial = _INITIAL.search(left[-3:])  # "Серии А. В данный момент", "Plan B. The"
    return opener and bool(initial and initial.group(1).isupper())


def _joins(left: str, right: str, lang: str) -> bool:
    """Should the cut between ``left`` (the end of the sentence so far) and ``right`` go?"""
    if not left or not right:
        return True
    first = _FIRST_WORD.match(right)
    if right[0].islower() or left[-1] in ",;:":
        return True
    said = _ATTRIBUTION.match(right)
    if said and said.group()[-1].islower() and _SAID_END.search(left):
        return True  # «Мы победили!» — закричал тренер.
    if left.count("(") > left.count(")"):
        close, reopen = right.find(")"), right.find("(")
        if close >= 0 and (reopen < 0 or close < reopen):
            return True
    opener = _opener(right, lang)
    initial = _INITIAL.search(left[-3:])  # one letter and a period: "А.", "z."
    if initial and _PAIR_REST.match(right):
        return True  # "т. е.", "z. B.", "J. R. R. Tolkien"
    if lang == "de" and _DE_ORDINAL.search(left[-12:]) and not opener:
        return True  # "am 9. September"
    keys = _abbreviations(left)
    if _is_head(keys, lang):
        return not opener or bool(first and first.group(1).isdigit())
    if len(left) < _WINDOW and len(left.split()) <= 3 and not opener:
        ends = _ENDABLE.get(lang, frozenset())
        if any(key in ends for key in keys):
            return True  # "В 1990-х гг. Россия ...": three words are no sentence
    if any(key in _ENDABLE.get(lang, ()) for key in keys):
        acronym = _ACRONYM_GOES_ON.match(right)
        if acronym and acronym.group()[:-1].isupper():
            return True  # "24 тыс. TEU, а к 2028 г.": a unit, the sentence goes on
    if lang == "ru" and left.endswith("долл.") and right.startswith("США"):
        return True  # the set phrase "долл. США"
    return bool(  # initials before a name: "А. Пушкин", "George W. Bush"
        initial
        and initial.group(1).isupper()
        and first
        and not opener
        and first.group(1)[:1].isupper()
        and len(first.group(1)) > 1
    )


def _sentences(chunk: str, lang: str) -> list[tuple[int, int]]:
    """Trimmed (start, stop) spans of the sentences of one run of text."""
    code = _lang(lang)
    cuts = _library_cuts(chunk, code)
    for match in _CANDIDATE.finditer(chunk):
        cut = match.end()
        left = chunk[max(0, cut - _WINDOW) : cut].rstrip()
        if cut not in cuts and _missed(left, chunk[cut : cut + _WINDOW], code):
            cuts.add(cut)
    bounds, start = [0], 0
    for cut in sorted(cuts):
        left = chunk[max(start, cut - _WINDOW) : cut].rstrip()  # bounded: no quadratic time
        if not _joins(left, chunk[cut : cut + _WINDOW], code):
            bounds.append(cut)
            start = cut
    bounds.append(len(chunk))
    spans = []
    for a, b in itertools.pairwise(bounds):
        piece = chunk[a:b]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((a + lead, a + len(piece.rstrip())))
    return spans
