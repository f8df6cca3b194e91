"""Russian lookups by dictionary form: does a name or word typed as a dictionary gives it find
a unit that holds it only inflected? (issue 21)

    python bench/ru_forms.py                # concordance and auto, with and without morphology

Queries: bench/data/ru_forms.jsonl, 172 Russian queries in dictionary form, each with the unit
(corpus, doc, paragraph, sentence of ../shared/corpora) that holds it only in an oblique case,
and the form it holds there (``inflected``). Kinds: masculine surnames in -ов/-ев/-ин
(Кобзев < "Игоря Кобзева"), feminine ones in -ова/-ева/-ина, first name + surname, places,
organisations, adjective + noun, common nouns. The set was drafted by a script (pymorphy3's tags
picked oblique names and nouns of the corpora and put them in the nominative) and every entry
read by hand: entries whose dictionary form was wrong (a woman's nominative "Елена Соколова"
taken for the genitive of "Соколов", a person tagged as a place) were dropped, and the female
surnames and organisations the tagger misses were added by hand.

Memory: every sentence pair of the corpora (wmt23-ru-en news + other, wmt-en-ru: 4,808 units),
no vectors (auto runs without its semantic section, which a dictionary form would not need).
A query counts as found when its unit (any unit with the same Russian text) is among the top 5
hits. "Snowball" is the same lookup with each query word standing for its Snowball stem alone,
as before Russian word forms (tm.text.morph); "inflected" types the form the unit holds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from rich.console import Console
from rich.table import Table
from terms import corpus_units

import tm.text.query as query_mod
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.text.tokens import stem_words

console = Console(width=140)
KINDS = ("surname_m", "surname_f", "name_surname", "place", "organisation", "adj_noun", "noun")


def snowball_only(word: str, lang: str, capital: bool) -> frozenset[str]:
    """A word's Snowball stem alone: the lookup before tm.text.morph."""
    return frozenset(stem_words([word], lang))


def found_share(searcher: Searcher, cases: list[dict[str, object]], key: str, mode: str,
                texts: dict[int, str]) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = defaultdict(list)
    for c in cases:
        hits = searcher.search(str(c[key]), mode=mode, lang="ru", limit=5)
        out[str(c["kind"])].append(any(h.unit.ru == texts[int(str(c["unit"]))] for h in hits))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", default="concordance,auto")
    args = ap.parse_args()
    units, where = corpus_units()
    cases = [json.loads(line) for line in
             (ROOT / "bench" / "data" / "ru_forms.jsonl").read_text(encoding="utf-8").splitlines()]
    for c in cases:
        c["unit"] = where[(c["corpus"], c["doc"], c["para"], c["sent"])]
    texts = {i: r for i, (_, r) in enumerate(units)}
    runs: dict[str, dict[str, list[bool]]] = {}
    with tempfile.TemporaryDirectory() as tmp, TM.open(Path(tmp) / "r.db") as tm:
        tm.add_units([UnitIn(e, r) for e, r in units])
        searcher = Searcher(tm)
        for mode in args.modes.split(","):
            t = time.perf_counter()
            runs[f"{mode}"] = found_share(searcher, cases, "query", mode, texts)
            ms = (time.perf_counter() - t) / len(cases) * 1000
            runs[f"{mode}, inflected"] = found_share(searcher, cases, "inflected", mode, texts)
            kept = query_mod._form_stems
            query_mod._form_stems = snowball_only
            try:
                runs[f"{mode}, Snowball"] = found_share(searcher, cases, "query", mode, texts)
            finally:
                query_mod._form_stems = kept
            console.print(f"{mode}: {ms:.1f} ms a lookup (with word forms, mean)")
    table = Table(title=f"Found in the top 5: {len(cases)} Russian queries in dictionary form,"
                        f" {len(units):,} units")
    table.add_column("lookup")
    for k in (*KINDS, "all"):
        table.add_column(k, justify="right")
    for name, by_kind in runs.items():
        every = [x for k in KINDS for x in by_kind.get(k, [])]
        cells = [f"{sum(by_kind[k]) / len(by_kind[k]):.0%} ({len(by_kind[k])})"
                 if by_kind.get(k) else "-" for k in KINDS]
        table.add_row(name, *cells, f"{sum(every) / len(every):.1%}")
    console.print(table)


if __name__ == "__main__":
    main()
