"""PostgreSQL's bulk paths (issue 19, the million-unit scale run): units by COPY with the text
indexes built after the load, vectors by binary COPY with the HNSW index built after it. They
answer as the row-by-row paths and SQLite do, and a failed load leaves the memory as it was."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tm.search.searcher import Searcher
from tm.store import TM, UnitIn

EN = ["oil", "gas", "price", "market", "budget", "border", "migrant", "weather", "machine", "report", "minister", "court", "bank", "rate", "growth", "export", "import", "election", "vote", "city", "river", "bridge", "train"]
RU = ["нефть", "газ", "цена", "рынок", "бюджет", "граница", "мигрант", "погода", "станок", "отчёт", "министр", "суд", "банк", "ставка", "рост", "экспорт", "импорт", "выборы", "голос", "город", "река", "мост", "поезд"]


def units(n: int, seed: int = 3) -> list[UnitIn]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        picks = rng.sample(range(len(EN)), 6)
        out.append(UnitIn(" ".join(EN[p] for p in picks) + f" {i}.",
                          " ".join(RU[p] for p in picks) + f" {i}."))
    return out


def indexes(tm: TM) -> set[str]:
    return {str(r[0]) for r in tm.conn.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}


def index_oids(tm: TM) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in tm.conn.execute(
        "SELECT relname, oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
        " AND relkind = 'i'")}


def test_a_bulk_load_answers_as_sqlite_and_keeps_its_indexes(tmp_path: Path,
                                                              pg_uri: str) -> None:
    many = units(1500)  # over the COPY thresholds of tm.store.postgres
    answers = []
    for where in (str(tmp_path / "t.db"), pg_uri):
        with TM.open(where) as tm:
            before = index_oids(tm) if where == pg_uri else {}
            assert tm.add_units(many).added == 1500
            s = Searcher(tm)
            got = []
            for u in many[::150]:
                words = u.en.split()
                got.append([(h.unit.id, h.match) for h in s.search(
                    " ".join(words[:3] + words[4:]), mode="fuzzy", lang="en", limit=5)])
                got.append([h.unit.id for h in s.search(
                    " ".join(u.ru.split()[1:3]), mode="concordance", lang="ru", limit=5)])
                got.append([h.unit.id for h in s.search(u.en, mode="exact", lang="en")])
            answers.append(got)
            if where == pg_uri:  # dropped for the load, built again before its commit
                after = index_oids(tm)
                for name in ("units_en_terms", "units_ru_terms"):
                    assert name in after and after[name] != before[name]
    assert answers[0] == answers[1]


def test_a_failed_bulk_load_leaves_the_memory_and_its_indexes(pg_uri: str) -> None:
    def broken() -> Iterator[UnitIn]:
        yield from units(1200)
        raise ValueError("the source broke")

    with TM.open(pg_uri) as tm:
        with pytest.raises(ValueError):
            tm.add_units(broken(), batch=600)
        assert tm.count_units() == 0
        assert {"units_en_terms", "units_ru_terms"} <= indexes(tm)
        assert tm.add_units(units(10)).added == 10


def test_bulk_vectors_round_trip_and_the_index_is_built_after(pg_uri: str) -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(1200, 64)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    vecs = np.clip(np.rint(v * 127), -127, 127).astype(np.int8)
    with TM.open(pg_uri) as tm:
        tm.add_units(units(1200))
        tm.set_setting("embedding_dim", "64")
        tm.store_vectors((i + 1, vecs[i].tobytes()) for i in range(1200))  # one bulk store
        assert tm.vectors_after(0) == [(i + 1, vecs[i].tobytes()) for i in range(1200)]
        assert not tm.has_vector_index()
        assert tm.build_vector_index() == 1200
        assert tm.has_vector_index()
        mat = vecs.astype(np.float32) / 127
        for i in (0, 599, 1199):
            (unit_id, sim), = tm.nearest_vectors([float(x) for x in mat[i]], 1)
            assert unit_id == i + 1
            assert sim == pytest.approx(float(mat[i] @ mat[i]), abs=1e-4)
        tm.delete_vectors()  # all: the index goes with them, rebuilt after the next load
        assert not tm.has_vector_index() and not tm.has_vectors()
