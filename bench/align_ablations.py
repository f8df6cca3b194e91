"""What else was tried for Text+Berg, and what it did: one table, each variant against the default.

    python bench/align_ablations.py

Text+Berg de-fr (7 documents) and the WMT23 ru-en realistic cases (seed 13) of bench/align.py,
use-m3 with an embedding cache in a temporary folder (so variants share the model time). Each
row changes one thing:

- omission cost -0.05 / +0.05: every left-out sentence costs that much more or less;
- anchors x4: shared numbers, names and marks weigh four times as much;
- char 4-grams: adds the cosine of TF-IDF weighted character 4-gram vectors (cognates, names)
  of the two spans, centred on random pairs, to each bead's score;
- centring: each edition's mean sentence embedding is removed before cosines (a known fix for
  the language offset of multilingual encoders);
- no detach / no crossed 2-2 pass: align/refine.py's second looks after the DP switched off
  (cosine margins no pair can reach).
"""

from __future__ import annotations

import contextlib
import re
import runpy
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align import aligner, scorer
from align.embed import Encoder, load_encoder, span_embeddings
from align.evaluate import score
from align.weights import DEFAULT_WEIGHTS, Weights

BENCH = runpy.run_path(str(ROOT / "bench" / "align.py"), run_name="align_bench")


def shifted(**shift: float) -> Weights:
    """The default weights with ``shift`` added to some of them (bead or skip features)."""
    return DEFAULT_WEIGHTS.replace(**{k: getattr(DEFAULT_WEIGHTS, k) + v for k, v in shift.items()})


# --- character 4-grams ---------------------------------------------------------------------------

DIM = 4096


def _gram_vectors(grams: list[Counter[str]], idf: dict[str, float]) -> np.ndarray:
    out = np.zeros((len(grams), DIM), np.float32)
    for i, g in enumerate(grams):
        for k, c in g.items():
            out[i, zlib.crc32(k.encode()) % DIM] += c * idf[k]
    return out


def _grams(text: str, n: int = 4) -> Counter[str]:
    g: Counter[str] = Counter()
    for w in re.findall(r"[^\W_]+", text.casefold()):
        w = f"<{w}>"
        g.update([w] if len(w) <= n else [w[k : k + n] for k in range(len(w) - n + 1)])
    return g


def _span_sums(X: np.ndarray, k_max: int) -> list[np.ndarray]:
    out = []
    for k in range(1, k_max + 1):
        m = max(len(X) - k + 1, 0)
        s = sum((X[o : o + m] for o in range(k)), np.zeros((m, DIM), np.float32))
        out.append(s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-9))
    return out


def lexical_scorer(weight: float) -> type[scorer.BeadScorer]:
    class Lexical(scorer.BeadScorer):
        def __init__(self, *args, **kw):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kw)
            gs = [_grams(t) for t in kw["src_text"]]
            gt = [_grams(t) for t in kw["tgt_text"]]
            df = Counter(k for g in gs + gt for k in g)
            idf = {k: float(np.log((len(gs) + len(gt)) / c)) for k, c in df.items()}
            k_max = len(self.S)
            self.LS = _span_sums(_gram_vectors(gs, idf), k_max)
            self.LT = _span_sums(_gram_vectors(gt, idf), k_max)
            rng = np.random.default_rng(0)
            a, b = self.LS[0], self.LT[0]
            pick = a[rng.integers(0, len(a), 2000)], b[rng.integers(0, len(b), 2000)]
            self.lex_mu = float(np.einsum("ij,ij->i", *pick).mean())

        def row(self, a: int, b: int, i: int, J: np.ndarray) -> np.ndarray:
            out = super().row(a, b, i, J)
            ok = J - b >= 0
            if ok.any():
                out[ok] += weight * (self.LT[b - 1][J[ok] - b] @ self.LS[a - 1][i - a] - self.lex_mu)
            return out

    return Lexical


@contextlib.contextmanager
def patched(name: str, value: object) -> Iterator[None]:
    """Swap ``align.aligner.<name>`` for the duration of one variant."""
    saved = getattr(aligner, name)
    setattr(aligner, name, value)
    try:
        yield
    finally:
        setattr(aligner, name, saved)


def centred_spans(encoder: Encoder, texts: Sequence[str], max_span: int) -> list[np.ndarray]:
    spans = span_embeddings(encoder, texts, max_span)
    mean = spans[0].mean(axis=0)
    return [(s - mean) / np.maximum(np.linalg.norm(s - mean, axis=1, keepdims=True), 1e-9)
            for s in spans]


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="diptych-ablations-")
    encoder = load_encoder("use-m3", cache_dir=Path(tmp))
    corpora = {"textberg": BENCH["textberg"](), "wmt": BENCH["wmt"]()}
    none = contextlib.nullcontext
    variants: list[tuple[str, Callable[[], contextlib.AbstractContextManager[None]], Weights]] = [
        ("default", none, DEFAULT_WEIGHTS),
        ("omission cost -0.05", none, shifted(skip_src=0.05, skip_tgt=0.05)),
        ("omission cost +0.05", none, shifted(skip_src=-0.05, skip_tgt=-0.05)),
        ("anchors x4", none, shifted(anchors=3 * DEFAULT_WEIGHTS.anchors)),
        ("char 4-grams, weight 0.1", lambda: patched("BeadScorer", lexical_scorer(0.1)),
         DEFAULT_WEIGHTS),
        ("char 4-grams, weight 0.4", lambda: patched("BeadScorer", lexical_scorer(0.4)),
         DEFAULT_WEIGHTS),
        ("centring", lambda: patched("span_embeddings", centred_spans), DEFAULT_WEIGHTS),
        ("no detach pass", none, DEFAULT_WEIGHTS.replace(detach_margin=2.0)),
        ("no crossed 2-2 pass", none, DEFAULT_WEIGHTS.replace(merge_margin=2.0)),
    ]
    table = Table(title="Aligner variants (use-m3): Text+Berg strict P / R / F1, lax F1; WMT strict F1")
    for col in ("variant", "TB P", "TB R", "TB F1", "TB lax F1", "WMT F1"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for name, ctx, w in variants:
        res = {}
        with ctx():
            for key, docs in corpora.items():
                tests = [aligner.align_sentences(d.src, d.tgt, encoder, src_paragraphs=d.src_par,
                                                 tgt_paragraphs=d.tgt_par, weights=w)
                         for d in docs]
                res[key] = score([d.gold for d in docs], tests)
        tb, wm = res["textberg"], res["wmt"]
        table.add_row(name, f"{tb.strict.precision:.3f}", f"{tb.strict.recall:.3f}",
                      f"{tb.strict.f1:.3f}", f"{tb.lax.f1:.3f}", f"{wm.strict.f1:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()
