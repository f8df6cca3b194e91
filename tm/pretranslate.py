"""Pre-translation: look every sentence of a new article up and draft the other language.

The analysis counts words (and segments) per CAT match band, like a Trados/memoQ analysis:
100%, 95-99%, 85-94%, 75-84%, 50-74%, no match. The draft keeps each paragraph; a sentence whose
best match reaches ``min_fill`` gets that unit's other side, any other sentence stays as it is
(untranslated), as a CAT tool leaves it for the translator. The TMX draft holds only the
filled sentences (source and target), ready for a CAT tool's TM folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import BinaryIO

from align.types import Sentence
from tm.search import Match, Searcher
from tm.textproc import detect_lang, words

BANDS: tuple[tuple[str, int, int], ...] = (
    ("100%", 100, 100), ("95-99%", 95, 99), ("85-94%", 85, 94), ("75-84%", 75, 84),
    ("50-74%", 50, 74), ("no match", 0, 49),
)


@dataclass(frozen=True)
class Segment:
    """One sentence of the article with its best TM match (if any reached 50%)."""

    sentence: Sentence
    match: Match | None
    filled: bool

    @property
    def percent(self) -> int:
        return self.match.match if self.match else 0

    @property
    def band(self) -> str:
        return next(name for name, lo, hi in BANDS if lo <= self.percent <= hi)

    def target(self, lang: str) -> str:
        """The draft text: the match's other side when filled, else the sentence itself."""
        if self.match is None or not self.filled:
            return self.sentence.text
        return self.match.unit.ru if lang == "en" else self.match.unit.en


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
        """The draft, one paragraph per block, sentences joined by spaces."""
        paragraphs: list[list[str]] = []
        last = None
        for seg in self.segments:
            if seg.sentence.paragraph != last:
                paragraphs.append([])
                last = seg.sentence.paragraph
            paragraphs[-1].append(seg.target(self.lang))
        return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"

    def draft_jsonl(self) -> str:
        """One JSON object a sentence: source, target, match %, kind, unit id and document."""
        lines = []
        for n, seg in enumerate(self.segments):
            m = seg.match
            lines.append(json.dumps({
                "n": n, "paragraph": seg.sentence.paragraph, "source": seg.sentence.text,
                "target": seg.target(self.lang) if seg.filled else None, "match": seg.percent,
                "kind": m.kind.value if m else None, "unit": m.unit.id if m else None,
                "doc": m.unit.docs[0][0] if m and m.unit.docs else None,
                "src_lang": self.lang, "tgt_lang": self.target_lang,
            }, ensure_ascii=False))
        return "\n".join(lines) + "\n"

    def draft_tmx(self, out: BinaryIO, *, version: str = "") -> int:
        """The filled sentences as TMX 1.4b (source = the article's language), written with
        tm.tmx's writer; each TU carries its match % and unit id as props. Returns the TU count.
        """
        from tm.tmx.model import Prop, TMXHeader, TMXUnit, TMXVariant
        from tm.tmx.write import write_tmx

        header = TMXHeader((
            ("creationtool", "diptych"), ("creationtoolversion", version or "unknown"),
            ("segtype", "sentence"), ("o-tmf", "diptych"), ("adminlang", "en"),
            ("srclang", self.lang), ("datatype", "plaintext")))
        units = (
            TMXUnit((TMXVariant(self.lang, seg.sentence.text),
                     TMXVariant(self.target_lang, seg.target(self.lang))),
                    props=(Prop("x-diptych-match", str(seg.percent)),
                           Prop("x-diptych-unit", str(seg.match.unit.id))))
            for seg in self.segments if seg.filled and seg.match is not None)
        return write_tmx(out, header, units)


def pretranslate(searcher: Searcher, text: str, *, lang: str | None = None,
                 min_fill: int = 75) -> Pretranslation:
    """Split ``text`` (language detected unless given), look each sentence up (fuzzy)."""
    from align.segment import split

    lang = (lang or detect_lang(text))[:2]
    segments = []
    cache: dict[str, Match | None] = {}
    for sentence in split(text, lang):
        if sentence.text not in cache:
            hits = searcher.search(sentence.text, mode="fuzzy", lang=lang, limit=1, min_match=50)
            cache[sentence.text] = hits[0] if hits else None
        best = cache[sentence.text]
        segments.append(Segment(sentence, best, best is not None and best.match >= min_fill))
    return Pretranslation(lang, tuple(segments))
