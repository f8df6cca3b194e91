"""Any sentence-transformers model, by hub name or local path (extra ``diptych[st]``).

torch and sentence-transformers are imported only when such an encoder is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from align.embed.cache import encode_cached
from align.embed.protocol import normalise
from align.errors import EncoderError

if TYPE_CHECKING:
    import numpy as np

    from align.embed.cache import EmbeddingCache

__all__ = ["SentenceTransformerEncoder", "load"]


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU; embeddings cached like the default encoder's."""

    def __init__(self, model: str, *, cache: EmbeddingCache | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError(
                f"encoder 'st:{model}' needs sentence-transformers; install it with:"
                " pip install 'diptych[st]' (after a CPU build of torch: see the README)"
            ) from None
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # noqa: BLE001 - HF raises many unrelated types here
            raise EncoderError(
                f"sentence-transformers model '{model}' is not available offline ({type(exc).__name__});"
                " pass a local path to the model folder, or download it where there is internet"
                " (e.g. `huggingface-cli download` or SentenceTransformer(...).save(path))"
            ) from None
        self.name = f"st:{model}"
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._raw(["x"]).shape[1])
        self._cache = cache

    def _raw(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True)
        return normalise(vecs)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_cached(self._cache, self.name, texts, self._raw, self.dim)


def load(
    model: str, *, threads: int | None = None, cache: EmbeddingCache | None = None
) -> SentenceTransformerEncoder:
    """``st:MODEL`` (the thread count is torch's own choice)."""
    return SentenceTransformerEncoder(model, cache=cache)
