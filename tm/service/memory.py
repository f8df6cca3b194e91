"""What the memory holds, and changing it: add, index, stats, documents, edit, undo, delete.

Every function that writes runs in one transaction of the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tm.errors import NotFound, TMError
from tm.ingest.batch import BatchSummary, PairJob, read_pairs, run_batch
from tm.ingest.pairs import AddResult, add_pair
from tm.service.lookup import refit_terms_later
from tm.service.requests import (
    AddRequest,
    BatchRequest,
    DocumentDeleted,
    EditRequest,
    IndexRequest,
)
from tm.service.stats import Stats, collect
from tm.store import TM, Document, Earlier, Unit
from tm.text.dates import check_date

if TYPE_CHECKING:
    from align.embed import Encoder
    from tm.vectors.embed import IndexResult


def add(tm: TM, req: AddRequest, *,
        encoder: Encoder | None = None) -> tuple[AddResult, tuple[str, ...]]:
    """Align one article pair and store it (nothing when it is already stored); returns what
    was stored and the aligner's warnings."""
    from tm.vectors.model import load_encoder

    check_date(req.date, "--date")
    done = add_pair(tm, req.en, req.ru, encoder=encoder or load_encoder(req.model),
                    model=req.model, min_score=req.min_score, title=req.title, url=req.url,
                    date=req.date, timeout=req.timeout, max_bytes=req.max_bytes,
                    keep_weak=req.keep_weak)
    refit_terms_later(tm)
    return done


def add_batch(tm: TM, req: BatchRequest, *,
              progress: Callable[[PairJob, str], None] | None = None) -> BatchSummary:
    """Align and store every pair of a pair list, resumably (see :mod:`tm.ingest.batch`), or
    share it with workers on other machines (:mod:`tm.ingest.shared`)."""
    shared = req.shared if req.shared is not None else tm.store.shared_batches
    if req.lease is not None and not shared:
        raise TMError("--lease is for a list shared by several workers (--shared, the default"
                      " on PostgreSQL); a run --alone claims nothing")
    try:
        if shared:
            from tm.ingest.batch import WorkerOptions
            from tm.ingest.shared import LEASE, job_key, run_shared

            options = WorkerOptions(req.model, tm.fingerprints(), req.min_score, req.timeout,
                                    req.max_bytes, keep_weak=req.keep_weak)
            return run_shared(tm, read_pairs(req.pairs), job_key(req.pairs), options,
                              lease=req.lease or LEASE, progress=progress)
        return run_batch(tm, read_pairs(req.pairs), model=req.model, workers=req.workers,
                         min_score=req.min_score, timeout=req.timeout, max_bytes=req.max_bytes,
                         keep_weak=req.keep_weak, progress=progress)
    finally:  # an interrupted batch stored some pairs too
        refit_terms_later(tm)


def batch_status(tm: TM, pairs: Path) -> list[str]:
    """The progress of a shared ``add --batch`` of this list (tm.ingest.shared)."""
    from tm.ingest.shared import job_key, status_lines

    return status_lines(tm.job_progress(job_key(pairs)), read_pairs(pairs), str(pairs))


def index(tm: TM, req: IndexRequest, *,
          progress: Callable[[int, int], None] | None = None) -> IndexResult:
    """Compute the missing embeddings (resumable)."""
    from tm.vectors.embed import index as build
    from tm.vectors.model import load_encoder

    return build(tm, load_encoder(req.model), req.model, batch=req.batch, rebuild=req.rebuild,
                 progress=progress)


def stats(tm: TM) -> Stats:
    return collect(tm)


def documents(tm: TM) -> list[Document]:
    """Every document, oldest first, with title, URL, date, unit count and when it was added."""
    return tm.documents()


def document(tm: TM, doc_id: int) -> Document:
    found = tm.get_document(doc_id)
    if found is None:
        raise NotFound("document", doc_id,
                       f"no document {doc_id} in {tm.shown}: `diptych documents` lists them")
    return found


def document_units(tm: TM, doc_id: int) -> list[Unit]:
    """A document's units in their order in the story."""
    document(tm, doc_id)
    return list(tm.iter_units(doc=doc_id, with_docs=True))


def get_unit(tm: TM, unit_id: int) -> Unit:
    unit = tm.get_unit(unit_id)
    if unit is None:
        raise NotFound("unit", unit_id,
                       f"no unit {unit_id} in {tm.shown}: `diptych search` shows unit ids")
    return unit


def confirm_unit(tm: TM, unit_id: int, version: int | None = None) -> Unit:
    """Confirm a unit's alignment as it stands (it no longer says "unreviewed alignment");
    its version goes one up. With ``version``: refused if the unit changed since."""
    get_unit(tm, unit_id)
    return tm.confirm_unit(unit_id, version)


def edit_unit(tm: TM, req: EditRequest) -> Unit:
    """New text for one or both sides; origin becomes ``edited``, the old text is kept. The
    unit's own text again is refused (it would only add a history row)."""
    get_unit(tm, req.unit_id)
    return tm.edit_unit(req.unit_id, en=req.en, ru=req.ru, version=req.version)


def add_unit(tm: TM, en: str, ru: str, *, doc_id: int | None = None) -> tuple[Unit, bool]:
    """A unit written by hand (origin ``edited``), at the end of document ``doc_id`` if given;
    ``(unit, is new)``: the same pair stored already is that unit (linked to the document)."""
    from tm.store import MAX_SEGMENT, UnitIn

    en, ru = " ".join(en.split()), " ".join(ru.split())
    if not en or not ru:
        raise TMError("a unit needs text on both sides: give --en and --ru")
    if max(len(en), len(ru)) > MAX_SEGMENT:
        raise TMError(f"a unit's side holds at most {MAX_SEGMENT:,} characters")
    if doc_id is not None:  # the document's version goes up: an editor holding it is refused
        document(tm, doc_id)
        unit_id, new = tm.append_unit(doc_id, UnitIn(en, ru), "edited")
    else:
        found, new = tm.add_unit(UnitIn(en, ru), origin="edited")
        assert found is not None
        unit_id = found
    return get_unit(tm, unit_id), new


def edits(tm: TM, unit_id: int) -> int:
    """How many edits of a unit ``undo_edit`` can still undo."""
    get_unit(tm, unit_id)
    return tm.edits(unit_id)


def history(tm: TM, unit_id: int) -> list[Earlier]:
    """The unit's earlier texts, newest first (what ``undo_edit`` restores comes first)."""
    get_unit(tm, unit_id)
    return tm.history(unit_id)


def undo_edit(tm: TM, unit_id: int, version: int | None = None) -> Unit:
    """The unit as it was before its last edit."""
    get_unit(tm, unit_id)
    return tm.undo_edit(unit_id, version)


def delete_unit(tm: TM, unit_id: int, version: int | None = None) -> Unit:
    """Delete a unit; returns what it was (refused when ``version`` is given and is not the
    unit's)."""
    get_unit(tm, unit_id)
    return tm.delete_unit(unit_id, version)


def delete_document(tm: TM, doc_id: int) -> DocumentDeleted:
    """Delete a document; units no longer linked to any document go with it."""
    doc = document(tm, doc_id)
    links, units = tm.delete_document(doc_id)
    return DocumentDeleted(doc, links, units)


POSTGRES = ("postgres:/", "postgresql:/")
"""How a PostgreSQL memory's URL starts (one slash: a --db given as a Path loses the second)."""


def backup(db: Path | str | None, dest: Path) -> tuple[int, Path]:
    """Copy the memory at ``db`` (the usual rule when None) to ``dest``: (bytes, source).
    A PostgreSQL memory is refused with the pg_dump line; ``dest`` must be a new path or a
    regular file other than the memory itself."""
    import os

    named = str(db) if db is not None else os.environ.get("DIPTYCH_DB", "")
    if named.startswith(POSTGRES):
        raise TMError("a PostgreSQL memory is backed up with PostgreSQL's own tool:"
                      " pg_dump --format=custom 'URL' > memory.dump (pg_restore reads it back)")
    dest = dest.expanduser()
    if dest.is_dir():
        raise TMError(f"{dest} is a folder: give the backup's file name")
    if not dest.parent.is_dir():
        raise TMError(f"cannot write {dest}: folder {dest.parent} does not exist")
    if dest.exists() and not dest.is_file():
        raise TMError(f"{dest} is not a regular file: give a new path for the backup")
    with TM.open(db, readonly=True) as tm:
        if dest.exists() and dest.resolve() == tm.path.resolve():
            raise TMError(f"{dest} is the memory itself: give another path for the backup")
        return tm.backup(dest), tm.path
