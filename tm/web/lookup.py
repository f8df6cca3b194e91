"""The lookup page: one search box, results as you type (rendered by static/lookup.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tm.web.common import render
from tm.web.models import MAX_URL_QUERY

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def lookup(request: Request, q: Annotated[str, Query(max_length=MAX_URL_QUERY)] = "",
           mode: str = "auto", lang: str = "") -> HTMLResponse:
    """``/?q=QUERY`` opens with that query run, so a lookup can be linked."""
    return render(request, "lookup.html", q=q, mode=mode, lang=lang, title="Lookup")
