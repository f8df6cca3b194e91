"""A corrected alignment into the memory: the alignment editor's save, as a service.

The editor's state is two lists of sentences and the beads pairing them (0-based sentence
indices, as :class:`align.types.Bead`). Each bead with text on both sides becomes a unit, its
sentences joined by a space (as :meth:`align.types.Alignment.pairs` joins them): a bead the
editor changed gets origin ``edited`` and no aligner score, an untouched one origin ``aligned``
and its score. One-sided beads (omissions) are not units.

- :func:`store_beads`: a new document with its units, one transaction.
- :func:`replace_beads`: a stored document's units and links replaced, one transaction; units
  no document holds any more are deleted (no duplicate left); :func:`undo_replace` undoes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.embed import DEFAULT_MODEL
from tm.errors import TMError
from tm.store import TM, DocumentIn, Origin, UnitIn, Written

if TYPE_CHECKING:
    import numpy as np

    from align.embed import Encoder

MAX_SENTENCES = 5_000
WAIT_MS = 250
"""How long each try to start a save waits for another writer (a long import): the editor says
"locked, nothing lost" within seconds instead of hanging for minutes."""


@dataclass(frozen=True)
class EditedBead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = None
    edited: bool = False


@dataclass(frozen=True)
class BeadsRequest:
    """An edited alignment and the document it is (or becomes)."""

    src: tuple[str, ...]
    tgt: tuple[str, ...]
    beads: tuple[EditedBead, ...]
    title: str | None = None
    url: str | None = None
    date: str | None = None
    fingerprint: str | None = None
    en_path: str | None = None
    ru_path: str | None = None
    version: int | None = None
    """The document's version the editor read (None: no check)."""
    seen: tuple[tuple[int, int], ...] | None = None
    """``(unit id, version)`` of each unit the editor read (None: no check)."""

    def __post_init__(self) -> None:
        """Control characters dropped from every sentence and the title (the editor is a way
        in like any other); an empty sentence stays (it is an omission)."""
        from align.clean import clean_text
        from tm.service.requests import clean_title

        object.__setattr__(self, "src", tuple(clean_text(s) for s in self.src))
        object.__setattr__(self, "tgt", tuple(clean_text(s) for s in self.tgt))
        object.__setattr__(self, "title", clean_title(self.title))
        object.__setattr__(self, "url", clean_title(self.url))


def check_beads(req: BeadsRequest) -> None:
    """Every sentence in exactly one bead, no empty bead: else a :class:`TMError`. The order
    is free: the editor links sentences across it (two that swapped places make a bead of
    their own)."""
    if len(req.src) > MAX_SENTENCES or len(req.tgt) > MAX_SENTENCES:
        raise TMError(f"too many sentences (at most {MAX_SENTENCES} a side)")
    for side, n, seen in (("English", len(req.src), [i for b in req.beads for i in b.src]),
                          ("Russian", len(req.tgt), [j for b in req.beads for j in b.tgt])):
        if sorted(seen) != list(range(n)):
            raise TMError(f"the beads do not cover the {side} sentences once each: reload the"
                          " editor")
    if any(not b.src and not b.tgt for b in req.beads):
        raise TMError("a bead with no sentence on either side: reload the editor")


def bead_units(req: BeadsRequest) -> list[tuple[UnitIn, Origin]]:
    """The units of the beads with text on both sides, in order, with their origins."""
    check_beads(req)
    out: list[tuple[UnitIn, Origin]] = []
    for b in req.beads:
        en = " ".join(req.src[i].strip() for i in b.src).strip()
        ru = " ".join(req.tgt[j].strip() for j in b.tgt).strip()
        if en and ru:
            out.append((UnitIn(en, ru, score=None if b.edited else b.score),
                        "edited" if b.edited else "aligned"))
    if not out:
        raise TMError("no bead has text on both sides: nothing to store")
    return out


SAME_STORY = 0.5
"""A new alignment is the story of a stored document when that document holds at least this
share of its units' English sentences (a story saved once from HTML and again from text shares
nearly all of them; two stories of one news day share a headline or a quote, far under half)."""


@dataclass(frozen=True)
class StoredCopy:
    doc_id: int
    title: str | None
    shared: int
    units: int

    def message(self) -> str:
        name = f"“{self.title}”" if self.title else ""
        return (f"this story is in the memory already: document {self.doc_id} {name} holds"
                f" {self.shared} of its {self.units} units; replace that document, or save this"
                " as a new one").replace("  ", " ")


def stored_copy(tm: TM, req: BeadsRequest) -> StoredCopy | None:
    """The stored document that already holds this story (the same pair's fingerprint, or
    :data:`SAME_STORY` of its units' English sentences), else None."""
    from collections import Counter

    units = bead_units(req)
    doc_id = tm.find_document(req.fingerprint) if req.fingerprint else None
    if doc_id is not None:
        doc = tm.get_document(doc_id)
        return StoredCopy(doc_id, doc.title if doc else None, len(units), len(units))
    held: Counter[int] = Counter()
    for u, _ in units:
        ids = tm.find_exact(u.en, "en")
        held.update({d for unit in tm.get_units(ids).values() for d, _ in unit.docs})
    if not held:
        return None
    doc_id, shared = held.most_common(1)[0]
    if shared < SAME_STORY * len(units):
        return None
    doc = tm.get_document(doc_id)
    return StoredCopy(doc_id, doc.title if doc else None, shared, len(units))


def _vectors(tm: TM, units: Sequence[tuple[UnitIn, Origin]], encoder: Encoder | None,
             model: str) -> np.ndarray | None:
    """Vectors of the units (before any write: the memory stays free while the encoder runs),
    or None without an encoder or when the memory is indexed with another model."""
    if encoder is None or tm.get_setting("embedding_model") not in (None, model):
        return None
    from tm.vectors.embed import unit_vectors

    return unit_vectors(encoder, [u.en for u, _ in units], [u.ru for u, _ in units])


def _store_vectors(tm: TM, written: Written, vectors: np.ndarray | None, model: str) -> None:
    from tm.vectors.embed import check_model, store_vectors

    if vectors is None:
        return
    rows = [i for i, (_, new) in enumerate(written.linked) if new]
    if rows:
        check_model(tm, model, vectors.shape[1])
        store_vectors(tm, [written.linked[i][0] for i in rows], vectors[rows])


def store_beads(tm: TM, req: BeadsRequest, *, encoder: Encoder | None = None,
                model: str = DEFAULT_MODEL, wait_ms: int = WAIT_MS) -> Written:
    """Store the beads as a new document (with its metadata) in one transaction."""
    from tm.text.dates import check_date

    check_date(req.date, "date")
    units = bead_units(req)
    vectors = _vectors(tm, units, encoder, model)
    doc = DocumentIn(title=req.title, url=req.url, date=req.date, en_path=req.en_path,
                     ru_path=req.ru_path, fingerprint=req.fingerprint,
                     meta={"saved_by": "editor"})
    with tm.patience(wait_ms), tm.transaction():
        written = tm.store_document(doc, units)
        _store_vectors(tm, written, vectors, model)
    return written


def replace_beads(tm: TM, doc_id: int, req: BeadsRequest, *, encoder: Encoder | None = None,
                  model: str = DEFAULT_MODEL, wait_ms: int = WAIT_MS) -> Written:
    """Replace the units of document ``doc_id`` by the beads', and its title, URL and date by
    the request's where it gives them, in one transaction (undoable)."""
    from tm.text.dates import check_date

    check_date(req.date, "date")
    units = bead_units(req)
    vectors = _vectors(tm, units, encoder, model)
    with tm.patience(wait_ms), tm.transaction():
        written = tm.replace_document(doc_id, units, title=req.title, url=req.url,
                                      date=req.date, version=req.version,
                                      seen=None if req.seen is None else dict(req.seen))
        _store_vectors(tm, written, vectors, model)
    return written


def undo_replace(tm: TM, doc_id: int, *, wait_ms: int = WAIT_MS,
                 version: int | None = None) -> Written:
    """Give document ``doc_id`` back the units it had before its last replacement."""
    with tm.patience(wait_ms):
        return tm.undo_replace(doc_id, version)
