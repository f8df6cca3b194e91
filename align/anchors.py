"""Lexical anchors: cheap evidence that two sentences are translations of each other.

Both editions share digits (numbers, dates), names spelled alike (Latin-script names inside a
Russian text, place names in German and French) and marks like ``?`` and ``!``. Each sentence
gets a 128-bit fingerprint of its anchors; a span's fingerprint is the OR of its sentences', and
overlap is a popcount, so a whole DP row is scored with a few vectorised operations.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["anchor_sets", "dice", "fingerprints", "span_fingerprints"]

_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{4,}")
_MARKS = ("?", "!")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def anchor_sets(src: Sequence[str], tgt: Sequence[str]) -> tuple[list[set[str]], list[set[str]]]:
    """Anchors per sentence: digit runs, marks, and words found on both sides.

    A shared word counts only when it is rare on each side (in at most a tenth of the sentences,
    or twice), so function words that happen to coincide carry no weight.
    """
    ws = [_words(t) for t in src]
    wt = [_words(t) for t in tgt]
    cs: Counter[str] = Counter(w for s in ws for w in s)
    ct: Counter[str] = Counter(w for s in wt for w in s)
    lim_s, lim_t = max(2, len(src) // 10), max(2, len(tgt) // 10)
    shared = {w for w in cs.keys() & ct.keys() if cs[w] <= lim_s and ct[w] <= lim_t}

    def one(text: str, words: set[str]) -> set[str]:
        out = {"#" + d.lstrip("0") for d in _NUMBER.findall(text)}
        out |= words & shared
        out |= {m for m in _MARKS if m in text}
        return out

    return [one(t, w) for t, w in zip(src, ws)], [one(t, w) for t, w in zip(tgt, wt)]


def fingerprints(sets: Sequence[set[str]]) -> np.ndarray:
    """``uint64 [n, 2]``: each anchor sets one of 128 bits (by CRC32)."""
    out = np.zeros((len(sets), 2), dtype=np.uint64)
    for i, s in enumerate(sets):
        for a in s:
            h = zlib.crc32(a.encode("utf-8")) & 127
            out[i, h >> 6] |= np.uint64(1) << np.uint64(h & 63)
    return out


def span_fingerprints(fp: np.ndarray, max_span: int) -> list[np.ndarray]:
    """Element ``k - 1``: OR of the fingerprints of sentences ``i .. i + k - 1``, per ``i``."""
    out = [fp]
    for k in range(2, max_span + 1):
        m = len(fp) - k + 1
        if m <= 0:
            out.append(np.zeros((0, 2), dtype=np.uint64))
            continue
        acc = fp[:m].copy()
        for off in range(1, k):
            acc |= fp[off : off + m]
        out.append(acc)
    return out


def _pop(x: np.ndarray) -> np.ndarray:
    bits: np.ndarray = np.bitwise_count(x).sum(axis=-1).astype(np.float64)
    return bits


def dice(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Dice overlap of anchors, number of anchors on both sides) for fingerprint rows."""
    inter = _pop(a & b)
    total = _pop(a) + _pop(b)
    return np.where(total > 0, 2 * inter / np.maximum(total, 1), 0.0), total
