"""Unit embeddings for semantic search: computing them (``diptych index``).

Each unit has one vector: the normalised sum of its English and Russian sentence embeddings,
stored as int8 (``round(127 * v)``) in the ``embeddings`` table, so a query in either language
lands near it. The encoder's name and dimension are kept in ``settings``; a TM indexed with one
model is never searched with another.

From :data:`tm.vectors.ann.ANN_MIN` vectors on, ``index`` also builds the IVF side files that
:class:`tm.vectors.ann.VectorSearch` reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tm.errors import TMError
from tm.store import TM
from tm.vectors import ivf
from tm.vectors.ann import ANN_MIN, build_ann, remove_ann, uncovered
from tm.vectors.model import DEFAULT_MODEL

if TYPE_CHECKING:
    from align.embed import Encoder


def unit_vectors(encoder: Encoder, en: Sequence[str], ru: Sequence[str]) -> np.ndarray:
    """int8 vectors [n, dim]: normalised sum of both sides' embeddings, times 127."""
    both = encoder.encode(list(en) + list(ru))
    v = both[: len(en)] + both[len(en):]
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    return ivf.quantize(v)


def query_vector(encoder: Encoder, text: str) -> np.ndarray:
    """float32 [dim] unit vector of a query."""
    v = np.asarray(encoder.encode([text])[0], dtype=np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def check_model(tm: TM, model: str, dim: int | None = None) -> None:
    """Record the model on first use; refuse mixing models in one TM."""
    stored = tm.get_setting("embedding_model")
    if stored is None:
        if dim is not None:
            with tm.transaction():
                tm.set_setting("embedding_model", model)
                tm.set_setting("embedding_dim", str(dim))
        return
    if stored != model:
        raise TMError(f"{tm.shown} is indexed with model {stored!r}, not {model!r}: search with "
                      f"--model {stored}, or re-index with `diptych index --rebuild --model "
                      f"{model}`")


def store_vectors(tm: TM, ids: Sequence[int], vecs: np.ndarray) -> None:
    tm.store_vectors(zip(ids, (row.tobytes() for row in vecs)))


def embed_units(tm: TM, encoder: Encoder, model: str, ids: Sequence[int]) -> int:
    """Compute and store the vectors of the given units (``add`` does this for its units)."""
    units = tm.get_units(ids)
    if not units:
        return 0
    keys = list(units)
    vecs = unit_vectors(encoder, [units[i].en for i in keys], [units[i].ru for i in keys])
    check_model(tm, model, vecs.shape[1])
    store_vectors(tm, keys, vecs)
    return len(keys)


def coverage(tm: TM) -> tuple[int, int]:
    """(units with a vector, units)."""
    return tm.count_vectors(), tm.count_units()


@dataclass(frozen=True)
class IndexResult:
    embedded: int
    total: int
    ann: int | None  # vectors in the IVF side files, if they were (re)built


def index(tm: TM, encoder: Encoder, model: str = DEFAULT_MODEL, *, batch: int = 256,
          rebuild: bool = False, ann: bool | None = None,
          progress: Callable[[int, int], None] | None = None) -> IndexResult:
    """Embed every unit that has no vector yet, committing each batch (so it is resumable).

    ``progress(done, todo)`` is called after each batch. ``ann`` builds the IVF side files
    (default: when the TM has at least :data:`ANN_MIN` vectors).
    """
    if rebuild:
        with tm.transaction():
            tm.delete_vectors()
            tm.delete_settings("embedding_")
        remove_ann(tm)
    check_model(tm, model)
    have, total = coverage(tm)
    todo, done = total - have, 0
    if progress is not None:
        progress(0, todo)
    for rows in tm.missing_vectors(batch):
        vecs = unit_vectors(encoder, [r[1] for r in rows], [r[2] for r in rows])
        check_model(tm, model, vecs.shape[1])
        store_vectors(tm, [r[0] for r in rows], vecs)
        done += len(rows)
        if progress is not None:
            progress(done, todo)
    have, total = coverage(tm)
    built = None
    if tm.vectors_in_database:  # searched by the database's own index (tm.store.postgres)
        if have:
            built = tm.build_vector_index()
    elif ann if ann is not None else (have >= ANN_MIN and uncovered(tm) > 0):
        built = build_ann(tm)
    return IndexResult(done, total, built)
