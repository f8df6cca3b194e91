"""Peak memory and time of lookups in a memory holding the longest segment import accepts.

Issue 13: a 9 MB segment accepted by ``import`` made every search that hit it take 35-39 s and
2.6 GB. Now import refuses segments over ``tm.store.MAX_SEGMENT`` characters a side, and fuzzy
scoring reads at most that much of a stored text. This builds, from the WMT23 news sentences in
../shared (the EN/RU pairs of each article), a TMX with every sentence pair as a unit plus one
unit per side of exactly MAX_SEGMENT characters (sentences joined), imports it, indexes it, and
runs ``diptych search -`` with 20 sentences from the long unit: in auto mode (fuzzy,
concordance, semantic; printed as text), and in fuzzy mode listing every candidate scored (the
row says how often the long unit was among them). Each row is one new process of the installed ``diptych``;
peak memory is that process's maximum RSS (``wait4``). Target: each under 1.5 GB.

``--legacy`` adds a row for a memory holding a 9 MB unit stored directly (as an older diptych
could): what the fuzzy cap bounds.

    python bench/hostile_tm.py [--legacy]

bench/hostile.py puts :func:`search_longest_segment` in its table (the search row).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project's tm package, not bench/tm.py
NEWS = Path("shared") / "corpora" / "wmt23-ru-en" / "news.jsonl"
LIMIT_MB = 1500


def news_pairs() -> list[tuple[str, str]]:
    """Sentence pairs of the WMT23 news articles in ../shared (paragraphs aligned 1-1)."""
    for folder in ROOT.parents:
        if (folder / NEWS).is_file():
            pairs = []
            for line in (folder / NEWS).open(encoding="utf-8"):
                doc = json.loads(line)
                for p_en, p_ru in zip(doc["en"], doc["ru"]):
                    pairs += [(e, r) for e, r in zip(p_en, p_ru) if e.strip() and r.strip()]
            return pairs
    sys.exit(f"hostile_tm: {NEWS} not found beside {ROOT} or its parents")


def longest(sentences: list[str], size: int) -> str:
    """Sentences joined up to exactly ``size`` characters (no space at either end)."""
    parts, length, i = [], 0, 0
    while length < size:
        parts.append(sentences[i % len(sentences)])
        length += len(parts[-1]) + 1
        i += 1
    text = " ".join(parts)[:size - 1].rstrip()
    return text + "." * (size - len(text))


def write_tmx(path: Path, pairs: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header'
                ' creationtool="bench" creationtoolversion="1" segtype="sentence" o-tmf="bench"'
                ' adminlang="en" srclang="en" datatype="plaintext"/><body>\n')
        for en, ru in pairs:
            f.write(f'<tu><tuv xml:lang="en"><seg>{escape(en)}</seg></tuv>'
                    f'<tuv xml:lang="ru"><seg>{escape(ru)}</seg></tuv></tu>\n')
        f.write("</body></tmx>\n")


def run(args: list[str], stdin: str = "") -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, stdout) of ``diptych ARGS`` in a new process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from tm.cli import main; main()", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"hostile_tm: diptych {' '.join(args[:2])} failed: {err.strip()[-500:]}")
    return usage.ru_maxrss / 1024, seconds, out


def queries(text: str, n: int = 20) -> str:
    parts = [s.strip() + "." for s in text.split(". ") if len(s.strip()) > 40]
    return "\n".join(parts[:n]) + "\n"


def search_longest_segment(folder: Path) -> list[tuple[str, float, float]]:
    """Rows (what, peak MB, seconds): import, index and 20 lookups over a memory holding the
    longest segment import accepts."""
    from tm.store import MAX_SEGMENT

    pairs = news_pairs()
    long_en = longest([e for e, _ in pairs], MAX_SEGMENT)
    long_ru = longest([r for _, r in pairs], MAX_SEGMENT)
    tmx, db = folder / "long.tmx", folder / "long.db"
    write_tmx(tmx, [*pairs, (long_en, long_ru), (long_en + "!", long_ru)])  # the 2nd: refused
    rows = []
    mb, s, out = run(["import", str(tmx), "--db", str(db)])
    assert f"segment over {MAX_SEGMENT:,}" in out, out
    rows.append((f"import {len(pairs) + 2} TUs, one {MAX_SEGMENT:,}-char unit (one refused)",
                 mb, s))
    mb, s, _ = run(["index", "--db", str(db)])
    rows.append(("index that memory", mb, s))
    mb, s, _ = run(["search", "-", "--db", str(db)], queries(long_en))
    rows.append(("search (auto, shown as text): 20 sentences of the longest unit", mb, s))
    mb, s, out = run(["search", "-", "--mode", "fuzzy", "--limit", "1000", "--json", "--db",
                      str(db)], queries(long_en))
    hits = [json.loads(line) for line in out.splitlines()]
    long_hits = sum(len(h["en"]) == MAX_SEGMENT for h in hits)
    assert long_hits, "the long unit was never scored"
    rows.append((f"search (fuzzy, all candidates): the long unit scored {long_hits}/20 times",
                 mb, s))
    return rows


def search_legacy_segment(folder: Path) -> tuple[str, float, float]:
    """A 9 MB unit stored directly (as before the import limit), then 20 lookups."""
    from tm.store import TM, UnitIn

    pairs = news_pairs()
    db = folder / "legacy.db"
    big_en = longest([e for e, _ in pairs], 9_000_000)
    with TM.open(db) as tm:
        tm.add_units([UnitIn(e, r) for e, r in pairs])
        tm.add_units([UnitIn(big_en, longest([r for _, r in pairs], 9_000_000))])
    mb, s, _ = run(["search", "-", "--mode", "fuzzy", "--limit", "1000", "--json", "--db",
                    str(db)], queries(big_en))
    return "search (fuzzy): 20 queries over a 9 MB unit stored before the limit", mb, s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--legacy", action="store_true", help="Also a memory with a 9 MB unit.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = search_longest_segment(Path(tmp))
        if args.legacy:
            rows.append(search_legacy_segment(Path(tmp)))
    print(f"| {'what':<70} | peak MB | seconds |")
    print(f"|{'-' * 72}|--------:|--------:|")
    for what, mb, s in rows:
        flag = "" if mb < LIMIT_MB else "  OVER 1.5 GB"
        print(f"| {what:<70} | {mb:7.0f} | {s:7.1f} |{flag}")


if __name__ == "__main__":
    main()
