"""Second looks at the DP's close calls, on the embeddings of the joined texts.

The DP scores every span with one fixed omission cost and features that see one bead at a time.
Three local passes settle the close calls it gets wrong most often on the development cases
(bench/cases.py), each comparing the cosines of a few alternative beads (screened on the span
embeddings the DP scored with, the close calls settled on the encoder's embeddings of the joined
texts, :class:`Cosines`):

- :func:`attach_omissions`: a left-out sentence joins the neighbouring bead when that makes the
  bead more similar (the DP left out a fragment of a split sentence);
- :func:`detach_omissions`: an edge sentence of a bead becomes an omission when the rest of the
  bead is more similar by ``detach_margin`` and the sentence has no good match anywhere in the
  band (the DP glued a sentence one edition lacks to its neighbour), unless it is a short beat
  (under ``detach_min_chars``) a translator folds into the next sentence;
- :func:`merge_crossed`: two neighbouring beads become one (two 1-1 beads a 2-2, ...) when their
  length ratios lean opposite ways (one source side too long, the next too short: the editions
  cut the same text at different places) and the joined bead is more similar than either by
  ``merge_margin``; or, whatever the lengths, when an anchor crosses them (a number or shared
  name of one bead's source sits in the next bead's target: :func:`crossed_anchors`), by
  ``merge_anchor_margin`` (off by default: see :class:`align.weights.Weights`).

The margins and limits are :class:`align.weights.Weights` fields, chosen on the development cases
(enru-dev and Text+Berg dev) by the best mean strict F1; the test sets played no part in it.
Checked since on every development genre (``python bench/align.py --genres dev --cache``): the
passes gain over the DP alone on each (news +0.014, general +0.009, reviews and manuals +0.008,
dialogue +0.009, Text+Berg +0.011 strict F1), and 0.02 stays the best margin for the worst genre
(+0.0084; 0.03: +0.0040; margins in the document's own cosine scale, 0.02-0.08 of it:
+0.0006-+0.0074); so do the limits (merge_length 0 / 0.15 / 0.35: -0.0689 / +0.0048 / +0.0000;
detach_best_max 0.4 / 0.8: +0.0073 / +0.0074; the default 0.25 and 0.6: +0.0084). Judges tried instead of the margin, all worse for the worst genre: a logistic
judge of each change (cosine gain, calibrated confidence of the old and new beads, the pass's
clue, size) fitted on seeds 201/202 of the dev genres, alone (-0.0098 to +0.0020) or as a veto
on top of the margins (no change up to p 0.5, then a loss: 62 changes to learn from is too
few); and taking a change only when the calibrated confidence of its new beads is at least that
of the old ones (+0.0000: it vetoes the right 2-2 joins of dialogue and general text).

Tried after the confidence and taken out again: joining two neighbouring paired beads that the
calibrated confidence doubts both (each under 0.9) when the joined texts are more similar and the
joined bead's confidence beats the weaker part's by 0.05 (or, joined texts no less similar, both
parts'). On Text+Berg dev, the parts of larger beads it was aimed at, strict F1 0.902 -> 0.931
(0.904 -> 0.921 with a confidence fitted without the half it scored), no other dev genre lost on
seeds 13 and 201-205; but the held-apart Text+Berg test fell 0.912 -> 0.908, under the DP
alone, WMT23 rose 0.979 -> 0.981, the other test genres unchanged: the confidence it leans on
learned that genre's cuts from one document.

Tried after the literary texts came (corpora/literary.jsonl) and taken out again: joining two
neighbouring beads whatever their lengths when the joined texts beat both by a large margin
(0.12 raw cosine; a passage recast with its boundary elsewhere). Every development genre gained
or held (pooled over 5 seeds: Text+Berg dev 0.903 -> 0.910, free literary 0.884 -> 0.888, general
0.972 -> 0.973), but on seed 13 it made only 4 joins on all of them, and on the held-apart
Text+Berg test it made 6, 5 of them wrong: 0.912 -> 0.905, under the DP alone (free literary test
unchanged). Four examples were too few to choose a margin on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from align.dp import Params, bead_types
from align.embed import Encoder
from align.scorer import BeadScorer
from align.types import Bead
from align.weights import DEFAULT_WEIGHTS, Weights
from align.weights import SkipFeature as K

__all__ = ["Cosines", "attach_omissions", "crossed_anchors", "detach_omissions", "merge_crossed", "refine"]


SLACK = 0.05
"""How far under its margin a change's gain on span embeddings may be and still be checked with
the encoder on the joined texts (the spans are near, not equal, to those embeddings). At 0.05 the
dev cases get the very beads that checking every change with the encoder gives."""


class Cosines:
    """Cosine gains of alternative beads: screened on the span embeddings the DP scored with
    (``spans``: the scorer's, one array per span length; no encoder work), the close calls then
    settled with the encoder's embeddings of the joined texts, every text encoded once."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str], encoder: Encoder,
                 spans: tuple[Sequence[np.ndarray], Sequence[np.ndarray]] | None = None) -> None:
        self.src, self.tgt, self.encoder = src, tgt, encoder
        self._spans = spans
        self._index: dict[str, int] = {}
        self._vec = np.zeros((0, 1))

    def _texts(self, b: Bead) -> tuple[str, str]:
        return " ".join(self.src[i] for i in b.src), " ".join(self.tgt[j] for j in b.tgt)

    def _approx(self, b: Bead) -> float | None:
        if self._spans is None:
            return None
        S, T = self._spans
        if not (0 < len(b.src) <= len(S) and 0 < len(b.tgt) <= len(T)):
            return None
        u, v = S[len(b.src) - 1][b.src[0]], T[len(b.tgt) - 1][b.tgt[0]]
        return float(np.dot(u.astype(np.float64), v.astype(np.float64)))

    def _encode(self, beads: Iterable[Bead]) -> None:
        new: dict[str, int] = {}
        for b in beads:
            for t in self._texts(b):
                if t not in self._index and t not in new:
                    new[t] = len(self._index) + len(new)
        if not new:
            return
        vec = np.asarray(self.encoder.encode(list(new)), dtype=np.float64)
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        self._vec = vec if not self._index else np.concatenate([self._vec, vec])
        self._index.update(new)

    def _exact(self, b: Bead) -> float:
        s, t = self._texts(b)
        return float(self._vec[self._index[s]] @ self._vec[self._index[t]])

    def gains(self, changes: Sequence[tuple[Bead, Sequence[Bead]]], margin: float) -> list[float]:
        """For each (new bead, beads it replaces): the new bead's cosine minus the best of theirs.
        Gains within :data:`SLACK` of ``margin`` (or above) are the encoder's."""
        approx: list[float | None] = []
        for new, old in changes:
            parts = [self._approx(b) for b in (new, *old)]
            known = [p for p in parts if p is not None]
            approx.append(known[0] - max(known[1:]) if len(known) == len(parts) else None)
        close = [k for k, g in enumerate(approx) if g is None or g > margin - SLACK]
        self._encode(b for k in close for b in (changes[k][0], *changes[k][1]))
        out = [g if g is not None else 0.0 for g in approx]
        for k in close:
            new, old = changes[k]
            out[k] = self._exact(new) - max(self._exact(b) for b in old)
        return out


def _apply(beads: list[Bead], edits: dict[int, list[Bead]], width: int) -> list[Bead]:
    """Replace ``width`` beads from each edited index with the edit's beads."""
    out: list[Bead] = []
    q = 0
    while q < len(beads):
        if q in edits:
            out += edits[q]
            q += width
        else:
            out.append(beads[q])
            q += 1
    return out


def attach_omissions(
    beads: list[Bead], src: Sequence[str], tgt: Sequence[str], encoder: Encoder, params: Params,
    cos: Cosines | None = None,
) -> list[Bead]:
    """Join a left-out sentence to the neighbouring bead when that makes the bead more similar.

    For each one-sentence omission next to a bead with both sides, the exact cosine of the joined
    texts is compared with the bead's own; a positive gain joins them (largest gain first, each
    bead changed at most once).
    """
    allowed = set(bead_types(params.max_side, params.max_total))
    cands: list[tuple[int, Bead, Bead]] = []  # (index of the first bead, bead kept, joined bead)
    for q in range(len(beads) - 1):
        x, y = beads[q], beads[q + 1]
        for pair, gap in ((x, y), (y, x)):
            if not (pair.src and pair.tgt) or len(gap.src) + len(gap.tgt) != 1:
                continue
            joined = Bead(x.src + y.src, x.tgt + y.tgt)
            if (len(joined.src), len(joined.tgt)) in allowed:
                cands.append((q, pair, joined))
    if not cands:
        return beads
    cos = cos or Cosines(src, tgt, encoder)
    found = cos.gains([(joined, (pair,)) for _, pair, joined in cands], 0.0)
    gains = sorted(((g, q, joined) for g, (q, _, joined) in zip(found, cands)), key=lambda g: -g[0])
    edits: dict[int, list[Bead]] = {}
    for gain, q, joined in gains:
        if gain > 0 and not {q - 1, q, q + 1} & edits.keys():
            edits[q] = [joined]
    return _apply(beads, edits, 2)


def detach_omissions(
    beads: list[Bead], cos: Cosines, scorer: BeadScorer, weights: Weights = DEFAULT_WEIGHTS,
) -> list[Bead]:
    """Turn an edge sentence of a bead into an omission when the rest of the bead is more similar
    by ``weights.detach_margin`` and the sentence's best match in the band (the scorer's
    normalised ``best``) is under ``weights.detach_best_max``. One sentence per bead at most;
    none under ``weights.detach_min_chars`` characters (a short beat such as "They never do." is
    what a translator folds into the next sentence, and its cosines say little)."""
    cands: list[tuple[int, Bead, Bead, bool]] = []  # bead index, rest, omission, at the start?
    for q, b in enumerate(beads):
        if not (b.src and b.tgt):
            continue
        for side, ids in ((0, b.src), (1, b.tgt)):
            if len(ids) < 2:
                continue
            feats = scorer.skip_feats_tgt if side else scorer.skip_feats_src
            text = cos.tgt if side else cos.src
            for first in (True, False):
                drop = ids[0] if first else ids[-1]
                if (feats[drop, K.BEST] > weights.detach_best_max
                        or len(text[drop]) < weights.detach_min_chars):
                    continue
                keep = ids[1:] if first else ids[:-1]
                cands.append((q, Bead(b.src, keep) if side else Bead(keep, b.tgt),
                              Bead((), (drop,)) if side else Bead((drop,), ()), first))
    if not cands:
        return beads
    found = cos.gains([(rest, (beads[q],)) for q, rest, _, _ in cands], weights.detach_margin)
    best: dict[int, tuple[float, list[Bead]]] = {}
    for gain, (q, rest, gone, first) in zip(found, cands):
        if gain > weights.detach_margin and gain > best.get(q, (-1.0, []))[0]:
            best[q] = (gain, [gone, rest] if first else [rest, gone])
    return _apply(beads, {q: parts for q, (_, parts) in best.items()}, 1)


def merge_crossed(
    beads: list[Bead], cos: Cosines, scorer: BeadScorer, weights: Weights = DEFAULT_WEIGHTS,
) -> list[Bead]:
    """Join two neighbouring beads into one where the editions cut the text at different places:
    the first bead's length ratio leans one way and the second's the other (both by more than
    ``weights.merge_length`` in log ratio, against the document's ratio), the joined bead has a
    shape the DP allows, and its cosine beats both beads' by ``weights.merge_margin``. Two 1-1
    beads become a 2-2, a 1-1 and a 1-2 a 2-3, and so on. Where an anchor crosses (a number or
    shared name of one bead's source is in the next bead's target, or the other way round:
    :func:`crossed_anchors`) the pair is a candidate whatever the lengths, and its margin is
    ``weights.merge_anchor_margin``."""
    src, tgt = cos.src, cos.tgt
    allowed = set(scorer.types)

    def lean(b: Bead) -> float:
        ratio = sum(len(src[i]) for i in b.src) / max(sum(len(tgt[j]) for j in b.tgt), 1)
        return float(np.log(max(ratio / scorer.ratio, 1e-6)))

    cands: list[tuple[int, Bead, float]] = []  # first bead's index, joined bead, margin
    for q in range(len(beads) - 1):
        x, y = beads[q], beads[q + 1]
        joined = Bead(x.src + y.src, x.tgt + y.tgt)
        if not (x.src and x.tgt and y.src and y.tgt and (len(joined.src), len(joined.tgt)) in allowed):
            continue
        lx, ly = lean(x), lean(y)
        if weights.merge_anchor_margin < weights.merge_margin and crossed_anchors(x, y, scorer):
            cands.append((q, joined, weights.merge_anchor_margin))
        elif lx * ly < 0 and min(abs(lx), abs(ly)) > weights.merge_length:
            cands.append((q, joined, weights.merge_margin))
    if not cands:
        return beads
    low = min(c[2] for c in cands)
    found = cos.gains([(j, (beads[q], beads[q + 1])) for q, j, _ in cands], low)
    gains = sorted(((g - mg, q, j) for g, (q, j, mg) in zip(found, cands)), key=lambda g: -g[0])
    edits: dict[int, list[Bead]] = {}
    for over, q, joined in gains:
        if over > 0 and not {q - 1, q, q + 1} & edits.keys():
            edits[q] = [joined]
    return _apply(beads, edits, 2)


def crossed_anchors(x: Bead, y: Bead, scorer: BeadScorer) -> bool:
    """Does an anchor (digits or a rare word both texts share, :mod:`align.anchors`) of ``x``'s
    source appear in ``y``'s target but not in ``x``'s, or one of ``x``'s target in ``y``'s
    source but not in ``x``'s? Then the editions cut the text at different places."""
    def of(ids: tuple[int, ...], sets: Sequence[set[str]]) -> set[str]:
        return set().union(*(sets[k] for k in ids)) - {"?", "!"}

    xs, xt = of(x.src, scorer.anchor_src), of(x.tgt, scorer.anchor_tgt)
    ys, yt = of(y.src, scorer.anchor_src), of(y.tgt, scorer.anchor_tgt)
    return bool(((xs - xt) & (yt - ys)) or ((xt - xs) & (ys - yt)))


def refine(
    beads: list[Bead], src: Sequence[str], tgt: Sequence[str], encoder: Encoder,
    scorer: BeadScorer, params: Params, weights: Weights = DEFAULT_WEIGHTS,
) -> list[Bead]:
    """The three passes in order: attach, detach, merge (screened on the scorer's spans)."""
    cos = Cosines(src, tgt, encoder, (scorer.S, scorer.T))
    beads = attach_omissions(beads, src, tgt, encoder, params, cos)
    beads = detach_omissions(beads, cos, scorer, weights)
    return merge_crossed(beads, cos, scorer, weights)
