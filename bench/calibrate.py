"""Fit tm.search.similarity.CALIBRATION: P(the neighbour is the query's own unit | cosine), per language.

    python bench/calibrate.py

Units: WMT23 ru-en (news + other). Queries: whole sentences of news units in both languages,
as stored, damaged (a number changed, a word dropped), reordered (a word dropped, two
neighbours swapped), and fragments of 4-7 words (what a translator copies). For each query the top 10 semantic neighbours are scored: the source unit
is a positive, the rest negatives. Prints the fitted (slope, intercept) and a reliability table
(predicted vs observed share of positives per similarity band).
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from lookups import damaged, fragment, reordered, wmt_pairs
from terms import shared_dir

from tm.search.similarity import fit_logistic
from tm.store import TM, UnitIn
from tm.vectors import embed as vectors
from tm.vectors.ann import VectorSearch
from tm.vectors.model import load_encoder


def main() -> None:
    corpora = shared_dir() / "corpora" / "wmt23-ru-en"
    news = wmt_pairs(corpora / "news.jsonl")
    units = news + wmt_pairs(corpora / "other.jsonl")
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp, TM.open(Path(tmp) / "c.db") as tm:
        tm.add_units([UnitIn(e, r) for e, r in units])
        encoder = load_encoder()
        vectors.index(tm, encoder)
        vs = VectorSearch(tm)
        data: dict[str, tuple[list[float], list[int]]] = {"en": ([], []), "ru": ([], [])}
        for e, r in news:
            ids = tm.find_exact(e, "en")
            if len(ids) != 1:
                continue
            for lang, text in (("en", e), ("ru", r)):
                for q in (text, damaged(text, rng), reordered(text, rng), fragment(text, rng)):
                    if not q:
                        continue
                    for unit_id, cos in vs.search(vectors.query_vector(encoder, q), 10):
                        data[lang][0].append(float(cos))
                        data[lang][1].append(int(unit_id == ids[0]))
    for lang, (x, y) in data.items():
        a, b = fit_logistic(x, y)
        print(f'"{lang}": ({a:.2f}, {b:.2f}),  # {len(x)} neighbours, {sum(y)} positives')
        import math

        bands: dict[int, list[int]] = {}
        for cos, pos in zip(x, y):
            p = 1 / (1 + math.exp(-(a * cos + b)))
            bands.setdefault(min(9, int(p * 10)), []).append(pos)
        for band in sorted(bands):
            got = bands[band]
            print(f"  similarity {band / 10:.1f}-{(band + 1) / 10:.1f}: {len(got):5} neighbours,"
                  f" {100 * sum(got) / len(got):5.1f}% are the query's unit")


if __name__ == "__main__":
    main()
