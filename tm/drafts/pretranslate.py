"""Pre-translation: look every sentence of a new article up and draft the other language.

The analysis counts words (and segments) per CAT match band, like a Trados/memoQ analysis:
100%, 95-99%, 85-94%, 75-84%, 50-74%, no match. The draft keeps each paragraph; a sentence whose
best match reaches ``min_fill`` gets that unit's other side (or, for a sentence stored inside a
longer unit, the sentence of it that translates the sentence, when that can be checked; else
the whole other side at a lower match %, marked), any other sentence stays as it is
(untranslated), as a CAT tool leaves it for the translator.

Drafts never lie (tm.drafts.fill): every segment that is not a 100% match says so in every format
(text: a marker such as ``[87% fuzzy, numbers repaired]`` before it; jsonl: ``match``,
``kind``, ``marked``; TMX: ``x-diptych-draft``, which ``import`` refuses), and amounts that
changed between the new sentence and the stored one are rewritten in the target's conventions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import BinaryIO

from align.types import Sentence
from tm.drafts.fill import Fill, fill
from tm.search.searcher import Match, Searcher
from tm.text.tokens import detect_lang, words

REFERENCE_MARK = "[reference"
"""How a text draft's reference line starts: ``[reference 74% fuzzy, unit 12] <its target>``."""
BANDS: tuple[tuple[str, int, int], ...] = (
    ("100%", 100, 100), ("95-99%", 95, 99), ("85-94%", 85, 94), ("75-84%", 75, 84),
    ("50-74%", 50, 74), ("no match", 0, 49),
)


@dataclass(frozen=True)
class Segment:
    """One sentence of the article, its best TM match (if any reached 50%) and its draft."""

    sentence: Sentence
    match: Match | None
    fill: Fill

    @property
    def filled(self) -> bool:
        return self.fill.filled

    @property
    def percent(self) -> int:
        return self.match.match or 0 if self.match else 0

    @property
    def band(self) -> str:
        return next(name for name, lo, hi in BANDS if lo <= self.percent <= hi)


@dataclass(frozen=True)
class Pretranslation:
    lang: str
    segments: tuple[Segment, ...]

    @property
    def target_lang(self) -> str:
        return "ru" if self.lang == "en" else "en"

    def analysis(self) -> list[tuple[str, int, int]]:
        """(band, segments, words) per band, plus a "total" row."""
        rows = []
        for name, _, _ in BANDS:
            segs = [s for s in self.segments if s.band == name]
            rows.append((name, len(segs), sum(len(words(s.sentence.text)) for s in segs)))
        rows.append(("total", len(self.segments),
                     sum(len(words(s.sentence.text)) for s in self.segments)))
        return rows

    def draft_text(self) -> str:
        """The draft, one paragraph per block, sentences joined by spaces; a segment that is
        not a 100% match is preceded by its marker (``[87% fuzzy]``, ``[no match]``), and one
        under the fill threshold with a match is followed by a marked line holding that
        match's translation (``[reference 74% fuzzy, unit 12] ...``)."""
        paragraphs: list[str] = []
        last = None
        for seg in self.segments:
            if seg.sentence.paragraph != last:
                paragraphs.append("")
                last = seg.sentence.paragraph
            mark = seg.fill.marker()
            piece = f"{mark} {seg.fill.text}" if mark else seg.fill.text
            text = paragraphs[-1]
            text += piece if not text or text.endswith("\n") else " " + piece
            if seg.fill.reference is not None and seg.match is not None:
                check = (", check numbers: " + ", ".join(seg.fill.unrepaired)
                         if seg.fill.unrepaired else "")
                text += (f"\n{REFERENCE_MARK} {seg.percent}% {seg.match.kind.value}, unit"
                         f" {seg.match.unit.id}{check}] {seg.fill.reference}\n")
            paragraphs[-1] = text
        return "\n\n".join(p.rstrip("\n") for p in paragraphs) + "\n"

    def draft_jsonl(self) -> str:
        """One JSON object a sentence: source, target, match %, kind, whether it needs a look
        (``marked``), the amounts repaired or not, unit id and document, and ``reference``:
        the best match's translation of a segment left untranslated under the threshold."""
        lines = []
        for n, seg in enumerate(self.segments):
            m, f = seg.match, seg.fill
            lines.append(json.dumps({
                "n": n, "paragraph": seg.sentence.paragraph, "source": seg.sentence.text,
                "target": f.text if f.filled else None, "match": seg.percent,
                "kind": m.kind.value if m else None, "marked": f.marked,
                "repaired": [list(r) for r in f.repaired], "unrepaired": list(f.unrepaired),
                "part": f.part, "unit": m.unit.id if m else None,
                "reference": f.reference,
                "doc": m.unit.docs[0][0] if m and m.unit.docs else None,
                "src_lang": self.lang, "tgt_lang": self.target_lang,
            }, ensure_ascii=False))
        return "\n".join(lines) + "\n"

    def draft_tmx(self, out: BinaryIO, *, version: str = "") -> int:
        """The filled sentences as TMX 1.4b (source = the article's language); each TU carries
        its match %, kind and unit id as props, and ``x-diptych-draft`` when it is not a 100%
        match used as it stands (``diptych import`` refuses those). Returns the TU count."""
        from tm.tmx.docs import DRAFT_PROP, MATCH_PROP
        from tm.tmx.model import Prop, TMXHeader, TMXUnit, TMXVariant
        from tm.tmx.write import write_tmx

        header = TMXHeader((
            ("creationtool", "diptych"), ("creationtoolversion", version or "unknown"),
            ("segtype", "sentence"), ("o-tmf", "diptych"), ("adminlang", "en"),
            ("srclang", self.lang), ("datatype", "plaintext")))

        def props(seg: Segment, m: Match) -> tuple[Prop, ...]:
            out = [Prop(MATCH_PROP, str(seg.percent)), Prop("x-diptych-kind", m.kind.value),
                   Prop("x-diptych-unit", str(m.unit.id))]
            if seg.fill.marked:
                out.append(Prop(DRAFT_PROP, "yes"))
            return tuple(out)

        units = (
            TMXUnit((TMXVariant(self.lang, seg.sentence.text),
                     TMXVariant(self.target_lang, seg.fill.text)), props=props(seg, seg.match))
            for seg in self.segments if seg.fill.filled and seg.match is not None)
        return write_tmx(out, header, units)


def pretranslate(searcher: Searcher, text: str, *, lang: str | None = None,
                 min_fill: int = 75) -> Pretranslation:
    """Split ``text`` (language detected unless given), look each sentence up (fuzzy, which
    scores sentences inside multi-sentence units too) and draft it."""
    from align.segment import split

    lang = (lang or detect_lang(text))[:2]
    segments = []
    cache: dict[str, Match | None] = {}
    for sentence in split(text, lang):
        if sentence.text not in cache:
            hits = searcher.search(sentence.text, mode="fuzzy", lang=lang, limit=1, min_match=50)
            cache[sentence.text] = hits[0] if hits else None
        best = cache[sentence.text]
        drafted = fill(sentence.text, lang, source=best.source if best else None,
                       target=best.target if best else None,
                       match=best.match or 0 if best else 0,
                       kind=best.kind.value if best else None, min_fill=min_fill,
                       part=bool(best and best.part and not _paired(best)))
        segments.append(Segment(sentence, best, drafted))
    return Pretranslation(lang, tuple(segments))


def _paired(m: Match) -> bool:
    """Is a part's translation its checked counterpart sentence (tm.search.fragments)?"""
    return m.translation is not None and m.translation.by == "sentence"
