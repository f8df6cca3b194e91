"""Term highlights right or absent (issue 21): the translation a concordance hit carries, on
bench/data/terms.jsonl's 87 annotated phrases (English and Russian names, organisations, terms,
numbers, idioms in units of ../shared/corpora).

    python bench/term_highlights.py          # ~5 min on a loaded 2-core machine

A translation counts as right when its token F1 against the annotation is at least 0.5; a hit
without one abstains (right on a memory that cannot know). The phrases are split in two by
document (CRC32 of the document id, even = development): the calibration table of
tm.terms.links (P(right) by the best word's association) and the threshold SHOW_AT are read
off the development half; the figures that matter are the held-out half's.

1. Straight after import: the corpora's 4,762 units written to a TMX file and imported through
   the service (as `diptych import` does), which starts the background refit of the term links
   (tm.terms.background): lookups at once (the refit still running: spelling cues only), and
   again when it has finished, without any manual step.
2. Memory size: the annotated units plus random others, fitted, lookups with the size guard
   off: precision of the shown translations by size (what MIN_FIT_UNITS rests on).
3. A 30-unit memory (the first 30 annotated units), imported and refitted the same way: wrong
   highlights in 20 lookups.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from terms import annotations, corpus_units, token_f1

import tm.terms.lexicon as lexicon_mod
from tm import service
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.terms.background import RUNNING
from tm.terms.links import CALIBRATION, SHOW_AT
from tm.tmx import export_tmx

RIGHT = 0.5
Row = tuple[dict[str, object], float | None, float]  # annotation, shown score (None), F1


def lookups(tm: TM, cases: list[dict[str, object]], units: list[tuple[str, str]],
            where: dict[tuple[str, str, int, int], int], show_at: float = SHOW_AT) -> list[Row]:
    searcher = Searcher(tm)
    searcher.term_show_at = show_at
    out: list[Row] = []
    for a in cases:
        en, ru = units[where[(a["corpus"], a["doc"], a["para"], a["sent"])]]  # type: ignore[index]
        hits = searcher.search(str(a["query"]), mode="concordance", lang=str(a["lang"]),
                               limit=50)
        hit = next((h for h in hits if h.unit.en == en and h.unit.ru == ru), None)
        tr = hit.translation if hit else None
        out.append((a, tr.score if tr else None,
                    token_f1(tr.text, str(a["translation"])) if tr else 0.0))
    return out


def summary(rows: list[Row]) -> str:
    shown = [f1 for _, s, f1 in rows if s is not None]
    if not shown:
        return f"shown 0/{len(rows)}"
    right = sum(f1 >= RIGHT for f1 in shown)
    return (f"shown {len(shown)}/{len(rows)} ({len(shown) / len(rows):.0%}), token F1 of the"
            f" shown {sum(shown) / len(shown):.3f}, precision {right / len(shown):.3f}"
            f" ({len(shown) - right} wrong)")


def dev(a: dict[str, object]) -> bool:
    return zlib.crc32(str(a["doc"]).encode()) % 2 == 0


def wait_for_refit(db: Path, timeout: float = 1800) -> float:
    t = time.perf_counter()
    time.sleep(1)
    while time.perf_counter() - t < timeout:
        with TM.open(db, create=False) as tm:
            if not tm.get_setting(RUNNING) and not service.term_state(tm).newer:
                return time.perf_counter() - t
        time.sleep(2)
    raise SystemExit("the background refit did not finish")


def imported(path: Path, pairs: list[tuple[str, str]]) -> Path:
    """``pairs`` in a TMX file imported into a fresh memory at ``path`` (refit started)."""
    src = path.with_suffix(".src.db")
    with TM.open(src) as tm:
        tm.add_units([UnitIn(e, r) for e, r in pairs])
        with open(path.with_suffix(".tmx"), "wb") as f:
            export_tmx(tm, f)
    with TM.open(path) as tm:
        service.import_tmx(tm, path.with_suffix(".tmx"))
    return path


def calibration(rows: list[Row]) -> None:
    print("development half, every guess shown: P(right) by the best association")
    bounds = [b for b, _ in CALIBRATION]
    for lo, hi in zip(bounds, [float("inf"), *bounds]):
        f1s = [f1 for _, s, f1 in rows if s is not None and lo <= s < hi]
        if f1s:
            print(f"  score {lo:.2f}-{hi:.2f}: {len(f1s):3} phrases, right"
                  f" {sum(f >= RIGHT for f in f1s) / len(f1s):.2f}")


def main() -> None:
    os.environ["DIPTYCH_TERMS_BACKGROUND"] = "1"
    units, where = corpus_units()
    cases = annotations()
    dev_cases = [a for a in cases if dev(a)]
    test_cases = [a for a in cases if not dev(a)]
    with tempfile.TemporaryDirectory() as tmp:
        db = imported(Path(tmp) / "all.db", units)
        with TM.open(db, create=False) as tm:
            now = lookups(tm, test_cases, units, where)
        print(f"1. {len(units):,} units imported; held-out half ({len(test_cases)} phrases)")
        print(f"   at once (refit running):        {summary(now)}")
        secs = wait_for_refit(db)
        with TM.open(db, create=False) as tm:
            calibration(lookups(tm, dev_cases, units, where, show_at=0.0))
            print(f"   dev at SHOW_AT {SHOW_AT}: {summary(lookups(tm, dev_cases, units, where))}")
            print(f"   after the background refit ({secs:.0f} s): "
                  f"{summary(lookups(tm, test_cases, units, where))}")
            print(f"   all 87, after the refit: {summary(lookups(tm, cases, units, where))}")
        sizes(units, where, cases, Path(tmp))
        small(units, where, cases, Path(tmp))


def sizes(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
          cases: list[dict[str, object]], tmp: Path) -> None:
    """Precision by memory size with the guard off (development half)."""
    from tm.terms.lexicon import fit_terms

    own = sorted({where[(a["corpus"], a["doc"], a["para"], a["sent"])]  # type: ignore[index]
                  for a in cases})
    others = [n for n in range(len(units)) if n not in set(own)]
    rng = random.Random(3)
    print("2. memory size, the size guard off (development half):")
    kept = lexicon_mod.MIN_FIT_UNITS
    lexicon_mod.MIN_FIT_UNITS = 0
    try:
        for n in (100, 300, 1000, 2000):
            chosen = own + rng.sample(others, n - len(own))
            with TM.open(tmp / f"s{n}.db") as tm:
                tm.add_units([UnitIn(*units[i]) for i in chosen])
                fit_terms(tm)
                print(f"   {n:5} units: {summary(lookups(tm, [a for a in cases if dev(a)], units, where))}")
    finally:
        lexicon_mod.MIN_FIT_UNITS = kept


def small(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
          cases: list[dict[str, object]], tmp: Path) -> None:
    own = list(dict.fromkeys(where[(a["corpus"], a["doc"], a["para"], a["sent"])]  # type: ignore[index]
                             for a in cases))[:30]
    first = [a for a in cases
             if where[(a["corpus"], a["doc"], a["para"], a["sent"])] in own][:20]  # type: ignore[index]
    db = imported(tmp / "small.db", [units[i] for i in own])
    secs = wait_for_refit(db)
    with TM.open(db, create=False) as tm:
        rows = lookups(tm, first, units, where)
    wrong = sum(s is not None and f1 < RIGHT for _, s, f1 in rows)
    print(f"3. 30-unit memory, refitted in the background ({secs:.0f} s), 20 lookups:"
          f" {summary(rows)}; wrong highlights {wrong} in 20")


if __name__ == "__main__":
    main()
