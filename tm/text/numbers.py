"""Numbers, amounts and dates in English and Russian news text, and their repair in drafts.

>>> repair("The project cost $52.5 million.", "The project cost $48.5 million.",
...        "Проект стоил 48,5 млн долл.", "en").text
'Проект стоил 52,5 млн долл.'

:func:`amounts` finds each number with its scale word ("million", "млн") and reads its value
("20,000" and "20 тысяч" are both 20000; "March 18" and "18 марта" are the same date).
:func:`repair` takes a new sentence, the stored source it was matched with and the stored
target: every amount that changed between the two sources is looked up by value in the target
and rewritten there in the target's own conventions (decimal comma and spaced thousands in
Russian, the target's scale word kept), saying what it changed; an amount it cannot place is
reported as not repaired, so the segment stays marked for the translator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december")
MONTHS_RU = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
             "октябр", "ноябр", "декабр")
MONTHS_RU_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                 "сентября", "октября", "ноября", "декабря")
SCALES = {
    "en": ((r"thousand|k", 1e3), (r"million|mln|m", 1e6), (r"billion|bln|bn", 1e9),
           (r"trillion|tn", 1e12)),
    "ru": ((r"тыс\.|тысяч[аи]?", 1e3), (r"млн\.?|миллион(?:а|ов)?", 1e6),
           (r"млрд\.?|миллиард(?:а|ов)?", 1e9), (r"трлн\.?|триллион(?:а|ов)?", 1e12)),
}
_NUM = {"en": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?",
        "ru": r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"}


_WORDS = {"en": r"thousand|million|billion|trillion|mln|bln",
          "ru": r"тыс\.|тысяч[аи]?|млн\.?|миллион(?:а|ов)?|млрд\.?|миллиард(?:а|ов)?|трлн\.?"
                r"|триллион(?:а|ов)?"}
_ATTACHED = {"en": r"m|bn|k|tn|mln|bln", "ru": r"млн|млрд|тыс\."}
_AMOUNT = {lang: re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM[lang]})"
    rf"(?:[ \u00a0](?P<scale>(?:{_WORDS[lang]})(?![\w]))|(?P<short>(?:{_ATTACHED[lang]})\b))?"
    r"(?![\w]|[.,]\d)", re.IGNORECASE) for lang in _NUM}
MONTHS_EN_SHORT = ("jan.", "feb.", "mar.", "apr.", "may", "jun.", "jul.", "aug.", "sept.", "oct.",
                   "nov.", "dec.")
"""The abbreviations of news datelines ("BISHKEK, Feb. 20"; AP writes Sept.)."""
_MONTH_EN = "|".join([m.capitalize() for m in MONTHS_EN]
                     + [re.escape(m.capitalize()) for m in MONTHS_EN_SHORT if m.endswith(".")]
                     + ["Sep\\."])
_DATE = {
    "en": re.compile(rf"(?<!\w)(?:(?P<month>{_MONTH_EN})\s(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s"
                     rf"(?P<month2>{_MONTH_EN}))\b(?!,\d|\.\d)"),
    "ru": re.compile(r"(?<![\w.,])(?P<day>\d{1,2})\s(?P<month>" + "|".join(MONTHS_RU_GEN) + r")\b"),
}


@dataclass(frozen=True)
class Amount:
    """A number (with its scale word) or a day-and-month date at ``text[start:stop]``;
    ``num_start``/``num_stop`` frame the digits alone. ``key`` compares across languages."""

    start: int
    stop: int
    text: str
    key: str
    value: float
    scale: float = 1.0
    num_start: int = 0
    num_stop: int = 0
    grouped: bool = False
    date: tuple[int, int] | None = None  # (month, day)


def _month_en(word: str) -> int:
    """0-11 of an English month name or dateline abbreviation ("feb.", "sep.")."""
    if word in MONTHS_EN:
        return MONTHS_EN.index(word)
    return [m[:3] for m in MONTHS_EN].index(word[:3])


def parse_number(digits: str, lang: str) -> float:
    """``"1,500.5"`` (en) or ``"1 500,5"`` (ru) as a float."""
    if lang == "en":
        return float(digits.replace(",", ""))
    return float(re.sub(r"[ \u00a0\u202f]", "", digits).replace(",", "."))


def _key(value: float) -> str:
    return f"{value:.6g}" if value < 1e15 else str(value)


def amounts(text: str, lang: str) -> list[Amount]:
    """Dates and numbers of ``text`` in reading order (a date's day is not also a number)."""
    lang = "ru" if lang[:2] == "ru" else "en"
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE[lang].finditer(text):
        g = m.groupdict()
        day_group = "day" if g.get("day") else "day2"
        month_word = (g.get("month") or g["month2"]).lower()
        month = (_month_en(month_word) if lang == "en"
                 else MONTHS_RU_GEN.index(month_word)) + 1
        day = int(m.group(day_group))
        if 1 <= day <= 31:
            found.append(Amount(m.start(), m.end(), m.group(), f"date:{month:02d}-{day:02d}",
                                float(day), 1.0, m.start(day_group), m.end(day_group), False,
                                (month, day)))
            taken.append((m.start(), m.end()))
    for m in _AMOUNT[lang].finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        digits = m.group("num")
        scale = 1.0
        word = (m.group("scale") or m.group("short") or "").lower()
        if word:
            scale = next(s for p, s in SCALES[lang] if re.fullmatch(p, word, re.IGNORECASE))
        value = parse_number(digits, lang)
        grouped = bool(re.search(r"\d[, \u00a0\u202f]\d{3}\b", digits)) if lang == "en" else \
            bool(re.search(r"\d[ \u00a0\u202f]\d{3}", digits))
        if lang == "en" and "," in digits:
            grouped = True
        found.append(Amount(m.start(), m.end(), m.group(), _key(value * scale), value, scale,
                            m.start("num"), m.end("num"), grouped))
    return sorted(found, key=lambda a: a.start)


def format_number(value: float, lang: str, *, decimals: int, grouped: bool) -> str:
    """``value`` written in ``lang``'s conventions: ``1,500.5`` / ``1500,5``, ``12\u00a0500``.

    Russian style (GOST R 7.0.97, the news agencies' style books): a four-digit number is
    written solid ("2500"), a longer one in groups of three joined by a non-breaking space, so
    that a line never breaks inside it; ``grouped`` only matters in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "ru":
        integer, _, frac = text.partition(".")
        digits = integer.replace(",", "")
        sep = "\u00a0" if len(digits.lstrip("-")) > 4 else ""
        integer = integer.replace(",", sep)
        text = integer + ("," + frac if frac else "")
    elif not grouped and len(str(int(abs(value)))) <= 4:
        text = text.replace(",", "")
    return text


def _decimals(digits: str, lang: str) -> int:
    _, found, tail = digits.rpartition("." if lang == "en" else ",")
    return len(tail) if found else 0


@dataclass(frozen=True)
class Repair:
    """The target after repair, what was changed (old -> new text), and what was not."""

    text: str
    changed: tuple[tuple[str, str], ...] = ()
    unrepaired: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return not self.unrepaired


def _skeleton(text: str, found: list[Amount]) -> str:
    out, pos = [], 0
    for a in found:
        out.append(text[pos:a.start])
        out.append("\x00")
        pos = a.stop
    out.append(text[pos:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _render(new: Amount, tgt: Amount, tgt_text: str, src_lang: str, tgt_lang: str) -> str | None:
    """The target amount ``tgt`` rewritten to hold ``new``'s value, in its own scale/style."""
    if (new.date is None) != (tgt.date is None):
        return None
    if new.date is not None and tgt.date is not None:
        month, day = new.date
        if tgt_lang == "ru":
            return f"{day} {MONTHS_RU_GEN[month - 1]}"
        return f"{MONTHS_EN[month - 1].capitalize()} {day}"
    value = new.value * new.scale / tgt.scale
    src_digits = new.text[new.num_start - new.start:new.num_stop - new.start]
    decimals = _decimals(src_digits, src_lang)
    if tgt.scale != new.scale:
        decimals = max(0, min(3, len(f"{value:.3f}".rstrip("0").partition(".")[2])))
    digits = format_number(value, tgt_lang, decimals=decimals,
                           grouped=new.grouped or tgt.grouped)
    return (tgt_text[tgt.start:tgt.num_start] + digits + tgt_text[tgt.num_stop:tgt.stop])


def repair(new_src: str, old_src: str, old_tgt: str, src_lang: str) -> Repair:
    """``old_tgt`` with the amounts that differ between ``old_src`` and ``new_src`` rewritten.

    Amounts are paired in reading order when both sources hold as many; each old value is
    found in the target by value (or date). What cannot be paired or found is listed in
    ``unrepaired`` (the text keeps the stored amount; the caller keeps the segment marked).
    """
    src_lang = "ru" if src_lang[:2] == "ru" else "en"
    tgt_lang = "en" if src_lang == "ru" else "ru"
    new_a, old_a = amounts(new_src, src_lang), amounts(old_src, src_lang)
    changes = [(o, n) for o, n in zip(old_a, new_a) if o.key != n.key or o.text != n.text]
    if len(new_a) != len(old_a):
        extra = {a.text for a in new_a} - {a.text for a in old_a}
        return Repair(old_tgt, (), tuple(sorted(extra)) or ("amounts differ",))
    if not changes:
        return Repair(old_tgt)
    tgt_a = amounts(old_tgt, tgt_lang)
    used: set[int] = set()
    edits: list[tuple[Amount, str]] = []
    unrepaired: list[str] = []
    for old, new in changes:
        if old.key == new.key:
            continue  # same value written differently: the target already says it
        j = next((i for i, t in enumerate(tgt_a) if i not in used and t.key == old.key), None)
        if j is None:  # the target may write the amount in another scale ("20 тысяч")
            j = next((i for i, t in enumerate(tgt_a) if i not in used and t.date is None
                      and old.date is None and abs(t.value * t.scale - old.value * old.scale)
                      < 1e-9 * max(1.0, old.value * old.scale)), None)
        rendered = None if j is None else _render(new, tgt_a[j], old_tgt, src_lang,
                                                   tgt_lang)
        if j is None or rendered is None:
            unrepaired.append(new.text)
            continue
        used.add(j)
        edits.append((tgt_a[j], rendered))
    text = old_tgt
    for a, rendered in sorted(edits, key=lambda e: -e[0].start):
        text = text[:a.start] + rendered + text[a.stop:]
    return Repair(text, tuple((a.text, r) for a, r in sorted(edits, key=lambda e: e[0].start)),
                  tuple(unrepaired))


def only_amounts_differ(a: str, b: str, lang: str) -> bool:
    """True when ``a`` and ``b`` are the same text but for their numbers and dates."""
    return _skeleton(a, amounts(a, lang)) == _skeleton(b, amounts(b, lang))


WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_RU = (  # nominative, genitive, dative, accusative, instrumental, prepositional
    ("понедельник", "понедельника", "понедельнику", "понедельник", "понедельником",
     "понедельнике"),
    ("вторник", "вторника", "вторнику", "вторник", "вторником", "вторнике"),
    ("среда", "среды", "среде", "среду", "средой", "среде"),
    ("четверг", "четверга", "четвергу", "четверг", "четвергом", "четверге"),
    ("пятница", "пятницы", "пятнице", "пятницу", "пятницей", "пятнице"),
    ("суббота", "субботы", "субботе", "субботу", "субботой", "субботе"),
    ("воскресенье", "воскресенья", "воскресенью", "воскресенье", "воскресеньем",
     "воскресенье"))
_WEEKDAY = {"en": re.compile(r"\b(" + "|".join(WEEKDAYS_EN) + r")s?\b", re.IGNORECASE),
            "ru": re.compile(r"\b(" + "|".join(sorted({f for d in WEEKDAYS_RU for f in d},
                                                      key=len, reverse=True)) + r")\b",
                             re.IGNORECASE)}


def weekdays(text: str, lang: str) -> list[tuple[int, int, int]]:
    """``(start, stop, day 0-6)`` of each weekday named in ``text``."""
    out = []
    for m in _WEEKDAY["ru" if lang[:2] == "ru" else "en"].finditer(text):
        w = m.group(1).lower()
        day = (WEEKDAYS_EN.index(w) if lang[:2] != "ru"
               else next(i for i, forms in enumerate(WEEKDAYS_RU) if w in forms))
        out.append((m.start(1), m.end(1), day))
    return out


def repair_weekdays(new_src: str, old_src: str, old_tgt: str, src_lang: str) -> Repair:
    """``old_tgt`` with the weekdays that changed between the sources ("on Tuesday" -> "on
    Thursday") rewritten in the target, in the case it stands in ("во вторник" -> "в
    четверг"); a weekday it cannot place is listed in ``unrepaired``."""
    tgt_lang = "en" if src_lang[:2] == "ru" else "ru"
    new_d, old_d = weekdays(new_src, src_lang), weekdays(old_src, src_lang)
    if [d for *_, d in new_d] == [d for *_, d in old_d]:
        return Repair(old_tgt)
    if len(new_d) != len(old_d):
        return Repair(old_tgt, (), ("weekday",))
    tgt_d = weekdays(old_tgt, tgt_lang)
    text, changed, unrepaired = old_tgt, [], []
    used: set[int] = set()
    edits: list[tuple[tuple[int, int, int], int]] = []
    for (_, _, old), (_, _, new) in zip(old_d, new_d):
        if old == new:
            continue
        j = next((i for i, t in enumerate(tgt_d) if i not in used and t[2] == old), None)
        if j is None:
            unrepaired.append(WEEKDAYS_EN[new].capitalize())
            continue
        used.add(j)
        edits.append((tgt_d[j], new))
    for (a, b, old), new in sorted(edits, key=lambda e: -e[0][0]):
        was = text[a:b]
        if tgt_lang == "ru":  # the same case: "во вторник" -> "в четверг", "вторника" -> ...
            word = WEEKDAYS_RU[new][WEEKDAYS_RU[old].index(was.lower())]
        else:
            word = WEEKDAYS_EN[new] + ("s" if was.lower().endswith("s") and not
                                       was.lower().endswith("ss") else "")
        word = word.capitalize() if was[:1].isupper() else word
        before = text[:a]
        prep = re.search(r"\b([Вв])о?(\s+)$", before) if tgt_lang == "ru" else None
        if prep:  # "во вторник" but "в четверг"
            vo = "о" if word.lower().startswith("вт") else ""
            before = before[:prep.start()] + prep.group(1) + vo + prep.group(2)
        text = before + word + text[b:]
        changed.append((was, word))
    return Repair(text, tuple(reversed(changed)), tuple(unrepaired))
