"""The aligner: invariants on random inputs (Hypothesis), edge cases, and a small real EN/RU case."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import align_sentences
from align.dp import Params, band_around, bead_types
from align.types import Bead
from align.weights import DEFAULT_WEIGHTS


class HashEncoder:
    """A stand-in encoder: a pseudo-random unit vector per distinct text (no model)."""

    name = "hash"
    dim = 16

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(self.dim)
                for t in texts]
        x = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return x / np.linalg.norm(x, axis=1, keepdims=True)


DEFAULT = Params()


def check_invariants(beads: list[Bead], n: int, m: int, params: Params = DEFAULT) -> None:
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n)) and tgt == list(range(m))  # each once, in order: monotone
    for b in beads:
        assert b.src or b.tgt
        assert len(b.src) <= params.max_side and len(b.tgt) <= params.max_side
        assert list(b.src) == list(range(b.src[0], b.src[0] + len(b.src))) if b.src else True
        assert list(b.tgt) == list(range(b.tgt[0], b.tgt[0] + len(b.tgt))) if b.tgt else True
        assert 0.0 <= b.score <= 1.0


sentences = st.lists(st.text(alphabet="abcdefgh 12.?", min_size=0, max_size=12), max_size=25)


@settings(max_examples=60, deadline=None)
@given(sentences, sentences, st.booleans())
def test_invariants_on_random_inputs(src: list[str], tgt: list[str], paragraphs: bool) -> None:
    enc = HashEncoder()
    kw = {}
    if paragraphs:
        kw = {"src_paragraphs": [i // 3 for i in range(len(src))],
              "tgt_paragraphs": [j // 4 for j in range(len(tgt))]}
    beads = align_sentences(src, tgt, enc, **kw)
    check_invariants(beads, len(src), len(tgt))
    assert align_sentences(src, tgt, enc, **kw) == beads  # deterministic


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 10_000))
def test_invariants_with_a_narrow_band_and_coarse_anchors(n: int, m: int, seed: int) -> None:
    """Force the coarse-to-fine anchor search (tiny cell budget) and a 1-cell window."""
    params = Params(window=1, coarse_cells=16)
    src = [f"s{seed}-{i}" for i in range(n)]
    tgt = [f"t{seed}-{j}" for j in range(m)]
    check_invariants(align_sentences(src, tgt, HashEncoder(), params=params), n, m, params)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 10_000), st.integers(4, 30))
def test_invariants_when_long_inputs_are_cut_into_blocks(n: int, m: int, seed: int,
                                                         chunk: int) -> None:
    params = Params(chunk=chunk)
    src = [f"s{seed}-{i}" for i in range(n)]
    tgt = [f"s{seed}-{j}" if j % 7 else f"extra {j}" for j in range(m)]
    check_invariants(align_sentences(src, tgt, HashEncoder(), params=params), n, m, params)


def test_long_document_is_cut_at_anchors_and_stays_right() -> None:
    text = [f"sentence number {k}" for k in range(3000)]
    tgt = text[:1000] + text[1001:]  # one sentence left out
    beads = align_sentences(text, tgt, HashEncoder(), params=Params(chunk=500))
    check_invariants(beads, 3000, 2999)
    pairs = {(b.src, b.tgt) for b in beads}
    assert ((1000,), ()) in pairs
    assert sum(len(b.src) == 1 and len(b.tgt) == 1 for b in beads) == 2999


def test_identical_texts_align_one_to_one() -> None:
    text = [f"sentence number {k}" for k in range(30)]
    beads = align_sentences(text, text, HashEncoder())
    assert [(b.src, b.tgt) for b in beads] == [((k,), (k,)) for k in range(30)]
    assert min(b.score for b in beads) > 0.8


def test_empty_sides() -> None:
    enc = HashEncoder()
    assert align_sentences([], [], enc) == []
    assert [(b.src, b.tgt) for b in align_sentences(["a", "b"], [], enc)] == [((0,), ()), ((1,), ())]
    assert [(b.src, b.tgt) for b in align_sentences([], ["x"], enc)] == [((), (0,))]


def test_one_against_two_hundred() -> None:
    tgt = [f"line {k}" for k in range(200)]
    beads = align_sentences(["line 77"], tgt, HashEncoder())
    check_invariants(beads, 1, 200)
    assert Bead((0,), (77,), beads[77].score) == beads[77]


def test_bead_types_and_band() -> None:
    assert bead_types(4, 5)[:3] == [(1, 0), (0, 1), (1, 1)]
    assert (1, 4) in bead_types(4, 5) and (4, 1) in bead_types(4, 5)
    assert (3, 3) not in bead_types(4, 5)
    # one sentence may face up to max_side on the other side, whatever max_total; larger
    # many-to-many beads stay out
    five = bead_types(5, 5)
    assert (1, 5) in five and (5, 1) in five
    assert not {(2, 4), (4, 2), (3, 3), (2, 5)} & set(five)
    assert set(bead_types(4, 5)) < set(five)
    lo, hi = band_around([(1, 1), (2, 2)], 3, 3, 0)
    assert list(lo) == [0, 1, 2, 3] and list(hi) == [1, 2, 3, 3]  # rows overlap: always a path


def test_real_english_russian_with_merge_and_drop(encoder) -> None:
    en = [
        "The lake ferry was cancelled on Monday.",
        "Strong winds had damaged the pier overnight.",
        "Engineers expect the repairs to take two weeks.",
        "Until then, a replacement bus will run every hour.",
        "Tickets bought for the ferry remain valid on the bus.",
        "The mayor apologised to commuters.",
    ]
    ru = [
        "Паром через озеро в понедельник отменили: ночью сильный ветер повредил причал.",
        "Инженеры рассчитывают закончить ремонт за две недели.",
        "Билеты на паром действительны и в автобусе.",
        "Мэр извинился перед пассажирами.",
        "Погода на выходные: ожидается снег и до минус пятнадцати.",
    ]
    beads = align_sentences(en, ru, encoder)
    check_invariants(beads, len(en), len(ru))
    got = [(b.src, b.tgt) for b in beads]
    assert ((0, 1), (0,)) in got  # merged in the Russian edition
    assert ((1,), (1,)) not in got
    assert ((2,), (1,)) in got
    assert ((3,), ()) in got  # the bus sentence is missing in Russian
    assert ((4,), (2,)) in got and ((5,), (3,)) in got
    assert ((), (4,)) in got  # an addition of the Russian edition
    paired = [b.score for b in beads if b.src and b.tgt]
    assert min(paired) > 0.5


def test_glue_marks_fragments_unless_the_text_has_no_capitals() -> None:
    from align.scorer import _glued

    text = ["Er sagte :", "würde ich antworten .", "Das ist alles ,", "Nichts mehr ."] + [
        "Ende ."] * 4
    assert _glued(text).tolist() == [0, 0, 1, 1, 2, 2, 2, 2, 2]  # "würde" and "Nichts" continue
    assert _glued([f"sentence number {k}" for k in range(10)])[-1] == 0  # no evidence


def test_omission_prior_rises_with_unmatched_sentences() -> None:
    from align.aligner import prepare
    from align.scorer import SKIP_FEATURES

    col = SKIP_FEATURES.index("prior")
    class Wide(HashEncoder):
        dim = 256  # random texts are then far apart

    text = [f"sentence number {k}" for k in range(40)]
    clean, _, _ = prepare(text, text, Wide(), None, None, DEFAULT)
    cut = [t if k % 3 else f"other {k}" for k, t in enumerate(text)]
    noisy, _, _ = prepare(text, cut, Wide(), None, None, DEFAULT)
    assert clean.skip_feats_src[0, col] < 0 < noisy.skip_feats_src[0, col]
    assert (noisy.skip_src > clean.skip_src).all()  # leaving a sentence out is cheaper


class BagEncoder:
    """A stand-in encoder: the normalised count of each word of a small vocabulary, so a text's
    similarity to another rises with the words they share."""

    name = "bag"
    words = ("sun", "rain", "wind", "snow", "fog", "hail")
    dim = len(words)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        x = np.array([[t.split().count(w) + 1e-3 for w in self.words] for t in texts], np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_attach_omissions_joins_a_gap_only_when_the_bead_gets_closer() -> None:
    from align.refine import attach_omissions

    src = ["sun", "rain", "wind", "snow", "fog"]
    tgt = ["sun", "rain wind", "snow"]
    # a 1-0 gap whose text the neighbouring target holds, and one ("fog") that nothing holds
    beads = [Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), ()), Bead((3,), (2,)), Bead((4,), ())]
    out = attach_omissions(beads, src, tgt, BagEncoder(), DEFAULT)
    assert [(b.src, b.tgt) for b in out] == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)),
                                             ((4,), ())]
    assert attach_omissions(beads[:1], src, tgt, BagEncoder(), DEFAULT) == beads[:1]


def _stand_in_scorer(best_src: list[float], best_tgt: list[float],
                     anchors: tuple[list[set[str]], list[set[str]]] | None = None) -> Any:
    """What align.refine reads of a BeadScorer: each sentence's best match, the length ratio, the
    bead shapes the DP allows and each sentence's anchors (none unless given)."""
    from types import SimpleNamespace

    from align.weights import SKIP_FEATURES

    col = SKIP_FEATURES.index("best")
    fs, ft = np.zeros((len(best_src), len(SKIP_FEATURES))), np.zeros((len(best_tgt), len(SKIP_FEATURES)))
    fs[:, col], ft[:, col] = best_src, best_tgt
    sa, ta = anchors or ([set() for _ in best_src], [set() for _ in best_tgt])
    return SimpleNamespace(skip_feats_src=fs, skip_feats_tgt=ft, ratio=1.0, types=bead_types(4, 5),
                           anchor_src=sa, anchor_tgt=ta)


def test_detach_omissions_frees_a_glued_sentence_without_a_match_only() -> None:
    from align.refine import Cosines, detach_omissions

    src, tgt = ["sun", "fog", "rain"], ["sun", "rain"]
    beads = [Bead((0, 1), (0,)), Bead((2,), (1,))]  # "fog" glued to "sun": the rest is closer
    cos = Cosines(src, tgt, BagEncoder())
    any_length = DEFAULT_WEIGHTS.replace(detach_min_chars=0)
    out = detach_omissions(beads, cos, _stand_in_scorer([0.0, 0.0, 0.0], [0.0, 0.0]), any_length)
    assert [(b.src, b.tgt) for b in out] == [((0,), (0,)), ((1,), ()), ((2,), (1,))]
    # a short beat ("They never do.") is what translators fold into a sentence: by default a
    # sentence under detach_min_chars characters stays where the DP put it
    assert detach_omissions(beads, cos, _stand_in_scorer([0.0, 0.0, 0.0], [0.0, 0.0])) == beads
    foggy = ["sun", "fog over the whole of the valley", "rain"]
    out = detach_omissions(beads, Cosines(foggy, tgt, BagEncoder()),
                           _stand_in_scorer([0.0, 0.0, 0.0], [0.0, 0.0]))
    assert [(b.src, b.tgt) for b in out] == [((0,), (0,)), ((1,), ()), ((2,), (1,))]
    # a sentence with a good match somewhere in the band stays where the DP put it
    kept = detach_omissions(beads, cos, _stand_in_scorer([0.0, 1.5, 0.0], [0.0, 0.0]), any_length)
    assert kept == beads
    # and a bead whose edge sentence belongs to it is left alone
    whole = [Bead((0, 1), (0,))]
    assert detach_omissions(whole, Cosines(["sun", "rain"], ["sun rain"], BagEncoder()),
                            _stand_in_scorer([0.0, 0.0], [0.0]), any_length) == whole


def test_merge_crossed_joins_two_pairs_cut_at_different_places() -> None:
    from align.refine import Cosines, merge_crossed

    # the source cuts after "hail", the target after "sun": two 1-1 beads leaning opposite ways
    src, tgt = ["sun rain rain hail", "wind"], ["sun", "rain rain hail wind"]
    beads = [Bead((0,), (0,)), Bead((1,), (1,))]
    out = merge_crossed(beads, Cosines(src, tgt, BagEncoder()), _stand_in_scorer([0, 0], [0, 0]))
    assert [(b.src, b.tgt) for b in out] == [((0, 1), (0, 1))]
    # two good 1-1 pairs of similar lengths stay apart
    src2, tgt2 = ["sun rain", "wind snow"], ["sun rain", "wind snow"]
    same = merge_crossed(beads, Cosines(src2, tgt2, BagEncoder()), _stand_in_scorer([0, 0], [0, 0]))
    assert same == beads
    # a 1-1 and a 1-2 bead cut at crossed places become one 2-3 bead
    src3, tgt3 = ["sun rain rain hail", "wind"], ["sun", "rain rain", "hail wind"]
    two = [Bead((0,), (0,)), Bead((1,), (1, 2))]
    out3 = merge_crossed(two, Cosines(src3, tgt3, BagEncoder()), _stand_in_scorer([0, 0], [0] * 3))
    assert [(b.src, b.tgt) for b in out3] == [((0, 1), (0, 1, 2))]


def test_an_anchor_crossing_two_pairs_makes_them_one_whatever_their_lengths() -> None:
    from align.refine import Cosines, crossed_anchors, merge_crossed
    from align.weights import DEFAULT_WEIGHTS

    # lengths do not lean, but an anchor ("1952", given to the stand-in scorer) of the first
    # source sentence is in the second target sentence, as is "fog"
    src, tgt = ["sun rain fog", "wind hail"], ["sun rain snow", "fog wind"]
    beads = [Bead((0,), (0,)), Bead((1,), (1,))]
    cos = Cosines(src, tgt, BagEncoder())
    crossed = ([{"#1952"}, set()], [set(), {"#1952"}])
    scorer = _stand_in_scorer([0, 0], [0, 0], crossed)
    assert crossed_anchors(beads[0], beads[1], scorer)
    on = DEFAULT_WEIGHTS.replace(merge_anchor_margin=-0.03)  # off by default (align/weights.py)
    out = merge_crossed(beads, cos, scorer, on)
    assert [(b.src, b.tgt) for b in out] == [((0, 1), (0, 1))]
    assert merge_crossed(beads, cos, scorer) == beads
    # without the anchor evidence the same beads stay apart
    assert merge_crossed(beads, cos, _stand_in_scorer([0, 0], [0, 0]), on) == beads
    # an anchor on both sides of the first pair does not cross
    kept = ([{"#1952"}, set()], [{"#1952"}, set()])
    assert not crossed_anchors(beads[0], beads[1], _stand_in_scorer([0, 0], [0, 0], kept))


def test_a_long_alignment_reports_its_progress_block_by_block() -> None:
    """Issue 18 finding 7: a 9 MB input ran for minutes with no sign of life."""
    from align import progress
    from align.aligner import align_sentences

    src = [f"sentence number {i} of the story" for i in range(700)]
    seen: list[tuple[int, int]] = []
    with progress.listening(lambda done, total: seen.append((done, total))):
        beads = align_sentences(src, list(src), HashEncoder(), params=Params(chunk=200))
    check_invariants(beads, 700, 700, Params(chunk=200))
    assert len(seen) >= 3 and seen[-1] == (1400, 1400)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_relatedness_reads_a_sample_of_a_huge_input() -> None:
    """Issue 18 finding 7: the unrelated-texts check embedded every sentence of a 9 MB input
    once more as float32 (270 MB) for a yes/no answer."""
    from align.aligner import RELATED_SAMPLE, relatedness

    class Counting(HashEncoder):
        spread = 0.3
        seen = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            Counting.seen += len(texts)
            return super().encode(texts)

    src = [f"sentence {i}" for i in range(2 * RELATED_SAMPLE)]
    tgt = [f"предложение {i}" for i in range(RELATED_SAMPLE)]
    assert relatedness(src, tgt, Counting()) is not None
    assert Counting.seen == RELATED_SAMPLE + RELATED_SAMPLE // 2


def test_a_long_input_embeds_each_sentence_about_once_in_bounded_windows() -> None:
    """Issue 18 finding 7: the cuts of a long input were found on vectors of every sentence of
    the whole text (memory grew with the text) and each block embedded its sentences again."""
    class Counting(HashEncoder):
        seen = 0
        most = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            singles = [t for t in texts if t.count("sentence number") == 1]
            Counting.seen += len(singles)
            Counting.most = max(Counting.most, len(singles))
            return super().encode(texts)

    n, params = 3000, Params(chunk=400)
    src = [f"sentence number {k}" for k in range(n)]
    beads = align_sentences(src, list(src), Counting(), params=params)
    check_invariants(beads, n, n, params)
    assert sum(b.src == b.tgt and len(b.src) == 1 for b in beads) > 0.95 * n
    assert Counting.seen <= 1.15 * 2 * n  # each sentence about once (a window's end twice)
    assert Counting.most <= params.chunk + params.chunk // 8  # one window at a time
