"""Batch throughput: `diptych add --batch` over the 162 wmt23-ru-en document pairs.

Writes every document's English and Russian side to temp files, lists the pairs, and runs the
library behind `add --batch` (tm.ingest.batch.run_batch) into a new TM with an empty embedding cache
(cold), then runs it again (everything skipped: the cost of resuming).

    python bench/batch.py [--workers N] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "wmt23-ru-en"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    args = parser.parse_args()

    docs = []
    for name in ("news.jsonl", "other.jsonl"):
        with open(CORPUS / name, encoding="utf-8") as f:
            docs += [json.loads(line) for line in f if line.strip()]
    docs = docs[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DIPTYCH_CACHE_DIR"] = str(Path(tmp) / "cache")  # cold, read by the workers
        from tm.ingest.batch import PairJob, run_batch
        from tm.store import TM

        jobs = []
        for k, d in enumerate(docs):
            paths = []
            for lang in ("en", "ru"):
                path = Path(tmp) / f"{k}.{lang}.txt"
                path.write_text("\n\n".join(" ".join(p) for p in d[lang]), encoding="utf-8")
                paths.append(str(path))
            jobs.append(PairJob(k + 1, paths[0], paths[1], None))
        sentences = sum(len(p) for d in docs for lang in ("en", "ru") for p in d[lang])
        rows = []
        with TM.open(Path(tmp) / "tm.db") as tm:
            for label in ("cold", "resume (all skipped)"):
                t0 = time.perf_counter()
                s = run_batch(tm, jobs, workers=args.workers)
                sec = time.perf_counter() - t0
                for job, why in s.failed:
                    print(f"  {label}: pair {job.line} failed: {why}")
                rows.append((label, s.pairs, s.stored, s.skipped, len(s.failed), s.units_added,
                             sec, s.pairs / sec * 60))
    workers = args.workers or os.cpu_count()
    print(f"\n{len(docs)} document pairs ({sentences} segments), {workers} workers\n")
    print("| run | pairs | stored | skipped | failed | units added | seconds | pairs/min |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, st, sk, fa, units, sec, rate in rows:
        print(f"| {label} | {n} | {st} | {sk} | {fa} | {units} | {sec:.1f} | {rate:.0f} |")


if __name__ == "__main__":
    main()
