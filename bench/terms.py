"""Term translation quality: token F1 of the translation found for annotated phrases, by kind.

    python bench/terms.py            # lexicon fitted on all WMT units (wmt23-ru-en + wmt-en-ru)
    python bench/terms.py --search   # the same through concordance search (diptych terms)
    python bench/terms.py --incremental  # units added after a fit: links of their own or not

The memory is every sentence pair of ../shared/corpora/wmt23-ru-en (news, other) and
wmt-en-ru; the phrases are bench/data/terms.jsonl (written by the team: a phrase of one side
of a referenced unit and its translation as it stands on the other side). For each phrase,
tm.terms.links finds the span of the other side; token F1 against the annotation (lower-cased
word tokens) is averaged by kind.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import backend

from tm.terms.links import Lexicon, Links, tokens, translate
from tm.text.tokens import words


def shared_dir() -> Path:
    """../shared beside the project (a worktree may sit one level deeper)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpora").is_dir():
            return base / "shared"
    raise SystemExit("../shared/corpora not found beside the project")


CORPORA = ("wmt23-ru-en/news.jsonl", "wmt23-ru-en/other.jsonl", "wmt-en-ru/en-ru.jsonl")


def corpus_units() -> tuple[list[tuple[str, str]], dict[tuple[str, str, int, int], int]]:
    """Every sentence pair of the corpora, and the index of each (corpus, doc, para, sent)."""
    units: list[tuple[str, str]] = []
    where: dict[tuple[str, str, int, int], int] = {}
    for name in CORPORA:
        for line in (shared_dir() / "corpora" / name).read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            for p, (pe, pr) in enumerate(zip(doc["en"], doc["ru"])):
                for s, (e, r) in enumerate(zip(pe, pr)):
                    if e.strip() and r.strip():
                        where[(name, doc["id"], p, s)] = len(units)
                        units.append((e.strip(), r.strip()))
    return units, where


def annotations() -> list[dict[str, object]]:
    path = ROOT / "bench" / "data" / "terms.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def token_f1(found: str, gold: str) -> float:
    f, g = words(found), words(gold)
    if not f or not g:
        return float(f == g)
    common = sum(min(f.count(w), g.count(w)) for w in set(f))
    if not common:
        return 0.0
    p, r = common / len(f), common / len(g)
    return 2 * p * r / (p + r)


def evaluate(lexicon: Lexicon, links: list[Links] | None, units: list[tuple[str, str]],
             where: dict[tuple[str, str, int, int], int], verbose: bool = False
             ) -> dict[str, list[float]]:
    """Token F1 of each annotated phrase's translation, by kind (and "all"); ``links`` None
    leaves out the units' own word links (lexicon and cues only)."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for a in annotations():
        n = where[(a["corpus"], a["doc"], a["para"], a["sent"])]  # type: ignore[index]
        en, ru = units[n]
        src, tgt = (en, ru) if a["lang"] == "en" else (ru, en)
        span = translate(src, str(a["lang"]), str(a["query"]), tgt, lexicon,
                         links[n] if links else None)
        f1 = token_f1(span.text if span else "", str(a["translation"]))
        by_kind[str(a["kind"])].append(f1)
        by_kind["all"].append(f1)
        if verbose and f1 < 1:
            print(f"  {a['kind']:6} {f1:.2f} {a['query']!r} -> {span.text if span else None!r}"
                  f" (gold {a['translation']!r})")
    return by_kind


def via_search(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
               verbose: bool = False) -> tuple[dict[str, list[float]], int, float, float]:
    """The same F1, through ``diptych search --mode concordance`` on a memory of the units
    (fitted with ``diptych terms``): the hit for the annotated unit carries ``translation``.
    Returns the F1s by kind, how many annotated units were among the hits, the fit's seconds
    and the p95 latency (ms) of the lookups."""

    from tm.search.searcher import Searcher
    from tm.store import TM, UnitIn
    from tm.terms.lexicon import fit_terms

    by_kind: dict[str, list[float]] = defaultdict(list)
    found = 0
    times: list[float] = []
    with backend.memory("t.db") as scratch, TM.open(scratch) as tm:
        tm.add_units([UnitIn(e, r) for e, r in units])
        t = time.perf_counter()
        fit_terms(tm)
        fit_s = time.perf_counter() - t
        searcher = Searcher(tm)
        for a in annotations():
            en, ru = units[where[(a["corpus"], a["doc"], a["para"], a["sent"])]]  # type: ignore[index]
            t = time.perf_counter()
            hits = searcher.search(str(a["query"]), mode="concordance", lang=str(a["lang"]),
                                   limit=50)
            times.append(1000 * (time.perf_counter() - t))
            hit = next((h for h in hits if h.unit.en == en and h.unit.ru == ru), None)
            found += hit is not None
            got = hit.translation.text if hit and hit.translation else ""
            f1 = token_f1(got, str(a["translation"]))
            by_kind[str(a["kind"])].append(f1)
            by_kind["all"].append(f1)
            if verbose and f1 < 1:
                print(f"  {a['kind']:6} {f1:.2f} {a['query']!r} -> {got!r} "
                      f"(gold {a['translation']!r}{'' if hit else ', unit not among hits'})")
    times.sort()
    return by_kind, found, fit_s, times[int(0.95 * (len(times) - 1))]


def incremental(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
                contexts: tuple[int, ...] = (0, 500, 2000)) -> None:
    """The annotated units as units added after the last fit: the lexicon is fitted on the
    others; their F1 with the lexicon only (what they get today), and with links of their own
    from aligning them with ``c`` older units for context (what ``index`` could do), timed."""
    import random

    from tm.terms.wordalign import align_pairs

    new = sorted({where[(a["corpus"], a["doc"], a["para"], a["sent"])]  # type: ignore[index]
                  for a in annotations()})
    old = [u for n, u in enumerate(units) if n not in set(new)]
    lexicon, _ = Lexicon.fit(old)
    stale = evaluate(lexicon, None, units, where)["all"]
    print(f"{len(new)} new units, lexicon fitted on {len(old)} older ones")
    print(f"lexicon only (today): token F1 {sum(stale) / len(stale):.3f}")
    rng = random.Random(5)
    for c in contexts:
        pairs = [units[n] for n in new] + rng.sample(old, c)
        en_tok = [[t.key for t in tokens(e, "en")] for e, _ in pairs]
        ru_tok = [[t.key for t in tokens(r, "ru")] for _, r in pairs]
        t = time.perf_counter()
        aligned = align_pairs(en_tok, ru_tok)
        secs = time.perf_counter() - t
        links: list[Links] = [set() for _ in units]
        for n, ln in zip(new, aligned):
            links[n] = ln
        f1 = evaluate(lexicon, links, units, where)["all"]
        print(f"own links, aligned with {c:5} older units: token F1 {sum(f1) / len(f1):.3f}"
              f" ({secs:.1f} s)")


def main() -> None:
    units, where = corpus_units()
    if "--incremental" in sys.argv:
        incremental(units, where)
        return
    if "--search" in sys.argv:
        res, found, fit_s, p95 = via_search(units, where, verbose="-v" in sys.argv)
        print(f"via search: {len(units)} units, fit {fit_s:.1f} s, annotated unit among the hits"
              f" {found}/{len(res['all'])}, lookup p95 {p95:.1f} ms")
        for kind in sorted(res):
            print(f"{kind:8} {len(res[kind]):4}  token F1 {sum(res[kind]) / len(res[kind]):.3f}")
        return
    t = time.perf_counter()
    lexicon, links = Lexicon.fit(units)
    fit_s = time.perf_counter() - t
    print(f"lexicon fitted on {len(units)} units in {fit_s:.1f} s "
          f"({sum(len(r) for r in lexicon.en_ru.values())} entries)")
    full = evaluate(lexicon, links, units, where, verbose="-v" in sys.argv)
    lex_only = evaluate(lexicon, None, units, where)
    print(f"{'kind':8} {'n':>4}  {'F1 lexicon+links':>16}  {'F1 lexicon only':>15}")
    for kind in sorted(full):
        f1s, f1l = full[kind], lex_only[kind]
        print(f"{kind:8} {len(f1s):4}  {sum(f1s) / len(f1s):16.3f}  {sum(f1l) / len(f1l):15.3f}")


if __name__ == "__main__":
    main()
