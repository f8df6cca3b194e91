"""A serving worker notices what another process adds to the same memory (no restart)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tm.store import TM, DocumentIn, UnitIn
from tm.vectors import embed as vectors
from tm.vectors import model as encoder

DIM = 8
FERRY = ("A night ferry now crosses the lake.", "Ночной паром теперь пересекает озеро.")


class Fake:
    """Every query is the first axis: the units stored along it are its nearest neighbours."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        out[:, 0] = 1
        return out


def _axis(n: int, axis: int) -> np.ndarray:
    rows = np.zeros((n, DIM), dtype=np.int8)
    rows[:, axis] = 127
    return rows


@pytest.fixture()
def indexed(memory: Path, monkeypatch) -> Path:
    monkeypatch.setattr(encoder, "load_encoder", lambda model: Fake())
    with TM.open(memory) as tm:
        ids = [u.id for u in tm.iter_units()]
        tm.set_setting("embedding_model", "fake")
        tm.set_setting("embedding_dim", str(DIM))
        vectors.store_vectors(tm, ids, _axis(len(ids), 1))
    return memory


def _add_story(db: Path) -> int:
    """What `diptych add` does from another process: a document, its units, their vectors."""
    with TM.open(db) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Lake news", fingerprint="lake"))
        tm.add_units([UnitIn(*FERRY, score=0.9)], document=doc, origin="aligned")
        (unit_id,) = tm.find_exact(FERRY[0], "en")
        vectors.store_vectors(tm, [unit_id], _axis(1, 0))
    return unit_id


def test_semantic_search_finds_a_story_added_by_another_process(client_for, indexed: Path,
                                                                monkeypatch) -> None:
    from tm.web.backend import Backend

    monkeypatch.setattr(Backend, "RECHECK", 0.0)
    client = client_for(indexed)
    params = {"q": "boats on water", "mode": "semantic", "limit": 1}
    before = client.get("/api/search", params=params).json()["hits"]
    assert before and before[0]["en"] != FERRY[0]  # the index is loaded now
    live = client.app.app.state.backend._live
    assert live.loads == 1
    unit_id = _add_story(indexed)
    (hit,) = client.get("/api/search", params=params).json()["hits"]
    assert (hit["id"], hit["doc"]) == (unit_id, "Lake news")
    assert live.loads == 1  # the new vector was read on its own, beside the loaded index
    # its vector dropped by an edit elsewhere: no longer found by meaning
    with TM.open(indexed) as tm:
        tm.delete_vectors([unit_id])
    assert client.get("/api/search", params=params).json()["hits"][0]["id"] != unit_id


def test_changes_are_looked_for_at_most_every_recheck_seconds(indexed: Path,
                                                             monkeypatch) -> None:
    from tm.web.backend import Backend

    backend = Backend(indexed)
    monkeypatch.setattr(Backend, "RECHECK", 3600.0)
    backend.search("boats on water", mode="semantic", limit=1)
    unit_id = _add_story(indexed)
    assert backend.search("boats", mode="semantic", limit=1)[0]["id"] != unit_id
    monkeypatch.setattr(Backend, "RECHECK", 0.0)
    assert backend.search("boats", mode="semantic", limit=1)[0]["id"] == unit_id

