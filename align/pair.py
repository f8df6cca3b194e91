"""Find which English article is the edition of which Russian one.

Evidence that survives translation, in two stages so that thousands of documents stay cheap:

1. *Shortlist*: each document's vector (the normalised mean of its sentence vectors) is compared
   with every document of the other side, blockwise; the top ``shortlist`` of each row and each
   column become candidates.
2. *Fine score* per candidate: a monotone alignment of the two sentence sequences (sentence
   embeddings *with their order*, :func:`order_score`), plus agreement of anchors that a
   translation keeps (numbers, links, Latin-script names in the Russian text) and of the
   publication dates.

Pairs are then chosen one-to-one, best first (:func:`match`), and each gets a confidence in
[0, 1] from its score and its margin over the nearest competitor of either document.

>>> result = pair_texts(en_docs, ru_docs, encoder=load_encoder())   # doctest: +SKIP
>>> result.pairs[0]                                                  # doctest: +SKIP
Pair(en=0, ru=3, confidence=0.981)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from align.embed import Encoder

__all__ = ["DocText", "Pair", "Pairing", "anchors", "link_key", "match", "order_score",
           "pair_texts", "units"]

MAX_UNITS = 40
"""Sentences per document used for pairing: the lead and first paragraphs decide."""
BASE_SIM = 0.3
"""Sentence similarity that counts for nothing in :func:`order_score` (unrelated sentences)."""
THRESHOLD = 0.2
"""Fine score at which a pair is as likely right as wrong (confidence 0.5)."""
SCALE = 0.025
"""Width of the logistic that turns a fine score into a confidence."""
MARGIN_SCALE = 0.05
"""A pair whose nearest competitor scores this much lower keeps 63% of its confidence."""
ANCHOR_WEIGHT = 0.15

_UNIT_END = re.compile(r"(?<=[.!?…;])\s+")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,\u00a0\u202f ]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+")
_LATIN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9&'’.-]*[A-Za-z0-9]")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+")


@dataclass(frozen=True)
class DocText:
    """One document to pair: its text, publication date ``YYYY-MM-DD`` and the links of its
    paragraphs, when known."""

    text: str
    date: str | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    """Indices into the English and Russian document lists, and the confidence of the pair."""

    en: int
    ru: int
    confidence: float


@dataclass(frozen=True)
class Pairing:
    """Chosen pairs (best first), and the documents left without a partner.

    ``unmatched_*`` hold ``(index, best candidate index or -1, its confidence)``.
    """

    pairs: tuple[Pair, ...]
    unmatched_en: tuple[tuple[int, int, float], ...]
    unmatched_ru: tuple[tuple[int, int, float], ...]


def units(text: str, limit: int = MAX_UNITS) -> list[str]:
    """Sentence-like units for pairing: split after ``.!?…;`` whatever the next letter's case.

    Cruder than :mod:`align.segment` on purpose: both languages are cut the same way, and
    lower-case sentence starts (common in user reviews) still separate units.
    """
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        for piece in _UNIT_END.split(" ".join(para.split())):
            if sum(c.isalpha() for c in piece) < 3:
                if out and piece:
                    out[-1] += " " + piece
                continue
            out.append(piece)
            if len(out) >= limit:
                return out
    return out


def link_key(url: str) -> str:
    """A link as evidence: no scheme, ``www.``, fragment, ``utm_`` parameters or final slash."""
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else "http://" + url)
    host = parts.netloc.lower().removeprefix("www.")
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("utm_"))
    return "@" + host + parts.path.rstrip("/.,;:") + ("?" + query if query else "")


def anchors(text: str, lang: str, links: Sequence[str] = ()
            ) -> tuple[frozenset[str], frozenset[str]]:
    """(numbers and links, Latin-script words) of a text.

    Numbers are normalised (``1,500`` = ``1 500`` = ``1500``; ``2,4`` = ``2.4``); one-digit
    numbers are too common to count. Latin words matter on the Russian side (names kept in
    Latin script); on the English side they are the vocabulary they are looked up in.
    """
    marks: set[str] = set()
    for m in _NUMBER.finditer(text):
        num = m.group()
        if _THOUSANDS.fullmatch(num):
            num = re.sub(r"\D", "", num)
        num = re.sub(r"[\u00a0\u202f ]", "", num).replace(",", ".")
        if len(num) > 1:
            marks.add("#" + num)
    marks.update(link_key(m.group(0)) for m in _LINK.finditer(text))
    marks.update(link_key(url) for url in links)
    words = {w.lower() for w in _LATIN.findall(_LINK.sub(" ", text))}
    if lang != "en":
        words = {w for w in words if len(w) >= 3}
    return frozenset(marks), frozenset(words)


def order_score(sim: np.ndarray, base: float = BASE_SIM) -> float:
    """How well two sentence sequences align in order, in [0, 1].

    ``sim[i, j]`` is the cosine of English sentence i and Russian sentence j. The best monotone
    one-to-one path through ``max(sim - base, 0)`` is found by dynamic programming (a row at a
    time) and normalised by the longer side: 1 for a perfect translation, ~0 for unrelated texts.
    """
    n, m = sim.shape
    if n == 0 or m == 0:
        return 0.0
    gain = np.maximum(sim - base, 0.0) / (1.0 - base)
    prev = np.zeros(m + 1)
    for i in range(n):
        step = np.maximum(prev[1:], prev[:-1] + gain[i])
        prev = np.concatenate(([0.0], np.maximum.accumulate(step)))
    return float(prev[-1] / max(n, m))


def _anchor_bonus(en: tuple[frozenset[str], frozenset[str]],
                  ru: tuple[frozenset[str], frozenset[str]]) -> float:
    """In [-0.2, 0.8] x :data:`ANCHOR_WEIGHT`: shared numbers/links and Russian Latin names found
    in the English text; weighed by how much evidence there is (none -> 0)."""
    shared = len(en[0] & ru[0]) + len(ru[1] & en[1])
    total = len(en[0] | ru[0]) + len(ru[1])
    if total == 0:
        return 0.0
    strength = min(1.0, total / 4)
    return ANCHOR_WEIGHT * strength * (shared / total - 0.2)


def _date_bonus(a: str | None, b: str | None) -> float:
    """Editions appear within days of each other: +0.03 within 2 days, -0.05 beyond 60."""
    if not a or not b:
        return 0.0
    try:
        days = abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return 0.0
    return 0.03 if days <= 2 else -0.05 if days > 60 else 0.0


def _shortlist(en_vecs: np.ndarray, ru_vecs: np.ndarray, k: int, block: int = 2048
               ) -> set[tuple[int, int]]:
    """Top-``k`` by document cosine of every row and every column, computed block by block."""
    cands: set[tuple[int, int]] = set()
    k_ru, k_en = min(k, len(ru_vecs)), min(k, len(en_vecs))
    for a, b, swap in ((en_vecs, ru_vecs, False), (ru_vecs, en_vecs, True)):
        kk = k_en if swap else k_ru
        for start in range(0, len(a), block):
            sims = a[start:start + block] @ b.T
            top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            for row, cols in enumerate(top, start):
                cands.update(((int(c), row) if swap else (row, int(c))) for c in cols)
    return cands


def match(scores: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """One-to-one pairs, greedily best first (ties broken by index, so the result is stable)."""
    taken_en: set[int] = set()
    taken_ru: set[int] = set()
    out = []
    for (i, j), _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if i not in taken_en and j not in taken_ru:
            out.append((i, j))
            taken_en.add(i)
            taken_ru.add(j)
    return out


def confidence(score: float, runner_up: float) -> float:
    """Logistic in the fine score, damped when a competitor scores nearly as well."""
    absolute = 1.0 / (1.0 + math.exp(-(score - THRESHOLD) / SCALE))
    margin = max(score - max(runner_up, 0.0), 0.0)
    return absolute * (1.0 - math.exp(-margin / MARGIN_SCALE))


def _doc_vectors(encoder: Encoder, texts: Sequence[list[str]], chunk: int = 256
                 ) -> tuple[list[np.ndarray], np.ndarray]:
    """Sentence vectors per document (float16: half the memory for thousands of documents)
    and each document's normalised mean vector. Encoded ``chunk`` documents at a time."""
    per_doc: list[np.ndarray] = []
    docs = np.zeros((len(texts), encoder.dim), np.float32)
    for start in range(0, len(texts), chunk):
        group = texts[start:start + chunk]
        flat = [u for us in group for u in us]
        vecs = encoder.encode(flat) if flat else np.zeros((0, encoder.dim), np.float32)
        pos = 0
        for d, us in enumerate(group, start):
            v = vecs[pos:pos + len(us)]
            pos += len(us)
            per_doc.append(v.astype(np.float16))
            if len(v):
                mean = v.mean(axis=0)
                docs[d] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return per_doc, docs


def pair_texts(en: Sequence[DocText], ru: Sequence[DocText], *, encoder: Encoder,
               min_confidence: float = 0.5, shortlist: int = 10) -> Pairing:
    """Pair English with Russian documents one-to-one (see the module docstring)."""
    en_units = [units(d.text) for d in en]
    ru_units = [units(d.text) for d in ru]
    en_vecs, en_doc = _doc_vectors(encoder, en_units)
    ru_vecs, ru_doc = _doc_vectors(encoder, ru_units)
    en_anch = [anchors(d.text, "en", d.links) for d in en]
    ru_anch = [anchors(d.text, "ru", d.links) for d in ru]
    scores: dict[tuple[int, int], float] = {}
    if len(en) and len(ru):
        for i, j in _shortlist(en_doc, ru_doc, shortlist):
            sim = en_vecs[i].astype(np.float32) @ ru_vecs[j].astype(np.float32).T
            scores[i, j] = (order_score(sim)
                            + _anchor_bonus(en_anch[i], ru_anch[j])
                            + _date_bonus(en[i].date, ru[j].date))
    best_en: dict[int, list[tuple[float, int]]] = {}
    best_ru: dict[int, list[tuple[float, int]]] = {}
    for (i, j), s in scores.items():
        best_en.setdefault(i, []).append((s, j))
        best_ru.setdefault(j, []).append((s, i))

    matched = match(scores)
    own_en = {i: scores[i, j] for i, j in matched}
    own_ru = {j: scores[i, j] for i, j in matched}

    def runner_up(i: int, j: int) -> float:
        """Best rival score: another document of either side that is left unmatched, or that
        scores with ``i`` (or ``j``) at least as well as with its own match."""
        others = [s for s, jj in best_en.get(i, []) if jj != j and s >= own_ru.get(jj, -1.0)]
        others += [s for s, ii in best_ru.get(j, []) if ii != i and s >= own_en.get(ii, -1.0)]
        return max(others, default=0.0)

    pairs = []
    for i, j in matched:
        conf = confidence(scores[i, j], runner_up(i, j))
        if conf >= min_confidence:
            pairs.append(Pair(i, j, round(conf, 3)))
    pairs.sort(key=lambda p: (-p.confidence, p.en))
    paired_en = {p.en for p in pairs}
    paired_ru = {p.ru for p in pairs}

    def best(cands: list[tuple[float, int]], k: int, en_side: bool) -> tuple[int, int, float]:
        if not cands:
            return (k, -1, 0.0)
        s, other = max(cands)
        pair = (k, other) if en_side else (other, k)
        return (k, other, round(confidence(s, runner_up(*pair)), 3))

    return Pairing(
        pairs=tuple(pairs),
        unmatched_en=tuple(best(best_en.get(i, []), i, True) for i in range(len(en))
                           if i not in paired_en),
        unmatched_ru=tuple(best(best_ru.get(j, []), j, False) for j in range(len(ru))
                           if j not in paired_ru),
    )
