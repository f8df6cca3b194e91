"""TMX exchange: import a file into the memory, export (part of) the memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from tm.errors import TMError
from tm.service.requests import ExportRequest
from tm.store import TM
from tm.text.dates import check_date
from tm.tmx import ImportReport, export_tmx
from tm.tmx import import_tmx as _import


def import_tmx(tm: TM, path: Path, *,
               on_progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a TMX file in one transaction (a broken or hostile file changes nothing)."""
    if not path.is_file():
        raise TMError(f"no TMX file at {path}: check the path")
    from tm.service.lookup import refit_terms_later

    report = _import(tm, path, on_progress=on_progress)
    refit_terms_later(tm)
    return report


def export_writer(tm: TM, req: ExportRequest) -> Callable[[BinaryIO], int]:
    """A function that streams the selected units to a binary file as TMX 1.4b and returns
    their count. The request is checked here, before any output is opened."""
    if req.since is not None and not _is_since(req.since):
        raise TMError(f"--since {req.since!r} is not a date: use YYYY-MM-DD")
    doc_id = tm.resolve_document(req.doc) if req.doc is not None else None

    def write(out: BinaryIO) -> int:
        return export_tmx(tm, out, doc=doc_id, since=req.since, min_score=req.min_score,
                          segtype=req.segtype.value)

    return write


def _is_since(value: str) -> bool:
    """YYYY-MM-DD, optionally with THH:MM[:SS][Z]."""
    import re

    if not re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?Z?)?", value):
        return False
    check_date(value[:10], "--since")
    return True
