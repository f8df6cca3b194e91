"""Sentence encoders: the embedded default (USE multilingual v3) and sentence-transformers models.

May import align.errors only; each encoder's library (numpy, sentence-transformers) loads lazily.

Every encoder maps sentences to L2-normalised float32 rows, so cosine similarity is a dot product.
``load_encoder("use-m3")`` needs no download; ``load_encoder("st:NAME_OR_PATH")`` runs a
sentence-transformers model (extra ``diptych[st]``). Embeddings are cached on disk
(:mod:`align.embed.cache`), so aligning the same text again costs no model time, and a fully
cached run loads no model at all.

>>> enc = load_encoder("use-m3")  # doctest: +SKIP
>>> enc.encode(["Hello.", "Привет."]).shape  # doctest: +SKIP
(2, 512)

Importing this package is light (no numpy): each encoder's module loads when it is asked for.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.embed.cache import EmbeddingCache, default_cache_dir
from align.embed.protocol import Encoder, SpanEncoder, span_embeddings, typical_spread
from align.errors import EncoderError

if TYPE_CHECKING:
    from align.embed.st import SentenceTransformerEncoder
    from align.embed.usem3 import UseM3Encoder

__all__ = [
    "DEFAULT_MODEL",
    "ENCODERS",
    "EmbeddingCache",
    "Encoder",
    "SentenceTransformerEncoder",
    "SpanEncoder",
    "UseM3Encoder",
    "default_cache_dir",
    "load_encoder",
    "span_embeddings",
    "typical_spread",
]

DEFAULT_MODEL = "use-m3"
"""The encoder every command uses unless ``--model`` names another."""

ENCODERS: dict[str, tuple[str, str]] = {
    # spec -> ("module:factory", what it is). "PREFIX:ARG" specs pass ARG to the factory, which
    # is called as factory(arg, threads=..., cache=...) and returns an Encoder.
    "use-m3": ("align.embed.usem3:load", "the embedded default, USE multilingual v3"),
    "st:NAME_OR_PATH": ("align.embed.st:load", "a sentence-transformers model"),
    "e5": ("align.embed.e5:load", "multilingual-e5-small, bundled in diptych[e5]"),
    "use-m3+e5": ("align.embed.e5:load_combined",
                  "use-m3 and e5 together (diptych[e5]; better retrieval, several times slower)"),
    "use-m3+e5:WEIGHT": ("align.embed.e5:load_combined", "the same with e5's weight, e.g. 0.5"),
    "accurate": ("align.embed.e5:load_combined", "another name for use-m3+e5"),
}
"""The encoders ``load_encoder`` knows; adding one is one line here plus its module."""

_LAZY = {"UseM3Encoder": "align.embed.usem3", "SentenceTransformerEncoder": "align.embed.st"}


def _resolve(spec: str) -> tuple[str, str]:
    """``(target, argument)`` for ``spec``, or an :class:`EncoderError` listing the forms."""
    for key, (target, _) in ENCODERS.items():
        prefix, colon, _ = key.partition(":")
        if not colon and spec == key:
            return target, ""
        if colon and spec.startswith(prefix + ":") and spec[len(prefix) + 1 :].strip():
            return target, spec[len(prefix) + 1 :].strip()
    forms = " or ".join(f"'{key}' ({what})" for key, (_, what) in ENCODERS.items())
    raise EncoderError(f"unknown encoder {spec!r}; use {forms}")


def load_encoder(
    spec: str = DEFAULT_MODEL,
    *,
    threads: int | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
) -> Encoder:
    """The encoder named by ``spec`` (see :data:`ENCODERS`): ``"use-m3"`` or ``"st:NAME_OR_PATH"``.

    ``threads``: BLAS threads of use-m3 while embedding (default 1). Embeddings are cached under
    ``cache_dir`` (default: :func:`default_cache_dir`) unless ``use_cache`` is false.
    """
    target, arg = _resolve(spec)
    module, _, factory = target.partition(":")
    cache = EmbeddingCache(cache_dir or default_cache_dir()) if use_cache else None
    encoder: Encoder = getattr(import_module(module), factory)(arg, threads=threads, cache=cache)
    return encoder


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'align.embed' has no attribute {name!r}")
