"""Alignment accuracy and speed on ../shared/corpora, with a reliability table of confidences.

    python bench/align.py                   # both corpora
    python bench/align.py --corpus textberg # Text+Berg de-fr, 7 documents, gold ladders
    python bench/align.py --corpus wmt      # WMT23 ru-en news with merges, drops, stray lines
    python bench/align.py --seeds ""        # skip the WMT table over seeds 13,1,2,3,4
    python bench/align.py --model st:PATH   # another encoder (default use-m3), e.g. a local LaBSE

Speed: (a) embedding every sentence of both sides once with the encoder, (b) the whole alignment
(embedding included), both without the cache, and the ratio b / a.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import align_sentences
from align.embed import Encoder, load_encoder
from align.errors import AlignError
from align.formats import parse_ladder
from align.score import score
from align.types import Bead

SHARED = ROOT.parent / "shared" / "corpora"


@dataclass
class Doc:
    name: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    src_par: list[int] | None = None
    tgt_par: list[int] | None = None


def textberg() -> list[Doc]:
    base = SHARED / "textberg"
    docs = []
    for gold in sorted((base / "gold").iterdir()):
        src = (base / "de" / gold.name).read_text(encoding="utf-8").splitlines()
        tgt = (base / "fr" / gold.name).read_text(encoding="utf-8").splitlines()
        docs.append(Doc(gold.name, src, tgt, parse_ladder(gold.read_text(encoding="utf-8"))))
    return docs


def _groups(n: int, rng: random.Random, merge: float, drop: float) -> list[list[int]]:
    """Partition units 0..n-1 into sentences: ~merge of adjacent pairs joined, ~drop removed."""
    groups: list[list[int]] = []
    k = 0
    while k < n:
        r = rng.random()
        if r < merge and k + 1 < n:
            groups.append([k, k + 1])
            k += 2
        elif r < merge + drop:
            k += 1
        else:
            groups.append([k])
            k += 1
    return groups


def wmt(seed: int = 13, merge: float = 0.1, drop: float = 0.05, path: Path | None = None) -> list[Doc]:
    """WMT23 news (1-1 segments) made realistic: merges, drops and one stray line per article."""
    rows = [json.loads(x) for x in (path or SHARED / "wmt23-ru-en" / "news.jsonl").open()]
    rng = random.Random(seed)
    docs = []
    for no, row in enumerate(rows):
        en = [(s, p) for p, par in enumerate(row["en"]) for s in par]
        ru = [(s, p) for p, par in enumerate(row["ru"]) for s in par]
        n = len(en)
        ge, gr = _groups(n, rng, merge, drop), _groups(n, rng, merge, drop)
        src = [" ".join(en[u][0] for u in g) for g in ge]
        tgt = [" ".join(ru[u][0] for u in g) for g in gr]
        sp = [en[g[0]][1] for g in ge]
        tp = [ru[g[0]][1] for g in gr]
        # gold: connected components of units shared by source and target sentences
        parent = list(range(n))

        def find(x: int, parent: list[int] = parent) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for g in ge + gr:
            for u in g[1:]:
                parent[find(u)] = find(g[0])
        comp: dict[int, tuple[list[int], list[int]]] = {}
        for i, g in enumerate(ge):
            comp.setdefault(find(g[0]), ([], []))[0].append(i)
        for j, g in enumerate(gr):
            comp.setdefault(find(g[0]), ([], []))[1].append(j)
        # a stray line from another article on one side
        other = rows[(no + 7) % len(rows)]
        side = rng.random() < 0.5
        stray_lines = [s for par in other["en" if side else "ru"] for s in par]
        stray = rng.choice(stray_lines)
        lines, pars = (src, sp) if side else (tgt, tp)
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, stray)
        pars.insert(at, pars[at - 1] if at else 0)
        beads = []
        for s_ids, t_ids in sorted(comp.values(), key=lambda c: (c[0] or [-1])[0]):
            if side:
                s_ids = [i + (i >= at) for i in s_ids]
            else:
                t_ids = [j + (j >= at) for j in t_ids]
            beads.append(Bead(tuple(s_ids), tuple(t_ids)))
        beads.append(Bead((at,), ()) if side else Bead((), (at,)))
        docs.append(Doc(row["id"], src, tgt, beads, sp, tp))
    return docs


CORPORA: dict[str, Callable[[], list[Doc]]] = {"textberg": textberg, "wmt": wmt}


def run(docs: list[Doc], encoder: Encoder, reps: int = 2) -> tuple[list[list[Bead]], float, float]:
    """Test beads per doc, seconds embedding once, seconds aligning (both without cache).

    Embedding and aligning alternate doc by doc and each is the best of ``reps`` runs, so
    other load on the machine skews both timings alike.
    """
    embed = align = 0.0
    out = []
    for d in docs:
        best_e = best_a = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            encoder.encode(d.src)
            encoder.encode(d.tgt)
            t1 = time.perf_counter()
            beads = align_sentences(d.src, d.tgt, encoder, src_paragraphs=d.src_par,
                                    tgt_paragraphs=d.tgt_par)
            t2 = time.perf_counter()
            best_e, best_a = min(best_e, t1 - t0), min(best_a, t2 - t1)
        embed += best_e
        align += best_a
        out.append(beads)
    return out, embed, align


def reliability(docs: list[Doc], tests: list[list[Bead]]) -> list[tuple[str, int, float, float]]:
    """(bin, beads, mean confidence, share strictly correct) over all test beads."""
    rows = []
    pairs = []
    for d, t in zip(docs, tests):
        gold = {(b.src, b.tgt) for b in d.gold}
        pairs += [(b.score, (b.src, b.tgt) in gold) for b in t]
    edges = np.linspace(0, 1, 11)
    for lo, hi in itertools.pairwise(edges):
        inside = [(s, ok) for s, ok in pairs if lo <= s < hi or (hi == 1 and s == 1)]
        if inside:
            rows.append((f"{lo:.1f}-{hi:.1f}", len(inside), float(np.mean([s for s, _ in inside])),
                         float(np.mean([ok for _, ok in inside]))))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    ap.add_argument("--seed", type=int, default=13, help="seed of the WMT merges/drops/strays")
    ap.add_argument("--seeds", default="13,1,2,3,4",
                    help="WMT seeds for the spread table (comma-separated; empty: none)")
    ap.add_argument("--model", default="use-m3",
                    help="encoder spec, as for `diptych align --model` (e.g. st:PATH_TO_LABSE)")
    args = ap.parse_args()
    CORPORA["wmt"] = lambda: wmt(seed=args.seed)
    names = args.corpus or ["textberg", "wmt"]
    try:
        encoder = load_encoder(args.model, use_cache=False)
    except AlignError as exc:
        sys.exit(f"bench/align.py: {exc}")
    encoder.encode(["warm up"])
    console = Console(width=150)
    table = Table(title=f"Alignment ({args.model}, no cache)")
    for col in ("corpus", "docs", "strict P", "strict R", "strict F1", "lax P", "lax R", "lax F1",
                "align s", "s/doc", "embed s", "ratio"):
        table.add_column(col, justify="right")
    calib = Table(title="Reliability of bead confidence (strictly correct share per bin)")
    for col in ("corpus", "confidence", "beads", "mean conf", "correct"):
        calib.add_column(col, justify="right")
    for name in names:
        docs = CORPORA[name]()
        tests, embed_s, align_s = run(docs, encoder)
        sc = score([d.gold for d in docs], tests)
        table.add_row(name, str(len(docs)), *(f"{x:.3f}" for x in (
            sc.strict.precision, sc.strict.recall, sc.strict.f1,
            sc.lax.precision, sc.lax.recall, sc.lax.f1)),
            f"{align_s:.2f}", f"{align_s / len(docs):.3f}", f"{embed_s:.2f}",
            f"{align_s / embed_s:.2f}")
        for row in reliability(docs, tests):
            calib.add_row(name, row[0], str(row[1]), f"{row[2]:.2f}", f"{row[3]:.2f}")
    console.print(table)
    console.print(calib)
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    if seeds and "wmt" in names:
        console.print(seed_spread(seeds, encoder))


def seed_spread(seeds: list[int], encoder: Encoder) -> Table:
    """Strict and lax F1 on the WMT case built with each seed, with their mean and minimum."""
    table = Table(title="WMT news over seeds (strict / lax F1)")
    for col in ("seed", "strict F1", "lax F1"):
        table.add_column(col, justify="right")
    strict, lax = [], []
    for seed in seeds:
        docs = wmt(seed=seed)
        tests = [align_sentences(d.src, d.tgt, encoder, src_paragraphs=d.src_par,
                                 tgt_paragraphs=d.tgt_par) for d in docs]
        sc = score([d.gold for d in docs], tests)
        strict.append(sc.strict.f1)
        lax.append(sc.lax.f1)
        table.add_row(str(seed), f"{sc.strict.f1:.3f}", f"{sc.lax.f1:.3f}")
    table.add_row("mean", f"{np.mean(strict):.3f}", f"{np.mean(lax):.3f}")
    table.add_row("min", f"{min(strict):.3f}", f"{min(lax):.3f}")
    return table


if __name__ == "__main__":
    main()
