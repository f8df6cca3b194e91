"""What a draft says about each segment, so that it never passes a stale fact off as a match.

A segment filled from a match below 100% carries its match % and kind in every draft format;
where the new sentence differs from the stored source in numbers, dates or amounts, the stored
target is repaired (tm.text.numbers) and the draft says so; an amount it could not place keeps the
segment marked as needing a look ("check numbers").
"""

from __future__ import annotations

from dataclasses import dataclass

from tm.text.numbers import repair, repair_weekdays


@dataclass(frozen=True)
class Fill:
    """The draft of one segment: its text, where it came from and what was done to it."""

    text: str
    match: int  # CAT match % of the stored source (0: no match)
    kind: str | None  # "exact", "fuzzy" or None when the sentence stays untranslated
    filled: bool
    repaired: tuple[tuple[str, str], ...] = ()
    unrepaired: tuple[str, ...] = ()
    part: bool = False  # the target is the whole of a longer unit holding the sentence
    reference: str | None = None  # a segment under the fill threshold: its best match's target

    @property
    def marked(self) -> bool:
        """Does the translator need to look at this segment?"""
        return (not self.filled or self.match < 100 or bool(self.unrepaired)
                or bool(self.repaired) or self.part)

    def marker(self) -> str:
        """The visible marker of a text draft: ``[87% fuzzy, numbers repaired]``, ``[no match]``;
        empty for a 100% match used as it stands."""
        if not self.marked:
            return ""
        if not self.filled:
            return f"[{self.match}% not filled]" if self.match else "[no match]"
        notes = [f"{self.match}% {self.kind or 'match'}"]
        if self.part:
            notes.append("whole longer unit")
        if self.repaired:
            notes.append("numbers repaired")
        if self.unrepaired:
            notes.append("check numbers: " + ", ".join(self.unrepaired))
        return "[" + ", ".join(notes) + "]"


def fill(sentence: str, lang: str, *, source: str | None, target: str | None, match: int,
         kind: str | None, min_fill: int, part: bool = False) -> Fill:
    """The draft of ``sentence`` from a stored ``source``/``target`` pair matched at ``match``%
    (None when nothing matched): the target, its amounts, dates (datelines too) and weekdays
    repaired when they changed. Under ``min_fill`` the sentence stays as it is and the target,
    repaired the same way, is kept as its ``reference`` (shown beside it, never in its place: a
    74% match is worth reading, not worth pasting; a stale number in it would mislead)."""
    if source is None or target is None:
        return Fill(sentence, 0, kind, False)
    if match >= 100:
        return Fill(target, match, kind, True, part=part)
    fixed = repair(sentence, source, target, lang)
    days = repair_weekdays(sentence, source, fixed.text, lang)
    if match < min_fill:
        return Fill(sentence, match, kind, False, unrepaired=fixed.unrepaired + days.unrepaired,
                    reference=days.text)  # an amount it could not carry over is named beside it
    return Fill(days.text, match, kind, True, fixed.changed + days.changed,
                fixed.unrepaired + days.unrepaired, part)
