"""The pre-translate page: paste, upload or fetch an article; analysis and draft side by side
(static/pretranslate.js calls POST /api/pretranslate)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tm.web.common import render

router = APIRouter(include_in_schema=False)


@router.get("/pretranslate", response_class=HTMLResponse)
def pretranslate_page(request: Request) -> HTMLResponse:
    return render(request, "pretranslate.html", title="Pre-translate")
