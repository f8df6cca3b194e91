"""The lookup page: one search box, results as you type (rendered by static/lookup.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from tm.web.backend import Backend
from tm.web.common import backend, render, settings
from tm.web.models import MAX_URL_QUERY

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def lookup(request: Request, b: Annotated[Backend, Depends(backend)],
           q: Annotated[str, Query(max_length=MAX_URL_QUERY)] = "",
           mode: str = "auto", lang: str = "") -> HTMLResponse:
    """``/?q=QUERY`` opens with that query run, so a lookup can be linked. The page says
    which memory it searches and how many units it holds (the file's name only on a server
    with a token: its folders are nobody else's business)."""
    from pathlib import Path

    from tm.store.location import is_uri, shown

    s = settings(request)
    name = shown(str(s.db)).rsplit("/", 1)[-1] if is_uri(s.db) else Path(s.db).name
    where = shown(str(s.db)) if is_uri(s.db) else str(s.db)
    return render(request, "lookup.html", q=q, mode=mode, lang=lang, title="Lookup",
                  memory_name=name, memory_path="" if s.token else where,
                  units=b.count_units())
