"""Seconds for a cold `diptych align` of a 40-sentence EN/RU pair (new process, empty cache).

Builds the pair from the first WMT23 news articles (../shared/corpora/wmt23-ru-en/news.jsonl),
runs the installed `diptych` several times with a fresh embedding cache each time, and prints a
table: the median and best wall time, and (for comparison) a warm run with the cache filled.

    python bench/cold_align.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "corpora" / "wmt23-ru-en" / "news.jsonl"


def forty_sentence_pair(folder: Path, n: int = 40) -> tuple[Path, Path]:
    en: list[list[str]] = []
    ru: list[list[str]] = []
    count = 0
    for line in NEWS.open(encoding="utf-8"):
        doc = json.loads(line)
        for p_en, p_ru in zip(doc["en"], doc["ru"]):
            take = min(len(p_en), n - count)
            en.append(p_en[:take])
            ru.append(p_ru[:take])
            count += take
            if count >= n:
                break
        if count >= n:
            break
    paths = folder / "en.txt", folder / "ru.txt"
    for path, paras in zip(paths, (en, ru)):
        path.write_text("\n\n".join(" ".join(p) for p in paras) + "\n", encoding="utf-8")
    return paths


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("diptych"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        en, ru = forty_sentence_pair(folder)
        cmd = [exe, "align", str(en), str(ru), "-f", "jsonl"]
        cold = []
        for i in range(args.runs):
            env = {**os.environ, "DIPTYCH_CACHE_DIR": str(folder / f"cache{i}")}
            cold.append(timed(cmd, env))
        warm = timed(cmd, env)
        nothing = timed([exe, "--version"], os.environ.copy())
    print(f"{'run':<34}{'seconds':>10}")
    print(f"{'cold align, median of ' + str(args.runs):<34}{statistics.median(cold):>10.2f}")
    print(f"{'cold align, best':<34}{min(cold):>10.2f}")
    print(f"{'warm align (cache filled)':<34}{warm:>10.2f}")
    print(f"{'diptych --version (startup)':<34}{nothing:>10.2f}")


if __name__ == "__main__":
    main()
