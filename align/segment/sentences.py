"""The sentence layer of :mod:`align.segment`: a library's cuts (razdel), corrected by rules.

A cut inside parentheses, after ``;``, before a dash attribution, after an abbreviation that
always precedes a name or a number, or after initials is undone; an abbreviation that can end a
sentence followed by a typical sentence opener gets a cut. See :mod:`align.segment`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple


def _words(*lines: str) -> frozenset[str]:
    return frozenset(w for line in lines for w in line.split())



_BASES: dict[str, str] = {}  # language -> "nupunkt"; razdel (the default) measured best
_PIECE = 10_000  # characters razdel gets at once
_WINDOW = 300  # characters of context the rules look at on each side of a cut
# where a cut could go: after final punctuation and a space, or after a CJK full stop
_CANDIDATE = re.compile(
    r"(?<![.!?…])[.!?…]+[\"'»”“’)\]]*\s+(?=\S)|[。！？]+[」』”）]*\s*(?=\S)|(?<=[^\W\d_]{2})\)+\s+(?=\S)"
)
_ABBR = re.compile(r"(?:^|[^\w.])((?:[^\W\d_]+\.\s?)*[^\W\d_]+)\.[\"'»”’)\]]*$")
_INITIAL = re.compile(r"(?:^|[\s(«\"“'])([^\W\d_])\.$")
_PAIR_REST = re.compile(r"[^\W\d_]{1,2}\.")
_DE_ORDINAL = re.compile(
    r"\b(?:am|vom|zum|bis|seit|ab|im|ins|der|die|das|dem|den|des)\s\d{1,2}\.$", re.IGNORECASE)
_DE_DATE_NEXT = re.compile(
    r"(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|"
    r"Jahrhunderts?)\b")
_NUMBER_STOP = re.compile(r"\b\d{1,2}\.$")
# "Abb. 3. Der Gipfelgrat ...", "Fig. 2. Le glacier ...": a caption's number, its text follows
_CAPTION = re.compile(r"(?:Abb|Abbildung|Fig|Figure|Taf|Tafel|Tab|Bild)\.?\s?\d+[a-z]?\.", re.IGNORECASE)
# "à 5 h. 10", "4 fr. 50": hours and minutes, francs and centimes
_FR_SPLIT_NUMBER = re.compile(r"\d\s?(?:h|fr)\.$")
_OPENING = '"«“„‐‑–—-'  # a quotation or a dash that opens a sentence
_FIRST_WORD = re.compile(r"[\"'«“„(\[\s‐‑–—-]*(\w+)(\.?)")
_ACRONYM_GOES_ON = re.compile(r"[^\W\d_]{2,6}[,;:)]")
_CJK_STOP = re.compile(r"[。！？][」』”）]*$")
_NUMBERED_STOP = re.compile(r"(\w+\.)\s\d{1,4}\.$")
_UNIT_STOP = re.compile(r"[\d°]\s?[^\W\d_]\.$")
_NUMBER_END = re.compile(r"(?:\d|\b[IVXLC]+)[\s-]*(?:(?:тыс|млн|млрд|трлн)\.?\s)?\w{1,2}\.$")
_ATTRIBUTION = re.compile(r"[-‐‑–—]\s+[^\W\d_]")
_SAID_END = re.compile(r"(?:[!?…]|[.!?…,][\"'»”’])$")
# "“And after?” Timur asked.": a quoted question or exclamation, then who said it
_QUOTE_END = re.compile(r"[!?…][\"”’']$")
_NOBODY = _words("nobody no none nothing everybody everyone somebody someone anybody anyone")
_SPEAKER_SAID = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}\s+"
    r"(?:\w+ly\s+)?(?:said|says|asked|asks|replied|replies|answered|answers|cried|cries|"
    r"shouted|shouts|whispered|whispers|called|calls|added|adds|demanded|demands|wondered|"
    r"muttered|mutters|murmured|murmurs|snapped|exclaimed|inquired|enquired|insisted|insists|"
    r"repeated|repeats|yelled|yells|screamed|protested|continued|went on|began|"
    r"explained|explains|agreed|admitted|told|tells|say|ask|reply|answer|shout|whisper|add|"
    r"tell)\b")


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
        "inkl sog u.u o.a abb ing taf v n",
        "jan feb febr aug sept okt nov dez",
    ),
    "fr": _words("m mm mme mlle dr pr st ste cf p pp env av bd ex fig"),
}
# Abbreviations that may end a sentence: cut after them when a typical opener follows.
_ENDABLE = {
    "en": _words("u.s u.k u.n u.s.a e.u d.c inc corp co ltd llc plc bros jr sr etc a.m p.m al"),
    "ru": _words(
        "г гг в вв др пр руб коп долл тыс млн млрд трлн т.д т.п и.т.д и.т.п ч час мин сек",
        "дес барр га куб км проц изд т",
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


class Cut:
    """A place where a cut could go: ``left`` (the end of the sentence so far), ``right`` (what
    follows) and the language, with what the rules ask of them worked out once."""

    def __init__(self, left: str, right: str, lang: str) -> None:
        self.left, self.right, self.lang = left, right, lang

    @functools.cached_property
    def first(self) -> re.Match[str] | None:
        """The first word of ``right`` (group 1) and a period right after it (group 2)."""
        return _FIRST_WORD.match(self.right)

    @functools.cached_property
    def opener(self) -> bool:
        """Does ``right`` start with a capitalised common word (``The``, ``Это``)?"""
        if not self.first or self.first.group(2):  # "В. Путин": an initial, not "в"
            return False
        word = self.first.group(1)
        return word[:1].isupper() and word.lower() in _OPENERS.get(self.lang, frozenset())

    @functools.cached_property
    def keys(self) -> list[str]:
        """The abbreviation keys ``left`` ends with (:func:`_abbreviations`)."""
        return _abbreviations(self.left)

    @functools.cached_property
    def endable(self) -> list[str]:
        """Those of :attr:`keys` that may end a sentence in this language."""
        return [k for k in self.keys if k in _ENDABLE.get(self.lang, frozenset())]

    @functools.cached_property
    def initial(self) -> re.Match[str] | None:
        """One letter and a period at the end of ``left``: "А.", "z."."""
        return _INITIAL.search(self.left[-3:])


# A rule looks at a cut and says CUT, JOIN or nothing (None: the next rule decides). The rules
# of a list are tried in order; :func:`decide` returns the first answer and the rule's name.
CUT, JOIN = True, False
Rule = Callable[[Cut], bool | None]


def decide(rules: Sequence[Rule], cut: Cut, default: bool) -> tuple[bool, str | None]:
    """(cut here?, name of the rule that decided, None for the default)."""
    for rule in rules:
        verdict = rule(cut)
        if verdict is not None:
            return verdict, rule.__name__
    return default, None


# --- cuts the library missed (tried where razdel put none) --------------------------------------


def cjk_stop(c: Cut) -> bool | None:
    """"我们明天见。他走了。": Chinese and Japanese sentences end without a space."""
    return CUT if _CJK_STOP.search(c.left[-4:]) else None


def no_capital(c: Cut) -> bool | None:
    """"3 млн т. по словам": a sentence starts with a capital letter (or a digit)."""
    return JOIN if not c.first or not c.first.group(1)[:1].isupper() else None


def month_and_number(c: Cut) -> bool | None:
    """"on Oct. 4. Putin said", "in Nov. 2023. They": a date ends, not a list's "1."."""
    numbered = _NUMBERED_STOP.search(c.left[-24:])
    return CUT if numbered and _is_head(_abbreviations(numbered.group(1)), c.lang) else None


def unit_symbol(c: Cut) -> bool | None:
    """"+35 °C. Синоптики": a unit after a number, not an initial."""
    return CUT if _UNIT_STOP.search(c.left[-8:]) else None


def bracket_smiley(c: Cut) -> bool | None:
    """"Отличное место) Вернёмся ещё": an unopened bracket (a smiley) ends the sentence."""
    left = c.left
    return CUT if left[-1] == ")" and left.count(")") > left.count("(") else None


def endable_abbreviation(c: Cut) -> bool | None:
    """"2023 г. Это", "31 час. «Раньше", "3 млн т. По словам": an abbreviation that can end a
    sentence, then an opener or an opening quote. A one-letter one ("г.", "в.", "т.") only after
    a number, or a number and тыс./млн (тонн): "в 2023 г.", "XIX в.", "3 млн т."."""
    if not c.endable or not (c.opener or c.right[0] in _OPENING):
        return None
    return any(len(k) > 1 for k in c.endable) or bool(_NUMBER_END.search(c.left[-16:]))


def german_quote_end(c: Cut) -> bool | None:
    """„Weg mit dem Eisen!“ Wir legten ...: German closes a quotation with “."""
    closed = c.lang == "de" and c.left.endswith((".“", "!“", "?“", "…“"))
    return CUT if closed and c.right[:1].isupper() else None


def initial_then_opener(c: Cut) -> bool | None:
    """"Серии А. В данный момент", "Plan B. The": a capital letter and a period, then an opener."""
    return CUT if c.opener and c.initial and c.initial.group(1).isupper() else None


MISSED: tuple[Rule, ...] = (cjk_stop, no_capital, month_and_number, unit_symbol, bracket_smiley,
                            endable_abbreviation, german_quote_end, initial_then_opener)
"""Rules adding a cut razdel did not make, in order; none deciding means no cut."""


# --- cuts to undo (tried on every cut, razdel's and ours) ---------------------------------------


def edge(c: Cut) -> bool | None:
    """Nothing on one side: keep the cut (the text's start or end)."""
    return CUT if not c.left or not c.right else None


def goes_on(c: Cut) -> bool | None:
    """"... и т. д. в том числе", "Palo Alto, Calif., and": lower case next, or ``,;:`` before."""
    return JOIN if c.right[0].islower() or c.left[-1] in ",;:" else None


def dash_attribution(c: Cut) -> bool | None:
    """«Мы победили!» — закричал тренер.: a dash and a lower-case verb after a quote."""
    said = _ATTRIBUTION.match(c.right)
    return JOIN if said and said.group()[-1].islower() and _SAID_END.search(c.left) else None


def quote_speaker(c: Cut) -> bool | None:
    """"And after?" Timur asked., "Why?" I asked.: a quoted question or exclamation, then its
    speaker and a verb of saying (English; the Russian dash form is :func:`dash_attribution`)."""
    if c.lang != "en" or not _QUOTE_END.search(c.left) or not c.first:
        return None
    first = c.first.group(1)
    if (c.opener and first != "I") or first.lower() in _NOBODY:
        return None  # "She asked" after a quote starts a sentence: the tag would be "she asked"
    return JOIN if _SPEAKER_SAID.match(c.right) else None


def inside_parentheses(c: Cut) -> bool | None:
    """"(об этом писали «Ведомости». — Ред.) в марте": a bracket still open closes ahead."""
    if c.left.count("(") <= c.left.count(")"):
        return None
    close, reopen = c.right.find(")"), c.right.find("(")
    return JOIN if close >= 0 and (reopen < 0 or close < reopen) else None


def letter_pairs(c: Cut) -> bool | None:
    """"т. е.", "z. B.", "J. R. R. Tolkien": a letter and a period, and another follows."""
    return JOIN if c.initial and _PAIR_REST.match(c.right) else None


def german_ordinal(c: Cut) -> bool | None:
    """"am 9. September", "Am 15. Juli", "das 17. Jahrhundert": a German ordinal date."""
    if c.lang != "de":
        return None
    if _NUMBER_STOP.search(c.left[-4:]) and _DE_DATE_NEXT.match(c.right):
        return JOIN
    return JOIN if _DE_ORDINAL.search(c.left[-12:]) and not c.opener else None


def caption_number(c: Cut) -> bool | None:
    """"Abb. 3. Der Gipfelgrat vom Col aus.", "Fig. 2. Le glacier.": a caption's number is not
    the end of a sentence."""
    return JOIN if _CAPTION.fullmatch(c.left.lstrip()) else None


def split_number(c: Cut) -> bool | None:
    """"à 5 h. 10", "4 fr. 50": hours and minutes, francs and centimes in French."""
    split = c.lang == "fr" and _FR_SPLIT_NUMBER.search(c.left[-8:])
    return JOIN if split and c.right[:1] in "0123456789½¼¾" else None


def head_abbreviation(c: Cut) -> bool | None:
    """"Gen. Petraeus", "ул. Мира", "No. 5": an abbreviation that never ends a sentence joins,
    unless a sentence opener follows that is not a number ("см. Это" stays cut)."""
    if not _is_head(c.keys, c.lang):
        return None
    return JOIN if not c.opener or bool(c.first and c.first.group(1).isdigit()) else CUT


def too_short(c: Cut) -> bool | None:
    """"В 1990-х гг. Россия": three words before an abbreviation are no sentence."""
    short = len(c.left) < _WINDOW and len(c.left.split()) <= 3
    return JOIN if short and not c.opener and c.endable else None


def unit_before_acronym(c: Cut) -> bool | None:
    """"24 тыс. TEU, а к 2028 г.": a unit before an acronym, the sentence goes on."""
    acronym = _ACRONYM_GOES_ON.match(c.right) if c.endable else None
    return JOIN if acronym and acronym.group()[:-1].isupper() else None


def dollars_usa(c: Cut) -> bool | None:
    """The set phrase "долл. США"."""
    return JOIN if c.lang == "ru" and c.left.endswith("долл.") and c.right.startswith("США") else None


def initials_before_name(c: Cut) -> bool | None:
    """"А. Пушкин", "George W. Bush": a capital initial, then a capitalised word, not an opener."""
    first = c.first
    name = bool(first and not c.opener and first.group(1)[:1].isupper() and len(first.group(1)) > 1)
    return JOIN if c.initial and c.initial.group(1).isupper() and name else None


JOINS: tuple[Rule, ...] = (edge, goes_on, dash_attribution, quote_speaker, inside_parentheses,
                           letter_pairs, german_ordinal, caption_number, split_number,
                           head_abbreviation, too_short, unit_before_acronym, dollars_usa,
                           initials_before_name)
"""Rules undoing a cut, in order; none deciding keeps the cut."""


def _missed(left: str, right: str, lang: str) -> bool:
    """A cut the library missed (:data:`MISSED`)."""
    return decide(MISSED, Cut(left, right, lang), default=False)[0]


def _joins(left: str, right: str, lang: str) -> bool:
    """Should the cut between ``left`` (the end of the sentence so far) and ``right`` go
    (:data:`JOINS`)?"""
    return not decide(JOINS, Cut(left, right, lang), default=CUT)[0]


class Verdict(NamedTuple):
    """What the rules made of one place: a cut or not, the rule of :data:`MISSED` that added it
    (None: razdel's own, or not added) and the rule of :data:`JOINS` that decided it last."""

    cut: bool
    added: str | None
    joins: str | None


def which_rule(text: str, at: int, lang: str) -> Verdict:
    """Is there a cut at ``text[at:]``, and which rules said so: for tests and for reading a
    surprising split."""
    code = _lang(lang)
    cut = Cut(text[max(0, at - _WINDOW) : at].rstrip(), text[at : at + _WINDOW], code)
    added = None
    if at not in _library_cuts(text, code):
        there, added = decide(MISSED, cut, default=False)
        if not there:
            return Verdict(False, added, None)
    kept, rule = decide(JOINS, cut, default=CUT)
    return Verdict(kept, added, rule)


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
