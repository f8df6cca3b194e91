"""The JSON API under /api: everything the pages do, for a CMS or a CAT-tool plugin.

Blocking work (SQLite, the encoder) runs in the server's thread pool: the routes are plain
``def`` functions.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from tm.choices import Mode
from tm.service.shapes import document_json, unit_json
from tm.web.backend import Backend, Draft
from tm.web.common import backend, render, settings
from tm.web.models import (
    MAX_URL_QUERY,
    Deleted,
    DocumentJSON,
    DocumentUnits,
    EarlierOut,
    Health,
    PretranslateIn,
    PretranslateOut,
    SearchOut,
    UnitEdit,
    UnitJSON,
    UnitNew,
)

router = APIRouter(prefix="/api", tags=["api"])
B = Annotated[Backend, Depends(backend)]
VersionQuery = Annotated[int | None, Query(ge=1, description=(
    "the unit's version the change is based on: 409 if it changed since"))]


@router.get("/health", response_model=Health)
def health(b: B, request: Request) -> Health:
    """Is the server up, and what does it serve."""
    from align.output import tool_version

    return Health(status="ok", version=tool_version(), units=b.count_units(),
                  read_only=settings(request).read_only)


@router.get("/search", response_model=SearchOut)
def search(b: B, request: Request,
           q: Annotated[str, Query(min_length=1, max_length=MAX_URL_QUERY,
                                   description="a sentence, phrase or word")],
           mode: Mode = Mode.auto,
           lang: Annotated[Literal["en", "ru"] | None,
                           Query(description="the query's language (default: detected)")]
           = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 10) -> SearchOut:
    """Look q up; hits carry the fields of `diptych search --json`, plus the words that differ."""
    hits = b.search(q, mode=mode.value, lang=lang or settings(request).lang, limit=limit)
    return SearchOut(query=q, mode=mode.value, hits=hits)


@router.post("/pretranslate", response_model=PretranslateOut)
def pretranslate(b: B, request: Request, body: PretranslateIn) -> PretranslateOut:
    """CAT analysis and draft of an article (changes nothing in the memory)."""
    d = _pretranslate(b, request, body)
    return PretranslateOut(lang=d.lang, target_lang=d.target_lang,
                           analysis=d.analysis, segments=d.segments)  # type: ignore[arg-type]


@router.post("/pretranslate/draft", response_class=Response,
             responses={200: {"content": {"text/plain": {}, "application/x-tmx+xml": {}}}})
def draft(b: B, request: Request, body: PretranslateIn,
          format: Literal["text", "tmx", "jsonl"] = "text") -> Response:
    """The draft as a file to download: text, TMX 1.4b or JSON lines."""
    d = _pretranslate(b, request, body)
    data, media, suffix = d.download(format)
    return Response(data, media_type=media, headers={
        "content-disposition": f'attachment; filename="draft.{d.target_lang}.{suffix}"'})


def _pretranslate(b: Backend, request: Request, body: PretranslateIn) -> Draft:
    s = settings(request)
    return b.pretranslate(text=body.text, html=body.html, url=body.url, lang=body.lang,
                          min_fill=body.min_fill, timeout=s.timeout, private_urls=s.private_urls)


@router.get("/stats")
def stats(b: B) -> dict[str, object]:
    """What the memory holds (as diptych stats --json)."""
    return b.stats()


@router.get("/documents", response_model=list[DocumentJSON])
def documents(b: B) -> list[DocumentJSON]:
    """Every document, oldest first, with its number of units."""
    return [document_json(d) for d in b.documents()]


@router.get("/documents/{doc_id}", response_model=DocumentUnits)
def document(b: B, doc_id: int) -> DocumentUnits:
    """A document and its units, in document order."""
    return DocumentUnits(document=document_json(b.document(doc_id)),
                         units=[unit_json(u) for u in b.document_units(doc_id)])


@router.get("/documents/{doc_id}/tmx", response_class=Response,
            responses={200: {"content": {"application/x-tmx+xml": {}}}})
def document_tmx(b: B, doc_id: int) -> Response:
    """The document's units as TMX 1.4b."""
    return Response(b.export_document(doc_id), media_type="application/x-tmx+xml", headers={
        "content-disposition": f'attachment; filename="document-{doc_id}.tmx"'})


@router.delete("/documents/{doc_id}", response_model=Deleted)
def delete_document(b: B, doc_id: int) -> Deleted:
    """Delete a document; its units go too unless another document holds them."""
    return Deleted(deleted_units=b.delete_document(doc_id))


@router.post("/units", response_model=UnitJSON, status_code=201)
def add_unit(b: B, body: UnitNew) -> UnitJSON:
    """Add a unit written by hand (origin 'edited'), at the end of document ``doc_id`` if
    given; the same pair stored already is that unit, linked to the document."""
    from tm import service

    with b.lease() as tm:
        unit, _ = service.add_unit(tm, body.en, body.ru, doc_id=body.doc_id)
    return unit_json(unit, edits=0)


@router.get("/units/{unit_id}", response_model=UnitJSON)
def unit(b: B, unit_id: int) -> UnitJSON:
    """A unit with its documents and how many of its edits can be undone."""
    return unit_json(b.unit(unit_id), edits=b.edits(unit_id))


@router.get("/units/{unit_id}/history", response_model=list[EarlierOut])
def history(b: B, unit_id: int) -> list[EarlierOut]:
    """The unit's earlier texts, newest first (undo restores the first)."""
    return [EarlierOut(**asdict(e)) for e in b.history(unit_id)]


@router.patch("/units/{unit_id}", response_model=UnitJSON)
def edit_unit(b: B, unit_id: int, body: UnitEdit) -> UnitJSON:
    """Change a unit's text; its origin becomes 'edited' and the old text is kept for undo.
    With ``version``: 409 (who changed it and when; nothing changed) if it is not the unit's."""
    return unit_json(b.edit_unit(unit_id, en=body.en, ru=body.ru, version=body.version),
                     edits=b.edits(unit_id))


@router.post("/units/{unit_id}/confirm", response_model=UnitJSON)
def confirm_unit(b: B, unit_id: int, version: VersionQuery = None) -> UnitJSON:
    """Confirm a unit's alignment as it stands: it no longer says "unreviewed alignment"; its
    version goes one up (a colleague's save based on the version before is refused)."""
    return unit_json(b.confirm_unit(unit_id, version), edits=b.edits(unit_id))


@router.post("/units/{unit_id}/undo", response_model=UnitJSON)
def undo_edit(b: B, unit_id: int, version: VersionQuery = None) -> UnitJSON:
    """Restore the text a unit had before its last edit."""
    return unit_json(b.undo_edit(unit_id, version), edits=b.edits(unit_id))


@router.delete("/units/{unit_id}", response_model=Deleted)
def delete_unit(b: B, unit_id: int, version: VersionQuery = None) -> Deleted:
    """Delete one unit. With ``version``: 409 (who changed it and when; nothing deleted) if
    it is not the unit's."""
    b.delete_unit(unit_id, version)
    return Deleted(deleted_units=1)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI description as a page (offline: no Swagger UI from a CDN)."""
    spec = request.app.openapi()
    ops = [(method.upper(), path, op) for path, item in spec["paths"].items()
           for method, op in item.items()]
    return render(request, "apidocs.html", ops=ops, title="API")
