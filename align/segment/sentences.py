"""The sentence layer of :mod:`align.segment`: a library's cuts (razdel), corrected by rules.

A cut inside parentheses, after ``;``, before a dash attribution, after an abbreviation that
always precedes a name or a number, or after initials is undone; an abbreviation that can end a
sentence followed by a typical sentence opener gets a cut. See :mod:`align.segment`.
"""

from __future__ import annotations

import functools
import itertools
import re


def _words(*lines: str) -> frozenset[str]:
    return frozenset(w for line in lines for w in line.split())



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
