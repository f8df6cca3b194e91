"""Alignment accuracy and speed on ../shared/corpora, with a reliability table of confidences.

    python bench/align.py                       # the test sets: textberg, wmt, enru
    python bench/align.py --corpus textberg     # Text+Berg de-fr, 7 documents, gold ladders
    python bench/align.py --corpus wmt          # WMT23 ru-en news with merges, drops, stray lines
    python bench/align.py --corpus enru         # held-apart adapted EN->RU editions (wmt-en-ru)
    python bench/align.py --corpus enru-dev --corpus textberg-dev --cache   # development sets
    python bench/align.py --seeds ""            # skip the WMT table over seeds 13,1,2,3,4
    python bench/align.py --model use-m3+e5     # another encoder: e5, use-m3+e5, st:PATH (LaBSE)
    python bench/align.py --genres dev --cache  # one row per development genre (also: test, all)
    python bench/align.py --genres test --cache --genre-seeds 13,1,2,3,4   # and pooled over seeds

``--genres`` prints one row per genre (bench/cases.py's GENRES: news, general, reviews and
manuals, dialogue, Text+Berg, literary in close and free translation, and German-French
yearbook-style prose for development; development and held-apart test apart): strict and lax
F1, the strict F1 of the DP alone (align/refine.py's detach and merge passes off), confident
beads right, the weak flag's share and catch; then the reliability table per genre.
``--genre-seeds`` adds a table of every genre pooled over several adaptation seeds (those whose
gold is the translation's own, bench/cases.py's UNSEEDED, once): a genre of a few dozen wrong
beads swings by 0.1-0.4 in the weak flag's catch from one seed to the next.

Speed: (a) embedding every sentence of both sides once with the encoder, (b) the whole alignment
(embedding included), both without the cache, and the ratio b / a (``--cache`` reuses embeddings
from $DIPTYCH_CACHE_DIR: accuracy only, the timings then mean nothing). The corpora and which of
them are development or test sets: bench/cases.py. Set $DIPTYCH_SHARED when ../shared is
elsewhere.

The checks table: omissions found (gold 1-0 / 0-1 beads found exactly), how often beads with
confidence >= 0.9 are right, and what the weak flag (confidence < --weak-below) marks: its share
of all beads and of the wrong ones.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import align_sentences
from align.embed import Encoder, load_encoder
from align.errors import AlignError
from align.evaluate import score
from align.types import WEAK_BELOW, Bead
from align.weights import DEFAULT_WEIGHTS, Weights
from bench.cases import GENRES, UNSEEDED, Doc, enru, textberg, wmt

CORPORA: dict[str, Callable[[], list[Doc]]] = {
    "textberg": textberg, "wmt": wmt, "enru": enru,
    "textberg-dev": lambda: textberg(dev=True), "enru-dev": lambda: enru("dev")}
TESTS = ["textberg", "wmt", "enru"]


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


def checks(docs: list[Doc], tests: list[list[Bead]], weak: float) -> dict[str, float]:
    """Omissions found, precision of confident beads, and what the weak flag marks."""
    found = omitted = 0
    conf: list[tuple[float, bool]] = []
    for d, t in zip(docs, tests):
        gold = {(b.src, b.tgt) for b in d.gold}
        got = {(b.src, b.tgt) for b in t}
        one_sided = [k for k in gold if not (k[0] and k[1]) and len(k[0]) + len(k[1]) == 1]
        omitted += len(one_sided)
        found += sum(k in got for k in one_sided)
        conf += [(b.score, (b.src, b.tgt) in gold) for b in t]
    sure = [ok for c, ok in conf if c >= 0.9]
    flagged = [ok for c, ok in conf if c < weak]
    wrong = sum(not ok for _, ok in conf)
    return {"omissions found": found / max(omitted, 1), "conf>=0.9 right": float(np.mean(sure or [0])),
            "conf>=0.9 share": len(sure) / max(len(conf), 1),
            "weak share": len(flagged) / max(len(conf), 1),
            "wrong caught": sum(not ok for ok in flagged) / max(wrong, 1)}


def load(spec: str, use_cache: bool) -> Encoder:
    """The encoder named by ``spec``; the e5 ones until align.embed dispatches them itself."""
    from align.embed.e5 import load_e5

    return load_e5(spec, use_cache=use_cache) or load_encoder(spec, use_cache=use_cache)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    ap.add_argument("--seed", type=int, default=13, help="seed of the WMT / enru adapted editions")
    ap.add_argument("--seeds", default="13,1,2,3,4",
                    help="WMT seeds for the spread table (comma-separated; empty: none)")
    ap.add_argument("--model", default="use-m3",
                    help="encoder spec: use-m3, e5, use-m3+e5, st:PATH_TO_LABSE, ...")
    ap.add_argument("--cache", action="store_true", help="reuse cached embeddings (no timings)")
    ap.add_argument("--reps", type=int, default=2, help="timing runs per document (best kept)")
    ap.add_argument("--genres", choices=("dev", "test", "all"),
                    help="one row per genre instead (with --cache: accuracy only)")
    ap.add_argument("--genre-seeds", default="",
                    help="with --genres: also pool every adapted genre over these seeds "
                         "(comma-separated, e.g. 13,1,2,3,4): one seed's few wrong beads are noisy")
    ap.add_argument("--weak-below", type=float, default=WEAK_BELOW,
                    help="the weak flag's threshold (default: align.types.WEAK_BELOW, chosen on enru-dev)")
    args = ap.parse_args()
    CORPORA["wmt"] = lambda: wmt(seed=args.seed)
    CORPORA["enru"] = lambda: enru("test", seed=args.seed)
    names = args.corpus or TESTS
    try:
        encoder = load(args.model, args.cache)
    except AlignError as exc:
        sys.exit(f"bench/align.py: {exc}")
    encoder.encode(["warm up"])
    console = Console(width=150)
    if args.genres:
        picked = [g for g in GENRES if args.genres == "all" or g.endswith("-dev") == (args.genres == "dev")]
        for table in genre_tables(picked, encoder, args.seed, args.weak_below):
            console.print(table)
        pool = [int(x) for x in args.genre_seeds.split(",") if x.strip()]
        if pool:
            console.print(pooled_table(picked, encoder, pool, args.weak_below))
        return
    table = Table(title=f"Alignment ({args.model}, {'cached' if args.cache else 'no cache'})")
    for col in ("corpus", "docs", "strict P", "strict R", "strict F1", "lax P", "lax R", "lax F1",
                "align s", "s/doc", "embed s", "ratio"):
        table.add_column(col, justify="right")
    check = Table(title=f"Checks (weak: confidence < {args.weak_below})")
    calib = Table(title="Reliability of bead confidence (strictly correct share per bin)")
    for col in ("corpus", "confidence", "beads", "mean conf", "correct"):
        calib.add_column(col, justify="right")
    check.add_column("corpus")
    for name in names:
        docs = CORPORA[name]()
        tests, embed_s, align_s = run(docs, encoder, 1 if args.cache else args.reps)
        sc = score([d.gold for d in docs], tests)
        table.add_row(name, str(len(docs)), *(f"{x:.3f}" for x in (
            sc.strict.precision, sc.strict.recall, sc.strict.f1,
            sc.lax.precision, sc.lax.recall, sc.lax.f1)),
            f"{align_s:.2f}", f"{align_s / len(docs):.3f}", f"{embed_s:.2f}",
            f"{align_s / embed_s:.2f}")
        for row in reliability(docs, tests):
            calib.add_row(name, row[0], str(row[1]), f"{row[2]:.2f}", f"{row[3]:.2f}")
        res = checks(docs, tests, args.weak_below)
        if len(check.columns) == 1:
            for key in res:
                check.add_column(key, justify="right")
        check.add_row(name, *(f"{v:.3f}" for v in res.values()))
    console.print(table)
    console.print(check)
    console.print(calib)
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    if seeds and "wmt" in names:
        console.print(seed_spread(seeds, encoder))


DP_ALONE = DEFAULT_WEIGHTS.replace(detach_margin=2.0, merge_margin=2.0)
"""The weights with align/refine.py's detach and merge passes off (margins no pair reaches)."""


def _align_all(docs: list[Doc], encoder: Encoder, weights: Weights) -> list[list[Bead]]:
    return [align_sentences(d.src, d.tgt, encoder, src_paragraphs=d.src_par,
                            tgt_paragraphs=d.tgt_par, weights=weights) for d in docs]


def genre_tables(names: list[str], encoder: Encoder, seed: int, weak: float) -> list[Table]:
    """Per genre: accuracy with and without the second looks, confidence checks, reliability."""
    table = Table(title=f"Alignment per genre (seed {seed}; weak: confidence < {weak})")
    for col in ("genre", "docs", "beads", "strict F1", "lax F1", "DP alone", "omissions found",
                "conf>=0.9 right", "conf>=0.9 share", "weak share", "wrong caught"):
        table.add_column(col, justify="right")
    calib = Table(title="Reliability per genre: beads / strictly correct share, per confidence bin")
    calib.add_column("genre")
    bins = [f"{k / 10:.1f}" for k in range(10)]
    for b in bins:
        calib.add_column(b, justify="right")
    for name in names:
        docs = GENRES[name](seed)
        tests = _align_all(docs, encoder, DEFAULT_WEIGHTS)
        alone = score([d.gold for d in docs], _align_all(docs, encoder, DP_ALONE))
        sc = score([d.gold for d in docs], tests)
        res = checks(docs, tests, weak)
        table.add_row(name, str(len(docs)), str(sum(map(len, tests))), f"{sc.strict.f1:.3f}",
                      f"{sc.lax.f1:.3f}", f"{alone.strict.f1:.3f}",
                      *(f"{res[k]:.3f}" for k in ("omissions found", "conf>=0.9 right",
                                                  "conf>=0.9 share", "weak share", "wrong caught")))
        rows = {r[0][:3]: r for r in reliability(docs, tests)}
        calib.add_row(name, *(f"{rows[b][1]} / {rows[b][3]:.2f}" if b in rows else "" for b in bins))
    return [table, calib]


def pooled_table(names: list[str], encoder: Encoder, seeds: list[int], weak: float) -> Table:
    """Per genre, the adapted editions of every seed in ``seeds`` pooled (the UNSEEDED genres,
    the same documents whatever the seed, once): strict F1 pooled and its lowest seed, the DP alone's,
    and the confidence checks over all their beads."""
    table = Table(title=f"Alignment per genre over seeds {','.join(map(str, seeds))} (pooled; "
                        f"weak: confidence < {weak})")
    for col in ("genre", "editions", "beads", "wrong", "strict F1", "lowest seed", "DP alone",
                "conf>=0.9 right", "weak share", "wrong caught", "share, seeds", "caught, seeds"):
        table.add_column(col, justify="right", no_wrap=col == "genre")
    for name in names:
        fixed = name.startswith(UNSEEDED)
        docs, tests, alone, per_seed = [], [], [], []
        for seed in seeds[:1] if fixed else seeds:
            d = GENRES[name](seed)
            t = _align_all(d, encoder, DEFAULT_WEIGHTS)
            docs += d
            tests += t
            alone += _align_all(d, encoder, DP_ALONE)
            per_seed.append((score([x.gold for x in d], t).strict.f1, checks(d, t, weak)))
        sc = score([d.gold for d in docs], tests)
        res = checks(docs, tests, weak)
        wrong = sum(len({(b.src, b.tgt) for b in t} - {(g.src, g.tgt) for g in d.gold})
                    for d, t in zip(docs, tests))
        table.add_row(name, str(len(docs)), str(sum(map(len, tests))), str(wrong),
                      f"{sc.strict.f1:.3f}", f"{min(f for f, _ in per_seed):.3f}",
                      f"{score([d.gold for d in docs], alone).strict.f1:.3f}",
                      *(f"{res[k]:.3f}" for k in ("conf>=0.9 right", "weak share", "wrong caught")),
                      *(f"{min(r[k] for _, r in per_seed):.2f}-{max(r[k] for _, r in per_seed):.2f}"
                        for k in ("weak share", "wrong caught")))
    return table


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
