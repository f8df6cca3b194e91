"""Immutable results shared by the alignment modules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text: ``text == source[start:stop]`` (after whitespace trimming).

    ``paragraph`` is the 0-based index of the paragraph the sentence belongs to.
    """

    start: int
    stop: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True)
class Bead:
    """One aligned group: 0-based sentence indices on each side (either may be empty).

    ``score`` is a calibrated confidence in [0, 1]; an omission (one side empty) carries
    the confidence that the sentences really have no counterpart.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 1.0

    @property
    def kind(self) -> str:
        """``"1-1"``, ``"2-1"``, ``"0-1"`` ..."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class Alignment:
    """Two segmented texts and the beads that pair them, in order."""

    src: tuple[Sentence, ...]
    tgt: tuple[Sentence, ...]
    beads: tuple[Bead, ...]
    warnings: tuple[str, ...] = field(default=())
    related: float | None = None
    """:func:`align.aligner.relatedness` of the two texts (None: could not tell)."""

    @property
    def looks_unrelated(self) -> bool:
        """The texts do not look like editions of one story (:data:`UNRELATED_BELOW`)."""
        return self.related is not None and self.related < UNRELATED_BELOW

    def counts(self, weak: float) -> tuple[int, int, int, int]:
        """(pairs, weak pairs, omissions, doubtful omissions): beads under ``weak`` are weak
        when paired, doubtful when one-sided."""
        paired = [b.score for b in self.beads if b.src and b.tgt]
        lone = [b.score for b in self.beads if not (b.src and b.tgt)]
        return (len(paired), sum(s < weak for s in paired), len(lone),
                sum(s < weak for s in lone))

    def pairs(self) -> list[tuple[str, str, Bead]]:
        """(source text, target text, bead) per bead, sentences joined by a space."""
        return [
            (
                " ".join(self.src[i].text for i in b.src),
                " ".join(self.tgt[j].text for j in b.tgt),
                b,
            )
            for b in self.beads
        ]

UNRELATED_BELOW = 0.42
"""Two texts whose :func:`align.aligner.relatedness` is under this do not look like editions of
one story. Measured with use-m3: 0.555-1.2 on every document of the dev and test sets, 0.19-0.33
on pairs of unrelated news stories (tests/data/news and corpora/ crossed)."""

WEAK_BELOW = 0.85
"""Default ``--weak-below``: beads under this calibrated confidence are flagged for review.
Chosen on the EN->RU dev editions (bench/align.py --corpus enru-dev --weak-below X): 7% of beads
flagged, 57% of the wrong ones caught (at 0.8: 4% / 46%; at 0.9: 13% / 69%). Since the confidence
sees each bead's margin (align/margins.py): 8.7% / 69% (at 0.8: 6.7% / 67%; at 0.9: 12.4% / 72%),
and per dev genre (--genres dev) no threshold flags <= 10% and catches >= 60% on all at once
(at 0.8 general and reviews catch under 60%, at 0.85 Text+Berg flags 21%), so 0.85 stays.
With the crossed anchors, lengths and shrink as inputs (align/calibrate.py cut_inputs), per dev
genre at 0.85 (flagged / caught %): news 9.7/61, general 7.4/74, reviews 7.0/83, dialogue
8.2/100, Text+Berg 18.7/75 (in the fit; scored by halves fitted on the other half, 24.5/65);
Text+Berg still flags over 10% at any threshold that catches 60% of its wrong beads.
With the omissions' margins fixed (align/margins.py) and the seam inputs (align/calibrate.py
seam_inputs), scored by two folds each fitted on the other (bench/calibrate_align.py), at 0.85:
news 8.9/80, general 7.8/62, reviews 8.3/63, Text+Berg 24.5/72. Only 0.85-0.86 keep the other
genres within 10% / 60% (at 0.84 reviews catches 59%, at 0.88 news flags 10.2%), so 0.85 stays;
12.8% of Text+Berg dev's beads are wrong and its least sure 10% hold 35% of them."""
