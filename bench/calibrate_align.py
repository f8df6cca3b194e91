"""Fit the confidence calibration of align/calibrate.py on development cases.

    python bench/calibrate_align.py [--model use-m3] [--l2 1.0] [--write]

Data: bench/cases.py's development genres (news and general chunks of wmt-en-ru, WMT23 reviews
and manuals, our dialogue stories, all adapted with seeds 201 and 202; Text+Berg dev and our
literary texts, once), aligned with the current weights; each final bead
(after align/refine.py's passes) is right when the gold holds the very same bead. Each genre's beads weigh alike in the fit, so no genre's confidence is
bent to another's. Never the test sets.

Prints the Calibration to paste into align/calibrate.py (``--write`` puts it there itself), and
the reliability on the same beads plus a two-fold check (fit on one half of the documents, score
the other): per genre the AUC and what the weak flag marks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import bead_cells, decode, prepare
from align.calibrate import Calibration, fit_logistic, inputs
from align.dp import Params, bead_types
from align.margins import RowMemo, bead_margins
from align.refine import refine
from align.types import Bead
from bench.cases import GENRES, UNSEEDED, Doc

NOT_FITTED = ("alpine-dev",)
"""Development genres the calibration was not fitted on: the yearbook-style texts came after the
last fit (align/calibrate.py's DEFAULT_CALIBRATION, which this script reproduces without them)."""


def calibration_docs() -> list[tuple[str, Doc]]:
    """(genre, document) of every development genre but :data:`NOT_FITTED`, seeds 201 and 202
    (the UNSEEDED genres, whose gold is not adapted, once)."""
    out = []
    for genre in (g for g in GENRES if g.endswith("-dev") and g not in NOT_FITTED):
        seeds = (201,) if genre.startswith(UNSEEDED) else (201, 202)
        out += [(genre, d) for s in seeds for d in GENRES[genre](s)]
    return out


Row = tuple[int, bool, np.ndarray, bool, str]


def bead_rows(docs: list[tuple[str, Doc]], encoder: object) -> list[Row]:
    """(fold, paired?, calibration inputs, right?, genre) for every bead the aligner outputs. The
    two-fold check splits the documents by parity, and a genre of one document (Text+Berg dev)
    by halves of it, so that each genre is scored by a fit that did not see those beads."""
    single = {g for g in {x[0] for x in docs} if sum(x[0] == g for x in docs) == 1}
    params = Params()
    rows = []
    for k, (genre, d) in enumerate(docs):
        scorer, lo, hi = prepare(d.src, d.tgt, encoder, d.src_par, d.tgt_par, params)  # type: ignore[arg-type]
        memo = RowMemo(scorer.row)
        beads = [Bead(tuple(range(i - a, i)), tuple(range(j - b, j)))
                 for (a, b), (i, j) in decode(scorer, lo, hi, params, memo)]
        beads = refine(beads, d.src, d.tgt, encoder, scorer, params)  # type: ignore[arg-type]
        gold = {(b.src, b.tgt) for b in d.gold}
        cells = bead_cells(beads)
        margins = bead_margins(memo, lo, hi, bead_types(params.max_side, params.max_total),
                               scorer.skip_src, scorer.skip_tgt, cells)
        for q, (b, x) in enumerate(zip(beads, inputs(scorer, cells, margins))):
            fold = 2 * q // len(beads) if genre in single else k % 2
            rows.append((fold, bool(b.src and b.tgt), x, (b.src, b.tgt) in gold, genre))
    return rows


def fit(rows: list[Row], l2: float) -> Calibration:
    count: dict[str, int] = {}
    for r in rows:
        count[r[4]] = count.get(r[4], 0) + 1
    parts = {}
    for paired in (True, False):
        sel = [r for r in rows if r[1] == paired]
        X = np.stack([r[2] for r in sel])
        y = np.array([float(r[3]) for r in sel])
        weight = np.array([len(rows) / len(count) / count[r[4]] for r in sel])
        parts[paired] = fit_logistic(X, y, l2, weight)
    return Calibration(pair=parts[True], omission=parts[False])


def table(pairs: list[tuple[float, bool]]) -> str:
    lines = []
    for lo, hi in ((0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)):
        inside = [ok for c, ok in pairs if lo <= c < hi]
        if inside:
            lines.append(f"  {lo:.2f}-{min(hi, 1):.2f}: {len(inside):5d} beads, right {np.mean(inside):.3f}")
    return "\n".join(lines)


def auc(pairs: list[tuple[float, bool]]) -> float:
    """The chance that a wrong bead's confidence is below a right one's (ties count half)."""
    c = np.array([x for x, _ in pairs])
    ok = np.array([y for _, y in pairs], dtype=bool)
    if ok.all() or not ok.any():
        return float("nan")
    ranks = np.empty(len(c))
    ranks[np.argsort(c, kind="stable")] = np.arange(1, len(c) + 1)
    _, group = np.unique(c, return_inverse=True)
    ranks = (np.bincount(group, ranks) / np.bincount(group))[group]  # ties: their mean rank
    n_ok = int(ok.sum())
    return float((ranks[ok].sum() - n_ok * (n_ok + 1) / 2) / (n_ok * (len(c) - n_ok)))


def confidences(cal: Calibration, rows: list[Row]) -> list[tuple[float, bool]]:
    return [(cal.probability(x, paired), ok) for _, paired, x, ok, _ in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", default="use-m3", help="encoder spec (see bench/align.py)")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the logistic fits")
    ap.add_argument("--write", action="store_true",
                    help="replace DEFAULT_CALIBRATION in align/calibrate.py with the fit")
    args = ap.parse_args()
    import runpy

    load = runpy.run_path(str(ROOT / "bench" / "align.py"), run_name="align_bench")["load"]
    encoder = load(args.model, True)
    docs = calibration_docs()
    rows = bead_rows(docs, encoder)
    cal = fit(rows, args.l2)
    print(f"{len(rows)} beads, {sum(not r[3] for r in rows)} wrong", file=sys.stderr)
    half = [[r for r in rows if r[0] == f] for f in (0, 1)]
    cross = confidences(fit(half[1], args.l2), half[0]) + confidences(fit(half[0], args.l2), half[1])
    print("two-fold (fit on one half of the documents, scored on the other):\n" + table(cross),
          file=sys.stderr)
    sure = [(r[1], r[3]) for r, (c, _) in zip(rows, confidences(cal, rows)) if c >= 0.9]
    print(f"confidence >= 0.9 (fitted on all): {len(sure)} beads, right {np.mean([ok for _, ok in sure]):.3f};"
          f" wrong pairs {sum(p and not ok for p, ok in sure)}, wrong omissions"
          f" {sum(not p and not ok for p, ok in sure)}", file=sys.stderr)
    genres = sorted({r[4] for r in rows})
    print("AUC per genre, two-fold (wrong beads ranked below right ones): " + ", ".join(
        f"{g} {auc([(c, ok) for r, (c, ok) in zip(half[0] + half[1], cross) if r[4] == g]):.3f}"
        for g in genres), file=sys.stderr)
    print("weak flag per genre, two-fold (flagged share / wrong caught):", file=sys.stderr)
    for t in (0.75, 0.8, 0.85, 0.9):
        cells = []
        for g in genres:
            got = [(c, ok) for r, (c, ok) in zip(half[0] + half[1], cross) if r[4] == g]
            flagged = [ok for c, ok in got if c < t]
            wrong = sum(not ok for _, ok in got)
            cells.append(f"{g} {len(flagged) / len(got):.3f}/{sum(not ok for ok in flagged) / max(wrong, 1):.2f}")
        print(f"  < {t:.2f}: " + ", ".join(cells), file=sys.stderr)
    print(f"DEFAULT_CALIBRATION = {cal!r}")
    if args.write:
        write(cal, ROOT / "align" / "calibrate.py")


def write(cal: Calibration, path: Path) -> None:
    """Put ``cal`` in place of the DEFAULT_CALIBRATION assignment in ``path`` (the comment above
    it, with the numbers of the last fit, is the committer's to update)."""
    import re
    import textwrap

    def wrapped(name: str, coefs: tuple[float, ...]) -> str:
        body = textwrap.fill(", ".join(map(repr, coefs)), 98 - 4 - len(name),
                             subsequent_indent=" " * (len(name) + 6))
        return f"    {name}=({body})"

    text = path.read_text(encoding="utf-8")
    new = ("DEFAULT_CALIBRATION = Calibration(\n" + wrapped("pair", cal.pair) + ",\n"
           + wrapped("omission", cal.omission) + ")\n")
    out, n = re.subn(r"^DEFAULT_CALIBRATION = Calibration\(.*?\)\)\n", new, text,
                     flags=re.DOTALL | re.MULTILINE)
    if n != 1:
        sys.exit(f"bench/calibrate_align.py: no single DEFAULT_CALIBRATION in {path}")
    path.write_text(out, encoding="utf-8")
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
