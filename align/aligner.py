"""Glue: two lists of sentences and an encoder in, beads out.

Embeds every run of up to ``max_side`` consecutive sentences on each side (one model pass with
the default encoder), finds anchors, runs the banded DP (:mod:`align.dp`) and attaches a
calibrated confidence to each bead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.dp import Params, anchor_path, band_around, bead_types, run_dp
from align.embed import Encoder, span_embeddings
from align.scorer import BeadScorer
from align.types import Bead

__all__ = ["align_sentences"]


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    *,
    src_paragraphs: Sequence[int] | None = None,
    tgt_paragraphs: Sequence[int] | None = None,
    params: Params = Params(),
) -> list[Bead]:
    """Align two sentence lists: monotone beads of up to 4 sentences a side, every sentence in
    exactly one bead, omissions as beads with one empty side.

    Paragraph ids (one per sentence) are soft hints: a bead that straddles a paragraph break
    costs a little more.
    """
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
    scorer, lo, hi = prepare(src, tgt, encoder, src_paragraphs, tgt_paragraphs, params)
    return [
        Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), scorer.confidence(a, b, i, j))
        for (a, b), (i, j) in decode(scorer, lo, hi, params)
    ]


def prepare(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    src_paragraphs: Sequence[int] | None,
    tgt_paragraphs: Sequence[int] | None,
    params: Params,
) -> tuple[BeadScorer, np.ndarray, np.ndarray]:
    """Embed both sides, build the bead scorer and the DP band around the anchor path."""
    spans_src = span_embeddings(encoder, src, params.max_side)
    spans_tgt = span_embeddings(encoder, tgt, params.max_side)
    path = anchor_path(spans_src[0], spans_tgt[0], params)
    scorer = BeadScorer(
        spans_src,
        spans_tgt,
        src_text=src,
        tgt_text=tgt,
        src_par=None if src_paragraphs is None else np.asarray(src_paragraphs),
        tgt_par=None if tgt_paragraphs is None else np.asarray(tgt_paragraphs),
        params=params,
        anchors=path,
    )
    lo, hi = band_around(path, len(src), len(tgt), params.window)
    return scorer, lo, hi


def decode(
    scorer: BeadScorer, lo: np.ndarray, hi: np.ndarray, params: Params
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The best beads as ((a, b), (i, j)): shape and end cell."""
    types = bead_types(params.max_side, params.max_total)
    res = run_dp(scorer.n, scorer.m, lo, hi, types, scorer.row, scorer.skip_src, scorer.skip_tgt)
    return list(zip(res.shapes, res.ends))
