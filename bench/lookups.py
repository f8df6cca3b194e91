"""What a translator types into the default search: fragments, damaged sentences, the other
language. Rank of the unit the query was made from, in ``--mode auto`` (and others).

    python bench/lookups.py                 # auto and concordance, 300 queries per test
    python bench/lookups.py --modes auto --queries 500

Units: every sentence pair of ../shared/corpora/wmt23-ru-en (news + other, 1,723 pairs) and,
with --with-en-ru, wmt-en-ru too. Tests, each on news units drawn at random (seed 11):
fragment: 4-7 consecutive words copied from a unit's English (or Russian) side (the unit has
at least 8 words and its sides are stored once); damaged: a number changed and one word dropped
(as bench/tm.py's fuzzy test); reordered: one word dropped and two neighbours swapped; whole
sentence: the Russian side as it stands. (Strict cross-lingual retrieval, a query against the
other side's vectors only, is bench/tm.py's semantic table.)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import backend
from rich.console import Console
from rich.table import Table
from terms import shared_dir

from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.vectors import embed as vectors
from tm.vectors.model import load_encoder

console = Console(width=140)
NUM = re.compile(r"\b\d+\b")


def wmt_pairs(path: Path) -> list[tuple[str, str]]:
    import json

    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        for pe, pr in zip(doc["en"], doc["ru"]):
            pairs += [(e.strip(), r.strip()) for e, r in zip(pe, pr) if e.strip() and r.strip()]
    return pairs


def fragment(text: str, rng: random.Random) -> str | None:
    """4-7 consecutive words of ``text`` (punctuation at the edges trimmed)."""
    toks = text.split()
    if len(toks) < 8:
        return None
    n = rng.randint(4, 7)
    i = rng.randrange(0, len(toks) - n + 1)
    frag = " ".join(toks[i:i + n]).strip(" ,.;:!?\"«»()—-")
    return frag if len(frag.split()) >= 4 else None


def damaged(sentence: str, rng: random.Random) -> str | None:
    """One number changed and one other word dropped; None without a number."""
    nums = list(NUM.finditer(sentence))
    if not nums:
        return None
    m = rng.choice(nums)
    new = str(int(m.group()) + rng.randint(1, 9))
    toks = (sentence[:m.start()] + new + sentence[m.end():]).split(" ")
    droppable = [i for i, t in enumerate(toks) if t.isalpha() and new not in t]
    if len(toks) < 4 or not droppable:
        return None
    del toks[rng.choice(droppable)]
    return " ".join(toks)


def reordered(sentence: str, rng: random.Random) -> str | None:
    """One word dropped and two neighbouring words swapped (a loose paraphrase)."""
    toks = sentence.split(" ")
    if len(toks) < 6:
        return None
    del toks[rng.randrange(len(toks))]
    i = rng.randrange(len(toks) - 1)
    toks[i], toks[i + 1] = toks[i + 1], toks[i]
    return " ".join(toks)


def queries(news: list[tuple[str, str]], n: int) -> dict[str, list[tuple[str, str, str]]]:
    """``{test: [(query, lang, en side of the unit it came from)]}``."""
    rng = random.Random(11)
    en_count: dict[str, int] = {}
    ru_count: dict[str, int] = {}
    for e, r in news:
        en_count[e] = en_count.get(e, 0) + 1
        ru_count[r] = ru_count.get(r, 0) + 1
    unique = [(e, r) for e, r in news if en_count[e] == 1 and ru_count[r] == 1]
    out: dict[str, list[tuple[str, str, str]]] = {
        "fragment 4-7 words (en)": [], "fragment 4-7 words (ru)": [],
        "damaged sentence (en)": [], "reordered sentence (ru)": [], "whole sentence (ru)": []}
    for e, r in rng.sample(unique, len(unique)):
        for test, q, lang in (("fragment 4-7 words (en)", fragment(e, rng), "en"),
                              ("fragment 4-7 words (ru)", fragment(r, rng), "ru"),
                              ("damaged sentence (en)", damaged(e, rng), "en"),
                              ("reordered sentence (ru)", reordered(r, rng), "ru"),
                              ("whole sentence (ru)", r, "ru")):
            if q and len(out[test]) < n:
                out[test].append((q, lang, e))
    return out


def run(searcher: Searcher, tests: dict[str, list[tuple[str, str, str]]], mode: str) -> list[tuple[str, int, int, int, float]]:
    """``(test, queries, first, top 3, p95 ms)`` per test."""
    rows = []
    for test, qs in tests.items():
        first = top3 = 0
        times = []
        for q, lang, en in qs:
            t = time.perf_counter()
            hits = searcher.search(q, mode=mode, lang=lang, limit=10)
            times.append(1000 * (time.perf_counter() - t))
            rank = next((k for k, h in enumerate(hits) if h.unit.en == en), None)
            first += rank == 0
            top3 += rank is not None and rank < 3
        times.sort()
        rows.append((test, len(qs), first, top3, times[int(0.95 * (len(times) - 1))]))
    return rows


def measure(encoder: Any, modes: Sequence[str], n: int, with_en_ru: bool = False
            ) -> dict[str, list[tuple[str, int, int, int, float]]]:
    """``{mode: [(test, queries, first, top 3, p95 ms)]}`` on a memory of WMT units."""
    corpora = shared_dir() / "corpora"
    news = wmt_pairs(corpora / "wmt23-ru-en" / "news.jsonl")
    units = news + wmt_pairs(corpora / "wmt23-ru-en" / "other.jsonl")
    if with_en_ru:
        units += wmt_pairs(corpora / "wmt-en-ru" / "en-ru.jsonl")
    tests = queries(news, n)
    with backend.memory("b.db") as scratch, TM.open(scratch) as tm:
        tm.add_units([UnitIn(e, r) for e, r in units])
        vectors.index(tm, encoder)
        searcher = Searcher(tm, encoder=encoder)
        return {mode: run(searcher, tests, mode) for mode in modes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="auto,concordance")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--with-en-ru", action="store_true")
    args = ap.parse_args()
    results = measure(load_encoder(), args.modes.split(","), args.queries, args.with_en_ru)
    table = Table(title="Lookups on WMT units: rank of the unit a query was made from")
    for col in ("mode", "test", "queries", "first", "top 3", "p95 ms"):
        table.add_column(col)
    for mode, rows in results.items():
        for test, n, first, top3, p95 in rows:
            table.add_row(mode, test, str(n), f"{100 * first / max(n, 1):.1f}%",
                          f"{100 * top3 / max(n, 1):.1f}%", f"{p95:.1f}")
    console.print(table)


if __name__ == "__main__":
    main()
