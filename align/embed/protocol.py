"""The encoder interface: sentences in, L2-normalised float32 rows out (cosine = dot product).

numpy is imported where it is used, so ``from align.embed import Encoder`` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Encoder", "SpanEncoder", "normalise", "span_embeddings", "typical_spread"]


@runtime_checkable
class Encoder(Protocol):
    """Maps sentences to L2-normalised float32 vectors ``[n, dim]``."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class SpanEncoder(Encoder, Protocol):
    """An encoder that embeds all runs of up to ``max_span`` consecutive sentences cheaply."""

    def encode_spans(self, texts: Sequence[str], max_span: int) -> list[np.ndarray]: ...


def typical_spread(encoder: Encoder) -> float | None:
    """How much closer a translation is than a random pair, for this encoder (an optional
    ``spread`` attribute: the median cosine of a gold 1-1 pair minus the mean cosine of all
    pairs, measured on the dev sets); None when the encoder does not say."""
    spread = getattr(encoder, "spread", None)
    return float(spread) if isinstance(spread, (int, float)) and spread > 0 else None


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit: np.ndarray = x / np.maximum(norms, 1e-12)
    return unit


def span_embeddings(encoder: Encoder, texts: Sequence[str], max_span: int) -> list[np.ndarray]:
    """Embeddings of every run of k consecutive sentences, k = 1..max_span.

    Element ``k - 1`` has ``max(n - k + 1, 0)`` rows; row ``i`` embeds ``texts[i:i + k]`` joined
    by spaces. Span-capable encoders do it in one pass; others encode the joined texts.
    """
    import numpy as np

    if isinstance(encoder, SpanEncoder):
        return encoder.encode_spans(texts, max_span)
    out = [encoder.encode(texts) if texts else np.zeros((0, encoder.dim), np.float32)]
    for k in range(2, max_span + 1):
        joined = [" ".join(texts[i : i + k]) for i in range(len(texts) - k + 1)]
        out.append(encoder.encode(joined) if joined else np.zeros((0, encoder.dim), np.float32))
    return out
