"""Pairing benchmark: which English document is the translation of which Russian one?

All 162 documents of ../shared/corpora/wmt23-ru-en (news, reviews, manuals) are written to temp
files under meaningless names, shuffled with a fixed seed, and 10% of the documents are removed
from each side (different ones), so 130 true pairs remain among 146 documents a side. The same
library function as `diptych pair` (align.pair_io.pair_sources) runs on the two folders.

    python bench/pair.py            # seed 0 cold (empty embedding cache), then 4 more seeds warm

Prints precision and recall of the predicted pairs per seed, and the seconds of each run
(the first run is cold: encoder load + every sentence embedded).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "wmt23-ru-en"


def load_documents() -> list[dict]:
    docs = []
    for name in ("news.jsonl", "other.jsonl"):
        with open(CORPUS / name, encoding="utf-8") as f:
            docs += [json.loads(line) for line in f if line.strip()]
    return docs


def as_text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"


def write_split(docs: list[dict], folder: Path, seed: int, drop: float
                ) -> tuple[Path, Path, set[tuple[str, str]]]:
    """Two folders of shuffled, anonymously named files; the set of true (en, ru) paths."""
    rng = random.Random(seed)
    n = len(docs)
    k = round(drop * n)
    order = list(range(n))
    rng.shuffle(order)
    no_en = set(order[:k])  # documents whose English side is removed
    no_ru = set(order[k:2 * k])  # different ones lose their Russian side
    en_dir, ru_dir = folder / f"en-{seed}", folder / f"ru-{seed}"
    en_dir.mkdir()
    ru_dir.mkdir()
    en_names = rng.sample(range(10_000, 99_999), n)
    ru_names = rng.sample(range(10_000, 99_999), n)
    truth = set()
    for d in order:
        en_path, ru_path = en_dir / f"{en_names[d]}.txt", ru_dir / f"{ru_names[d]}.txt"
        if d not in no_en:
            en_path.write_text(as_text(docs[d]["en"]), encoding="utf-8")
        if d not in no_ru:
            ru_path.write_text(as_text(docs[d]["ru"]), encoding="utf-8")
        if d not in no_en and d not in no_ru:
            truth.add((str(en_path), str(ru_path)))
    return en_dir, ru_dir, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs (seed 0 is the cold one)")
    parser.add_argument("--drop", type=float, default=0.10, help="share removed from each side")
    parser.add_argument("--min-confidence", type=float, default=0.5)
    args = parser.parse_args()

    from align.embed import load_encoder
    from align.pair_io import list_sources, pair_sources

    docs = load_documents()
    rows = []
    lows: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        encoder = load_encoder("use-m3", cache_dir=Path(tmp) / "cache")  # empty cache: cold
        for seed in range(args.seeds):
            en_dir, ru_dir, truth = write_split(docs, Path(tmp), seed, args.drop)
            t0 = start if seed == 0 else time.perf_counter()
            # no threshold inside: every one-to-one match comes back with its confidence, and
            # the threshold is applied here (the same filter pair_texts applies)
            result = pair_sources(list_sources(en_dir), list_sources(ru_dir), encoder=encoder,
                                  min_confidence=0.0)
            seconds = time.perf_counter() - t0
            predicted = {(en, ru) for en, ru, c in result.pairs if c >= args.min_confidence}
            right = len(predicted & truth)
            lows.append((min((c for e, r, c in result.pairs if (e, r) in truth), default=1.0),
                         max((c for e, r, c in result.pairs if (e, r) not in truth),
                             default=0.0)))
            rows.append((seed, len(list_sources(en_dir)), len(list_sources(ru_dir)), len(truth),
                         len(predicted), right, right / max(len(predicted), 1),
                         right / max(len(truth), 1), seconds))
            for en, ru in sorted(predicted - truth):
                conf = next(c for e, r, c in result.pairs if (e, r) == (en, ru))
                print(f"  seed {seed}: wrong pair {Path(en).name} {Path(ru).name} ({conf:.3f})")
    print(f"\n{len(docs)} documents of wmt23-ru-en, {args.drop:.0%} removed from each side,"
          f" min confidence {args.min_confidence}\n")
    print("| seed | EN docs | RU docs | true pairs | predicted | right | precision | recall"
          " | seconds |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for seed, ne, nr, nt, npred, right, p, r, s in rows:
        note = " (cold)" if seed == 0 else ""
        print(f"| {seed} | {ne} | {nr} | {nt} | {npred} | {right} | {p:.3f} | {r:.3f} |"
              f" {s:.1f}{note} |")
    print(f"\nlowest confidence of a true pair: {min(lo for lo, _ in lows):.3f};"
          f" highest confidence of a wrong one-to-one match (orphans matched to each other):"
          f" {max(hi for _, hi in lows):.3f}")
    tp = sum(r[5] for r in rows)
    print(f"\nall seeds: precision {tp / sum(r[4] for r in rows):.3f},"
          f" recall {tp / sum(r[3] for r in rows):.3f}")


if __name__ == "__main__":
    main()
