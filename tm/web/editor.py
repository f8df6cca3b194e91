"""The alignment editor: review and correct an alignment before it enters the memory.

Pages: ``/editor`` (two editions in, beads out; ``?en=PATH&ru=PATH`` aligns a local pair, as
``diptych review`` opens it) and ``/editor/documents/{id}`` (a stored document, reopened).
API under ``/api/align``: align, a stored document as beads, save, undo a save. The editing
itself happens in the page (static/editor.js); the server checks and stores the result.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from tm.store.location import shown
from tm.web import editor_backend as eb
from tm.web.backend import Backend
from tm.web.common import backend, render, settings
from tm.web.models import MAX_TEXT

router = APIRouter()
B = Annotated[Backend, Depends(backend)]
MAX_EDITION = 2_000_000
"""Largest pasted edition (characters, HTML included): beyond it a 413 before any parsing."""
MAX_STORY = 100_000
"""Largest edition the desk aligns (characters of text, after extraction). A long news feature
is 30-60k characters; 0.58 MB of text took 39 s of a worker thread and +145 MB (issue 18), so a
story-sized limit keeps one request to seconds. Longer texts: ``diptych align`` on the
command line, which shows progress and has no thread pool to starve."""


class SideIn(BaseModel):
    text: str | None = Field(None, description=f"plain text or HTML (at most {MAX_EDITION:,}"
                             " characters)")
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
    version: int | None = Field(None, description="the stored document's version")
    seen: list[tuple[int, int]] | None = Field(
        None, description="(unit id, version) of each of the stored document's units")


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
    version: int | None = Field(None, ge=1, description=(
        "the document's version the corrections are based on (from /api/align/documents):"
        " refused (409) if it changed since; null: save over whatever is stored"))
    seen: list[tuple[int, int]] | None = Field(None, max_length=100_000, description=(
        "(unit id, version) of the units read with it: refused (409) if one changed since"))
    new_copy: bool = Field(False, description="store it even when the memory holds the story"
                                              " already (else 409 names that document)")


class Saved(BaseModel):
    doc_id: int
    units: int = Field(description="the document's units now")
    added: int = Field(description="units new to the memory")
    linked: int = Field(description="units the memory held already (now linked)")
    removed: int = Field(description="units deleted (no document held them any more)")
    undoable: int = Field(description="saved corrections of this document that can be undone")
    version: int | None = Field(None, description="the document's version now")
    seen: list[tuple[int, int]] | None = Field(None, description="its units' versions now")


def _saved(b: Backend, result: Any) -> Saved:
    version, seen = eb.versions(b, result.doc_id)
    return Saved(doc_id=result.doc_id, units=result.units, added=result.added,
                 linked=result.units - result.added, removed=result.removed,
                 undoable=result.undoable, version=version, seen=seen)


def _page(request: Request, **context: Any) -> HTMLResponse:
    return render(request, "editor.html", title="Alignment editor", weak_below=eb.WEAK_BELOW,
                  **context)


def _from_user(request: Request) -> bool:
    """True when the page was opened by the user (typed, a bookmark, ``diptych review``'s
    browser) or from the desk's own pages; False for a link or script on another site, whose
    ``?en=&ru=`` must not start an alignment of the desk's files (a FIFO held a thread)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("none", "same-origin")
    referer = request.headers.get("referer")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    return referer is None or referer.lower().startswith(own + "/")


@router.get("/editor", response_class=HTMLResponse, include_in_schema=False)
def editor_page(request: Request, en: str = "", ru: str = "") -> HTMLResponse:
    return _page(request, doc=None, en_path=en[:4_000], ru_path=ru[:4_000],
                 autoload=_from_user(request))


@router.get("/editor/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
def editor_document_page(request: Request, b: B, doc_id: int) -> HTMLResponse:
    return _page(request, doc=b.document(doc_id), en_path="", ru_path="", autoload=False)


@router.post("/api/align", response_model=Beads, tags=["editor"])
def align(request: Request, body: AlignIn) -> Beads:
    """Align two editions (pasted text or HTML, URLs, or files on a server without a token,
    which serves loopback only) as ``diptych add`` does; nothing is stored. URLs are fetched
    under pre-translate's address policy (no private address beyond loopback)."""
    s = settings(request)
    sides = []
    for side, role in ((body.en, "English edition"), (body.ru, "Russian edition")):
        if side.text is not None and len(side.text) > MAX_EDITION:
            raise _too_long(role, len(side.text), MAX_EDITION)
        ed = eb.read_side(text=side.text, url=side.url, path=side.path, role=role,
                          allow_paths=s.token is None, timeout=s.timeout,
                          public_only=not s.private_urls)
        if len(ed.text) > MAX_STORY:
            raise _too_long(role, len(ed.text), MAX_STORY)
        sides.append(ed)
    return Beads.model_validate(eb.align(*sides))


def _too_long(role: str, size: int, limit: int) -> HTTPException:
    return HTTPException(413, f"{role}: {size:,} characters, more than the {limit:,} the desk"
                         " aligns (a long story is 60,000); align it with `diptych align` on"
                         " the command line")


@router.get("/api/align/documents/{doc_id}", response_model=Beads, tags=["editor"])
def document_beads(b: B, doc_id: int) -> Beads:
    """A stored document as beads, each side split into sentences again."""
    return Beads.model_validate(eb.document_beads(b, doc_id))


@router.post("/api/align/save", response_model=Saved, tags=["editor"],
             responses={409: {"description": "the story is stored already: ``duplicate_of``"
                                             " names the document, ``version`` and ``seen``"
                                             " what replacing it sends"}})
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
        en_path=en_path, ru_path=ru_path, version=body.version,
        seen=None if body.seen is None else tuple((int(u), int(v)) for u, v in body.seen))
    if body.doc_id is None and not body.new_copy:
        from tm.service import stored_copy

        with b.lease() as tm:
            copy = stored_copy(tm, req)
        if copy is not None:  # its versions: "Replace it" is refused if it changes meanwhile
            version, seen = eb.versions(b, copy.doc_id)
            return JSONResponse({"error": copy.message(), "duplicate_of": copy.doc_id,
                                 "title": copy.title, "shared": copy.shared,
                                 "units": copy.units, "version": version, "seen": seen},
                                status_code=409)
    return _saved(b, eb.save(b, req, doc_id=body.doc_id))


@router.post("/api/align/documents/{doc_id}/undo", response_model=Saved, tags=["editor"])
def undo(b: B, doc_id: int, version: Annotated[int | None, Query(ge=1)] = None) -> Saved:
    """Give a document back the units it had before its last saved correction (with
    ``version``: 409 if the document changed since)."""
    return _saved(b, eb.undo_save(b, doc_id, version))


class Memory(BaseModel):
    db: str = Field(description="the memory file this desk serves")


@router.get("/api/align/memory", response_model=Memory, tags=["editor"])
def memory(request: Request) -> Memory:
    """Which memory this desk serves (``diptych review`` checks it before it opens a page)."""
    return Memory(db=shown(str(settings(request).db)))
