"""The alignment editor: review and correct an alignment before it enters the memory.

Pages: ``/editor`` (two editions in, beads out; ``?en=PATH&ru=PATH`` aligns a local pair, as
``diptych review`` opens it) and ``/editor/documents/{id}`` (a stored document, reopened).
API under ``/api/align``: align, a stored document as beads, save, undo a save. The editing
itself happens in the page (static/editor.js); the server checks and stores the result.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from tm.web import editor_backend as eb
from tm.web.backend import Backend
from tm.web.common import backend, render, settings
from tm.web.models import MAX_TEXT

router = APIRouter()
B = Annotated[Backend, Depends(backend)]
MAX_EDITION = 2_000_000


class SideIn(BaseModel):
    text: str | None = Field(None, max_length=MAX_EDITION, description="plain text or HTML")
    url: str | None = Field(None, max_length=2_000, description="an http(s) URL")
    path: str | None = Field(None, max_length=4_000,
                             description="a file on the server (servers without a token only)")


class AlignIn(BaseModel):
    en: SideIn
    ru: SideIn


class BeadIO(BaseModel):
    src: list[int] = Field(description="0-based English sentence indices")
    tgt: list[int] = Field(description="0-based Russian sentence indices")
    score: float | None = Field(None, description="the aligner's confidence (null: edited)")
    edited: bool = False
    unit: int | None = Field(None, description="the stored unit (reopened documents)")


class Beads(BaseModel):
    """The editor's state: sentences of each side and the beads pairing them."""

    src: list[str]
    tgt: list[str]
    beads: list[BeadIO]
    warnings: list[str] = []
    weak_below: float = eb.WEAK_BELOW
    doc_id: int | None = None
    fingerprint: str | None = None
    title: str = ""
    url: str = ""
    date: str = ""
    sources: list[str | None] = []


class SaveIn(BaseModel):
    src: list[Annotated[str, Field(max_length=MAX_TEXT)]]
    tgt: list[Annotated[str, Field(max_length=MAX_TEXT)]]
    beads: list[BeadIO]
    doc_id: int | None = None
    fingerprint: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=1_000)
    url: str | None = Field(None, max_length=2_000)
    date: str | None = Field(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    sources: list[str | None] = []
    new_copy: bool = Field(False, description="store it even when the memory holds the story"
                                              " already (else 409 names that document)")


class Saved(BaseModel):
    doc_id: int
    units: int = Field(description="the document's units now")
    added: int = Field(description="units new to the memory")
    linked: int = Field(description="units the memory held already (now linked)")
    removed: int = Field(description="units deleted (no document held them any more)")
    undoable: int = Field(description="saved corrections of this document that can be undone")


def _saved(result: Any) -> Saved:
    return Saved(doc_id=result.doc_id, units=result.units, added=result.added,
                 linked=result.units - result.added, removed=result.removed,
                 undoable=result.undoable)


def _page(request: Request, **context: Any) -> HTMLResponse:
    return render(request, "editor.html", title="Alignment editor", weak_below=eb.WEAK_BELOW,
                  **context)


@router.get("/editor", response_class=HTMLResponse, include_in_schema=False)
def editor_page(request: Request, en: str = "", ru: str = "") -> HTMLResponse:
    return _page(request, doc=None, en_path=en, ru_path=ru)


@router.get("/editor/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def editor_document_page(request: Request, b: B, doc_id: int) -> HTMLResponse:
    return _page(request, doc=b.document(doc_id), en_path="", ru_path="")


@router.post("/api/align", response_model=Beads, tags=["editor"])
def align(request: Request, body: AlignIn) -> Beads:
    """Align two editions (pasted text or HTML, URLs, or files on a server without a token)
    as ``diptych add`` does; nothing is stored."""
    s = settings(request)
    sides = [eb.read_side(text=side.text, url=side.url, path=side.path, role=role,
                          allow_paths=s.token is None, timeout=s.timeout)
             for side, role in ((body.en, "English edition"), (body.ru, "Russian edition"))]
    return Beads(**eb.align(*sides))


@router.get("/api/align/documents/{doc_id}", response_model=Beads, tags=["editor"])
def document_beads(b: B, doc_id: int) -> Beads:
    """A stored document as beads, each side split into sentences again."""
    return Beads(**eb.document_beads(b, doc_id))


@router.post("/api/align/save", response_model=Saved, tags=["editor"],
             responses={409: {"description": "the story is stored already: ``duplicate_of``"
                                             " names the document"}})
def save(b: B, body: SaveIn) -> Saved | JSONResponse:
    """Store the corrected beads in one transaction: a new document (with ``doc_id`` null) or
    the units of document ``doc_id`` replaced (undoable). Changed beads get origin ``edited``."""
    from tm.service import BeadsRequest, EditedBead

    en_path, ru_path = (None if s == eb.PASTED else s for s in (body.sources + [None, None])[:2])
    req = BeadsRequest(
        src=tuple(body.src), tgt=tuple(body.tgt),
        beads=tuple(EditedBead(tuple(x.src), tuple(x.tgt), x.score, x.edited)
                    for x in body.beads),
        title=(body.title or "").strip() or None, url=(body.url or "").strip() or None,
        date=body.date or None, fingerprint=None if body.new_copy else body.fingerprint or None,
        en_path=en_path, ru_path=ru_path)
    if body.doc_id is None and not body.new_copy:
        from tm.service import stored_copy

        copy = stored_copy(b.tm, req)
        if copy is not None:
            return JSONResponse({"error": copy.message(), "duplicate_of": copy.doc_id,
                                 "title": copy.title, "shared": copy.shared,
                                 "units": copy.units}, status_code=409)
    return _saved(eb.save(b, req, doc_id=body.doc_id))


@router.post("/api/align/documents/{doc_id}/undo", response_model=Saved, tags=["editor"])
def undo(b: B, doc_id: int) -> Saved:
    """Give a document back the units it had before its last saved correction."""
    return _saved(eb.undo_save(b, doc_id))


class Memory(BaseModel):
    db: str = Field(description="the memory file this desk serves")


@router.get("/api/align/memory", response_model=Memory, tags=["editor"])
def memory(request: Request) -> Memory:
    """Which memory this desk serves (``diptych review`` checks it before it opens a page)."""
    return Memory(db=str(settings(request).db))
