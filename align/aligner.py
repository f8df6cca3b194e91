"""Glue: two lists of sentences and an encoder in, beads out.

Embeds every run of up to ``max_side`` consecutive sentences on each side (one model pass with
the default encoder), finds anchors, runs the banded DP (:mod:`align.dp`) and attaches a
calibrated confidence to each bead. Last passes (:mod:`align.refine`) re-check omissions next to
beads, glued edge sentences and crossed cuts on the embeddings of the joined texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache

import numpy as np

from align import progress
from align.calibrate import DEFAULT_CALIBRATION, Calibration
from align.dp import (
    CellScorer,
    Params,
    RowKeeper,
    anchor_path,
    band_around,
    bead_types,
    by_rows,
    run_dp,
)
from align.embed import Encoder, span_embeddings, typical_spread
from align.margins import RowMemo, bead_margins
from align.refine import refine
from align.scorer import BeadScorer
from align.types import UNRELATED_BELOW, Bead
from align.weights import DEFAULT_WEIGHTS, Weights

__all__ = ["UNRELATED_BELOW", "align_sentences", "bead_cells", "decode", "prepare", "relatedness"]


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    *,
    src_paragraphs: Sequence[int] | None = None,
    tgt_paragraphs: Sequence[int] | None = None,
    params: Params | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> list[Bead]:
    """Align two sentence lists: monotone beads of up to 5 sentences in all, or one sentence
    against up to 5 (:func:`align.dp.bead_types`), every sentence in exactly one bead, omissions
    as beads with one empty side.

    Paragraph ids (one per sentence) are soft hints: a bead that straddles a paragraph break
    costs a little more. ``weights`` are the bead scorer's (:class:`align.weights.Weights`),
    ``calibration`` turns a bead into its confidence (:mod:`align.calibrate`).
    """
    return _align_sentences(src, tgt, src_paragraphs, tgt_paragraphs,
                            _Setup(encoder, params or Params(), weights, calibration))


@dataclass(frozen=True)
class _Setup:
    """What every stage of one alignment reads: the encoder, the DP's limits, the scorer's
    weights and the confidence's calibration."""

    encoder: Encoder
    params: Params
    weights: Weights
    calibration: Calibration


@cache
def _blas_limiter() -> Callable[..., AbstractContextManager[object]] | None:
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
    except ImportError:
        return None
    return ThreadpoolController().limit  # type: ignore[no-any-return]


def _one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread for the aligner's own products (not the encoder's): they are small (a block of 32 span
    rows by ~60 columns), and on 2 busy cores OpenBLAS's second thread made them take 20 times
    the CPU (0.40 s instead of 0.019 s for one band of 3,000 rows)."""
    limit = _blas_limiter()
    return nullcontext() if limit is None else limit(limits=1, user_api="blas")


def _align_sentences(src: Sequence[str], tgt: Sequence[str], src_paragraphs: Sequence[int] | None,
                     tgt_paragraphs: Sequence[int] | None, setup: _Setup) -> list[Bead]:
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
    if n + m <= setup.params.chunk:
        return _align_block(src, tgt, src_paragraphs, tgt_paragraphs, setup)
    return _align_long(src, tgt, src_paragraphs, tgt_paragraphs, setup)


Spans = tuple[list[np.ndarray], list[np.ndarray], list[tuple[int, int]] | None]
"""Span embeddings of both sides, and the anchor path when it is known already."""


def _align_long(src: Sequence[str], tgt: Sequence[str], src_paragraphs: Sequence[int] | None,
                tgt_paragraphs: Sequence[int] | None, setup: _Setup) -> list[Bead]:
    """A long input, one window of about ``params.chunk`` sentences at a time: embed the window
    once, cut it at two consecutive anchor links near its end (:func:`_cut`), align the block
    before the cut from the same embeddings, and go on from the cut. Memory is bounded by a
    window whatever the input's length, and each sentence is embedded about once (the stretch
    after the cut, at most :func:`_margin`, again in the next window)."""
    n, m = len(src), len(tgt)
    beads: list[Bead] = []
    i0 = j0 = 0
    while i0 < n or j0 < m:
        (i1, j1), spans_src, spans_tgt, path = _next_block(src, tgt, i0, j0, setup.encoder,
                                                           setup.params)
        if i1 > i0 and j1 > j0:
            sp = None if src_paragraphs is None else src_paragraphs[i0:i1]
            tp = None if tgt_paragraphs is None else tgt_paragraphs[j0:j1]
            block = _align_block(src[i0:i1], tgt[j0:j1], sp, tp, setup,
                                 (spans_src, spans_tgt, path))
        else:
            block = _align_sentences(src[i0:i1], tgt[j0:j1], None, None, setup)
        for b in block:
            beads.append(Bead(tuple(i + i0 for i in b.src), tuple(j + j0 for j in b.tgt), b.score))
        i0, j0 = i1, j1
        progress.report(i1 + j1, n + m)
    return beads


def _embed_small(encoder: Encoder, texts: Sequence[str], step: int = 4096) -> np.ndarray:
    """Sentence embeddings as float16, encoded a slice at a time (half the memory)."""
    out = np.empty((len(texts), encoder.dim), dtype=np.float16)
    for k in range(0, len(texts), step):
        out[k : k + step] = encoder.encode(texts[k : k + step])
    return out


def _margin(params: Params) -> int:
    """Sentences (both sides) a window holds beyond ``params.chunk``: the cut is looked for in
    its last stretch, away from the window's end (a link there may be the window's edge, not
    the text's). An eighth of a chunk: 750 sentences of 6,750, so about 6% is embedded twice."""
    return max(params.chunk // 8, 4)


def _next_block(
    src: Sequence[str], tgt: Sequence[str], i0: int, j0: int, encoder: Encoder, params: Params,
) -> tuple[tuple[int, int], list[np.ndarray], list[np.ndarray], list[tuple[int, int]] | None]:
    """Where the block that starts at ``(i0, j0)`` ends, its span embeddings and its anchor
    path (the window's up to the cut: the block's own path would cost as much again; None for
    the last block, which finds its own).

    The window takes ``chunk + margin`` of the sentences left, each side's share as the sides'
    shares of what is left, so a window spans about the same stretch of story on both sides."""
    rs, rt = len(src) - i0, len(tgt) - j0
    size = params.chunk + _margin(params)
    if rs + rt <= size:
        ws, wt = rs, rt
    else:
        ws = min(rs, max(1, round(size * rs / (rs + rt))))
        wt = min(rt, size - ws)
    spans_src = span_embeddings(encoder, src[i0 : i0 + ws], params.max_side)
    spans_tgt = span_embeddings(encoder, tgt[j0 : j0 + wt], params.max_side)
    if (ws, wt) == (rs, rt):
        return (len(src), len(tgt)), spans_src, spans_tgt, None
    guard = _margin(params) / 2
    keep_s, keep_t = ws - round(guard * ws / size), wt - round(guard * wt / size)
    with _one_blas_thread():
        path = anchor_path(spans_src[0], spans_tgt[0], params)
    ci, cj = _cut(path, keep_s, keep_t)
    return ((i0 + ci, j0 + cj), [x[: max(ci - k, 0)] for k, x in enumerate(spans_src)],
            [x[: max(cj - k, 0)] for k, x in enumerate(spans_tgt)],
            [(i, j) for i, j in path if i <= ci and j <= cj])


def _cut(path: Sequence[tuple[int, int]], keep_s: int, keep_t: int) -> tuple[int, int]:
    """The last cell ``(i, j)`` of the anchor path with ``i <= keep_s`` and ``j <= keep_t``
    where two consecutive links meet (``(i - 1, j - 1)`` is one too): both sides' sentences
    before it belong together. Without one (texts with nothing in common), the last link, else
    the corner ``(keep_s, keep_t)``: any cut is as good as another there."""
    best: tuple[int, int] | None = None
    last: tuple[int, int] | None = None
    prev = (-9, -9)
    for i, j in path:
        if i > keep_s or j > keep_t:
            break
        if (i - 1, j - 1) == prev:
            best = (i, j)
        last = prev = (i, j)
    return best or last or (keep_s, keep_t)


def _align_block(src: Sequence[str], tgt: Sequence[str], src_paragraphs: Sequence[int] | None,
                 tgt_paragraphs: Sequence[int] | None, setup: _Setup,
                 spans: Spans | None = None) -> list[Bead]:
    encoder, params, weights = setup.encoder, setup.params, setup.weights
    scorer, lo, hi = prepare(src, tgt, encoder, src_paragraphs, tgt_paragraphs, params, weights,
                             spans)
    memo = RowMemo(scorer.row)  # the DP's row scores, read again for the beads' margins
    beads = [
        Bead(tuple(range(i - a, i)), tuple(range(j - b, j)))
        for (a, b), (i, j) in decode(scorer, lo, hi, params, memo)
    ]
    beads = refine(beads, src, tgt, encoder, scorer, params, weights)
    cells = bead_cells(beads)
    with _one_blas_thread():
        margins = bead_margins(memo, lo, hi, bead_types(params.max_side, params.max_total),
                               scorer.skip_src, scorer.skip_tgt, cells)
        conf = setup.calibration.confidences(scorer, cells, margins)
    return [Bead(b.src, b.tgt, c) for b, c in zip(beads, conf)]


def bead_cells(beads: Sequence[Bead]) -> list[tuple[int, int, int, int]]:
    """(a, b, i, j) per bead: its shape and the DP cell where it ends."""
    out = []
    i = j = 0
    for b in beads:  # monotone beads: each ends one past its last sentences, or where the last did
        i, j = (b.src[-1] + 1 if b.src else i), (b.tgt[-1] + 1 if b.tgt else j)
        out.append((len(b.src), len(b.tgt), i, j))
    return out


MIN_RELATED_SENTENCES = 5  # fewer sentences a side: too few pairs to tell


RELATED_SAMPLE = 3_000
"""Sentences of the longer side that :func:`relatedness` reads (the same share of the other
side, from the start). A long story has 200; an archive of 9 MB has 65,000 a side, whose float32
embeddings alone took 270 MB for a yes/no answer the first 3,000 give as well."""


def relatedness(src: Sequence[str], tgt: Sequence[str], encoder: Encoder) -> float | None:
    """How much closer the texts' best-matching sentences are than random pairs, as a share of
    what the encoder's translations show (:func:`align.embed.typical_spread`): about 1 for two
    editions of a story, near 0 for unrelated texts. None when it cannot tell (an encoder that
    does not state its spread, or fewer than 5 sentences a side)."""
    spread = typical_spread(encoder)
    if spread is None or min(len(src), len(tgt)) < MIN_RELATED_SENTENCES:
        return None
    share = min(1.0, RELATED_SAMPLE / max(len(src), len(tgt)))  # the same share of each side
    src, tgt = src[: math.ceil(len(src) * share)], tgt[: math.ceil(len(tgt) * share)]
    s, t = (_embed_small(encoder, x).astype(np.float32) for x in (src, tgt))
    with _one_blas_thread():
        _, scale = BeadScorer.scale(s, t, anchor_path(s, t, Params()))
    return round(scale / spread, 3)


def prepare(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    src_paragraphs: Sequence[int] | None,
    tgt_paragraphs: Sequence[int] | None,
    params: Params,
    weights: Weights = DEFAULT_WEIGHTS,
    spans: Spans | None = None,
) -> tuple[BeadScorer, np.ndarray, np.ndarray]:
    """Embed both sides (unless ``spans`` holds their span embeddings already, and maybe the
    anchor path), build the bead scorer and the DP band around the anchor path."""
    if spans is None:
        spans = (span_embeddings(encoder, src, params.max_side),
                 span_embeddings(encoder, tgt, params.max_side), None)
    spans_src, spans_tgt, path = spans
    with _one_blas_thread():
        return _scorer(src, tgt, spans_src, spans_tgt, src_paragraphs, tgt_paragraphs, params,
                       weights, typical_spread(encoder), path)


def _scorer(
    src: Sequence[str],
    tgt: Sequence[str],
    spans_src: list[np.ndarray],
    spans_tgt: list[np.ndarray],
    src_paragraphs: Sequence[int] | None,
    tgt_paragraphs: Sequence[int] | None,
    params: Params,
    weights: Weights,
    spread: float | None,
    path: list[tuple[int, int]] | None = None,
) -> tuple[BeadScorer, np.ndarray, np.ndarray]:
    if path is None:
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
        weights=weights,
        spread=spread,
    )
    lo, hi = band_around(path, len(src), len(tgt), params.window)
    scorer.set_band(lo, hi)
    return scorer, lo, hi


def decode(
    scorer: BeadScorer, lo: np.ndarray, hi: np.ndarray, params: Params,
    memo: RowMemo | None = None,
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The best beads as ((a, b), (i, j)): shape and end cell (``memo``: a
    :class:`align.margins.RowMemo` that keeps the row scores the DP computed)."""
    types = bead_types(params.max_side, params.max_total)
    # a scorer that changes row() (bench/align_ablations.py) is asked row by row
    score: CellScorer
    keep: RowKeeper | None = None
    if type(scorer).row is BeadScorer.row:
        score, keep = scorer.cells, (None if memo is None else memo.keep)
    else:
        score = by_rows(memo or scorer.row)
    with _one_blas_thread():
        res = run_dp(scorer.n, scorer.m, lo, hi, types, score, scorer.skip_src, scorer.skip_tgt,
                     keep)
    return list(zip(res.shapes, res.ends))
