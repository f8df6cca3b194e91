"""How well does an encoder tell a sentence's translation from the other sentences of the story?

    python bench/encoders.py                       # the default encoder, use-m3
    python bench/encoders.py --model st:PATH       # any sentence-transformers model (e.g. LaBSE)

For every gold 1-1 pair (Text+Berg de-fr: the 1-1 beads of the gold ladders; WMT23 ru-en news:
every segment), the share of sentences whose translation is the most similar sentence of the
other edition of the same document (top-1, both directions). The aligner cannot be surer of a
bead than the encoder is of its sentences.
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.embed import Encoder, load_encoder
from align.errors import AlignError

SHARED = ROOT.parent / "shared" / "corpora"

# (source sentences, target sentences, [(i, j) translation pairs])
Doc = tuple[list[str], list[str], list[tuple[int, int]]]


def textberg() -> Iterator[Doc]:
    """The 1-1 beads of the Text+Berg gold ladders, documents as bench/align.py reads them."""
    bench = runpy.run_path(str(ROOT / "bench" / "align.py"), run_name="align_bench")
    for doc in bench["textberg"]():
        yield doc.src, doc.tgt, [(b.src[0], b.tgt[0]) for b in doc.gold
                                 if len(b.src) == len(b.tgt) == 1]


def wmt() -> Iterator[Doc]:
    with (SHARED / "wmt23-ru-en" / "news.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            ru = [s for par in row["ru"] for s in par]
            en = [s for par in row["en"] for s in par]
            yield ru, en, [(k, k) for k in range(min(len(ru), len(en)))]


def measure(docs: Iterator[Doc], encoder: Encoder) -> dict[str, float]:
    fwd = back = total = 0
    for src, tgt, pairs in docs:
        if not pairs:
            continue
        X, Y = encoder.encode(src), encoder.encode(tgt)
        sim = X @ Y.T
        i, j = np.array(pairs).T
        fwd += int((sim[i].argmax(axis=1) == j).sum())
        back += int((sim[:, j].argmax(axis=0) == i).sum())
        total += len(pairs)
    return {"pairs": total, "fwd": fwd / total, "back": back / total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", default="use-m3", help="encoder spec, as for `diptych align --model`")
    args = ap.parse_args()
    try:
        encoder = load_encoder(args.model, use_cache=False)
    except AlignError as exc:
        sys.exit(f"bench/encoders.py: {exc}")
    table = Table(title=f"Top-1 retrieval of the translation within its document ({args.model})")
    for col in ("corpus", "pairs", "top-1 src→tgt", "top-1 tgt→src"):
        table.add_column(col, justify="left" if col == "corpus" else "right")
    for name, docs in (("Text+Berg de→fr", textberg()), ("WMT23 news ru→en", wmt())):
        m = measure(docs, encoder)
        table.add_row(name, str(m["pairs"]), f"{m['fwd']:.1%}", f"{m['back']:.1%}")
    Console().print(table)


if __name__ == "__main__":
    main()
