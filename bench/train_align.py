"""Learn the bead-scoring weights of align/weights.py on the development cases.

    python bench/train_align.py [--epochs 5] [--lr 0.02] [--blend 1.0]

Training data (:func:`dev_docs`): adapted EN->RU editions of wmt-en-ru's dev chunks (never its
test chunks, bench's WMT23 news nor Text+Berg test) at three rates of merges and drops, half of
them made to look scanned, and the Text+Berg development document.
Method: an averaged structured perceptron over the banded DP (the aligner's own decoder),
started from the current weights. Prints the Weights to paste into align/weights.py; then refit
the confidence with bench/calibrate_align.py.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import decode, prepare
from align.dp import Params, bead_types
from align.weights import Weights
from bench.cases import enru, textberg


def load_bench():
    import runpy

    return runpy.run_path(str(ROOT / "bench" / "align.py"), run_name="align_bench")


Key = tuple[tuple[int, int], tuple[int, int]]


def norm(shape: tuple[int, int], end: tuple[int, int]) -> Key:
    """(shape, end cell), with the other side's coordinate of an omission blanked: the order of
    adjacent omissions is arbitrary."""
    a, b = shape
    i, j = end
    return ((a, b), (i if a else -1, j if b else -1))


def ends(beads) -> list[Key]:
    """Gold beads as the decoder reports them: (shape, end cell)."""
    return [norm((len(b.src), len(b.tgt)), (max(b.src, default=-2) + 1, max(b.tgt, default=-2) + 1))
            for b in beads]


JUNK = ["V", "A", ".-^ !", "■ iv", "12", "Foto: AP", "* * *", "r \\", "—"]


def augment(doc, rng: random.Random):
    """Make a clean document look scanned: split some 1-1 sentences in two at a middle space
    (a 2-1 bead of fragments) and add junk lines (page furniture, OCR debris)."""
    from align.types import Bead

    one_one = {(b.src[0], b.tgt[0]) for b in doc.gold if len(b.src) == 1 and len(b.tgt) == 1}
    split_src = {i for i, _ in one_one if rng.random() < 0.08}
    split_tgt = {j for i, j in one_one if i not in split_src and rng.random() < 0.08}
    extra: list[Bead] = []

    def rebuild(lines, pars, split, side):
        new, new_pars, where = [], [], []
        for k, (line, par) in enumerate(zip(lines, pars or [0] * len(lines))):
            words = line.split(" ")
            if k in split and len(words) >= 6:
                cut = len(words) // 2 + rng.randint(-2, 2)
                parts = [" ".join(words[:cut]), " ".join(words[cut:])]
            else:
                parts = [line]
            where.append(list(range(len(new), len(new) + len(parts))))
            new += parts
            new_pars += [par] * len(parts)
            if rng.random() < 0.03:
                extra.append(Bead((len(new),), ()) if side == 0 else Bead((), (len(new),)))
                new.append(rng.choice(JUNK))
                new_pars.append(par)
        return new, (new_pars if pars else None), where

    src, sp, ws = rebuild(doc.src, doc.src_par, split_src, 0)
    tgt, tp, wt = rebuild(doc.tgt, doc.tgt_par, split_tgt, 1)
    gold = [Bead(tuple(x for i in b.src for x in ws[i]), tuple(y for j in b.tgt for y in wt[j]))
            for b in doc.gold] + extra
    return type(doc)(doc.name, src, tgt, gold, sp, tp)


def dev_docs() -> list:
    """The development cases (bench/cases.py): adapted EN->RU editions of the dev chunks of
    wmt-en-ru at three rates, half of them made to look scanned, and Text+Berg dev twice."""
    docs = []
    for seed, merge, drop in ((101, 0.1, 0.05), (102, 0.2, 0.05), (103, 0.05, 0.1)):
        docs += enru("dev", seed=seed, merge=merge, drop=drop)
    rng = random.Random(7)
    return [augment(d, rng) if k % 2 else d for k, d in enumerate(docs)] + textberg(dev=True) * 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--blend", type=float, default=1.0,
                    help="share of the learned weights in the result (the rest: the defaults)")
    ap.add_argument("--model", default="use-m3", help="encoder spec (see bench/align.py)")
    args = ap.parse_args()
    docs = dev_docs()
    params = Params()
    shapes = set(bead_types(params.max_side, params.max_total))
    enc = load_bench()["load"](args.model, True)
    data = []
    for d in docs:
        gold = ends(d.gold)
        if any((a, bb) not in shapes for (a, bb), _ in gold):
            continue
        scorer, lo, hi = prepare(d.src, d.tgt, enc, d.src_par, d.tgt_par, params)
        phi = sum(scorer.bead_vector(a, bb, i, j) for (a, bb), (i, j) in gold)
        data.append((scorer, lo, hi, gold, phi))
    print(f"{len(data)} training documents", file=sys.stderr)
    w = data[0][0].w.copy()
    total = np.zeros_like(w)
    count = 0
    rng = random.Random(0)
    for epoch in range(args.epochs):
        order = list(range(len(data)))
        rng.shuffle(order)
        wrong = 0
        for k in order:
            scorer, lo, hi, gold, phi = data[k]
            scorer.w = w
            pred = [norm(*x) for x in decode(scorer, lo, hi, params)]
            if set(pred) != set(gold):
                wrong += len(set(gold) - set(pred))
                phi_pred = sum(scorer.bead_vector(a, bb, i, j) for (a, bb), (i, j) in pred)
                w = w + args.lr * (phi - phi_pred)
            total += w
            count += 1
        print(f"epoch {epoch}: {wrong} gold beads missed", file=sys.stderr)
    w_avg = total / count if count else w  # --epochs 0: calibrate the current weights
    w_avg = args.blend * w_avg + (1 - args.blend) * data[0][0].w
    print(repr(Weights.from_vector(w_avg, data[0][0].shapes)))


if __name__ == "__main__":
    main()
