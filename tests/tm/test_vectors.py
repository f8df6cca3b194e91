"""Unit vectors (tm.vectors.embed: ``index``) and their search (tm.vectors.ann: IVF side files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tm.errors import TMError
from tm.store import TM, UnitIn
from tm.vectors import ann
from tm.vectors import embed as vectors

PAIRS = [
    ("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
    ("The weather will be sunny tomorrow.", "Завтра будет солнечная погода."),
    ("The government approved the new budget.", "Правительство одобрило новый бюджет."),
    ("Press the red button to stop the machine.", "Нажмите красную кнопку, чтобы остановить станок."),
]


@pytest.fixture()
def tm(tmp_path: Path):
    with TM.open(tmp_path / "t.db") as store:
        store.add_units([UnitIn(e, r) for e, r in PAIRS])
        yield store


def test_unit_vectors_are_int8_unit_rows(encoder) -> None:
    import numpy as np

    v = vectors.unit_vectors(encoder, ["Hello.", "Rain."], ["Привет.", "Дождь."])
    assert v.dtype == np.int8 and v.shape == (2, 512)
    norms = np.linalg.norm(v.astype(np.float32) / 127, axis=1)
    assert np.allclose(norms, 1.0, atol=0.02)


def test_ivf_side_files_give_the_same_nearest_units(tm: TM, encoder) -> None:
    result = vectors.index(tm, encoder, ann=True)
    assert result.ann == len(PAIRS) and ann.ann_path(tm).exists()
    tm.add_units([UnitIn("A late unit about football.", "Поздняя запись о футболе.")])
    vectors.index(tm, encoder, ann=False)  # embedded, but not in the side file
    vs = ann.VectorSearch(tm)
    q = vectors.query_vector(encoder, "Нажмите красную кнопку, чтобы остановить станок.")
    assert vs.search(q, 1)[0][0] == 4
    q = vectors.query_vector(encoder, "Football news.")
    assert vs.search(q, 1)[0][0] == len(PAIRS) + 1  # found in the exact (delta) part


def test_index_is_resumable_and_refuses_another_model(tm: TM, encoder) -> None:
    first = vectors.index(tm, encoder)
    assert (first.embedded, first.total) == (len(PAIRS), len(PAIRS))
    assert vectors.index(tm, encoder).embedded == 0
    with pytest.raises(TMError, match="indexed with model"):
        vectors.index(tm, encoder, model="st:other")


def test_ivf_lists_find_what_exact_search_finds(tmp_path: Path) -> None:
    """3,000 clustered vectors, IVF side files: nearly every top-1 agrees with brute force."""
    import numpy as np

    from tm.vectors import ivf

    rng = np.random.default_rng(1)
    centres = ivf.normalize(rng.normal(size=(30, 64)))
    vecs = ivf.normalize(centres[rng.integers(0, 30, 3000)] + 0.08 * rng.normal(size=(3000, 64)))
    with TM.open(tmp_path / "v.db") as tm:
        tm.add_units([UnitIn(f"Sentence {i}.", f"Предложение {i}.") for i in range(3000)])
        vectors.check_model(tm, "test", 64)
        vectors.store_vectors(tm, list(range(1, 3001)), ivf.quantize(vecs))
        assert ann.build_ann(tm) == 3000
        vs = ann.VectorSearch(tm)
        assert vs._centroids is not None and len(vs._centroids) == ivf.nlist_for(3000)
        exact = ivf.dequantize(ivf.quantize(vecs))
        queries = ivf.normalize(vecs[:100] + 0.05 * rng.normal(size=(100, 64)))
        agree = sum(vs.search(q, 1)[0][0] == int(np.argmax(exact @ q)) + 1 for q in queries)
        assert agree >= 95


def test_an_edited_unit_is_searched_by_its_new_text_beside_the_ivf_lists(tm: TM, encoder) -> None:
    """Reported by house: with IVF side files, an edited unit's new vector was not searched
    until `index --rebuild` (its id is inside the lists, which hold the old vector)."""
    vectors.index(tm, encoder, ann=True)
    weather = 2
    tm.edit_unit(weather, en="The football final ended in a draw.", ru="Финал по футболу"
                 " закончился вничью.")
    old_meaning = vectors.query_vector(encoder, "The weather will be sunny tomorrow.")
    new_meaning = vectors.query_vector(encoder, "Football final: a draw.")
    assert weather not in [i for i, _ in ann.VectorSearch(tm).search(old_meaning, 4)]  # stale
    before = ann.uncovered(tm)  # the edit dropped the vector: nothing to search until index
    vectors.index(tm, encoder, ann=False)  # what `diptych index` does below ANN_MIN vectors
    assert ann.uncovered(tm) == before + 1  # at ANN_MIN and more, `index` rebuilds the lists
    import numpy as np

    vs = ann.VectorSearch(tm)
    assert vs.search(new_meaning, 1)[0][0] == weather
    ((_, raw),) = tm.vectors_after(weather - 1, 1)
    fresh = np.frombuffer(raw, dtype=np.int8).astype(np.float32) / 127.0
    for q in (old_meaning, new_meaning):  # the new vector's cosine, never the stale one's
        hits = vs.search(q, 4)
        assert [i for i, _ in hits].count(weather) == 1
        assert dict(hits)[weather] == pytest.approx(float(fresh @ q), abs=1e-5)


def test_ivf_search_probing_every_list_is_exact_search(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists read from disk into one buffer and scored in cache-sized blocks, plus the vectors
    added after the build: the k best are brute force's k best, each unit once."""
    import numpy as np

    from tm.vectors import ivf

    rng = np.random.default_rng(2)
    vecs = ivf.quantize(ivf.normalize(rng.normal(size=(1200, 48))))
    with TM.open(tmp_path / "v.db") as tm:
        tm.add_units([UnitIn(f"Sentence {i}.", f"Предложение {i}.") for i in range(1200)])
        vectors.check_model(tm, "test", 48)
        vectors.store_vectors(tm, list(range(1, 1001)), vecs[:1000])
        ann.build_ann(tm)
        vectors.store_vectors(tm, list(range(1001, 1201)), vecs[1000:])  # the delta part
        monkeypatch.setattr(ann, "NPROBE", 10_000)
        monkeypatch.setattr(ann, "SCAN_BYTES", 4 * 48 * 7)  # blocks of 7 rows
        vs = ann.VectorSearch(tm)
        exact = ivf.dequantize(vecs)
        for q in ivf.normalize(rng.normal(size=(20, 48))):
            got = vs.search(q, 5)
            best = np.argsort(-(exact @ q))[:5]
            assert [i for i, _ in got] == [int(b) + 1 for b in best]
            assert np.allclose([c for _, c in got], (exact @ q)[best], atol=1e-5)
        assert len({i for i, _ in vs.search(q, 2000)}) == 1200  # all of them, each once
