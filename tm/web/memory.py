"""The memory pages: documents, a document's units side by side, one unit (edit, undo, delete).

Pages are rendered here; their buttons call the JSON API (static/memory.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from tm.web.backend import Backend
from tm.web.common import backend, render

router = APIRouter(include_in_schema=False)
B = Annotated[Backend, Depends(backend)]


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, b: B) -> HTMLResponse:
    docs = list(reversed(b.documents()))
    return render(request, "documents.html", documents=docs, title="Memory")


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, b: B, doc_id: int) -> HTMLResponse:
    doc = b.document(doc_id)
    return render(request, "document.html", doc=doc, units=b.document_units(doc_id),
                  title=doc.title or f"Document {doc_id}")


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, b: B, unit_id: int) -> HTMLResponse:
    unit = b.unit(unit_id)
    docs = {d: b.document(d) for d, _ in unit.docs}
    earlier = b.history(unit_id)
    return render(request, "unit.html", unit=unit, docs=docs, edits=len(earlier),
                  earlier=earlier, title=f"Unit {unit_id}")
