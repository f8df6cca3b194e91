"""The translate page: a new story segment by segment, each confirmed segment in the memory at
once (tm.service.translate); static/translate.js drives it through the API routes below.

``POST /api/translate`` splits and pre-translates the story and returns every segment with its
draft, its matches (any %), term translations and the translation confirmed before (the story's
document is found again by its fingerprint); ``POST /api/translate/segment`` looks one segment up
again (after a confirmation, later segments see it); ``POST /api/translate/confirm`` stores one;
``POST /api/translate/download`` gives the translation as text or TMX.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from tm.service import translate as tr
from tm.web.backend import Backend
from tm.web.common import backend, render, settings
from tm.web.models import MAX_TEXT, PretranslateIn

router = APIRouter()
B = Annotated[Backend, Depends(backend)]
Lang = Literal["en", "ru"]


class StoryIn(PretranslateIn):
    title: str | None = Field(None, max_length=1_000, description="the story's document title")


class SegmentIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    lang: Lang


class ConfirmIn(BaseModel):
    fingerprint: str = Field(max_length=200, description="from POST /api/translate")
    lang: Lang = Field(description="the story's language")
    n: int = Field(ge=0, description="the segment's 0-based position in the story")
    source: str = Field(min_length=1, max_length=MAX_TEXT)
    target: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(None, max_length=1_000)


class ConfirmOut(BaseModel):
    unit: int = Field(description="the unit now holding the segment")
    new: bool = Field(description="new to the memory (else the same pair was stored already)")
    doc_id: int


class DoneIn(BaseModel):
    paragraph: int = 0
    source: str = Field(max_length=MAX_TEXT)
    target: str = Field("", max_length=MAX_TEXT)
    confirmed: bool = False


class DownloadIn(BaseModel):
    lang: Lang
    segments: list[DoneIn] = Field(max_length=5_000)


@router.get("/translate", response_class=HTMLResponse, include_in_schema=False)
def translate_page(request: Request) -> HTMLResponse:
    return render(request, "translate.html", title="Translate")


@router.post("/api/translate", tags=["translate"])
def start(b: B, request: Request, body: StoryIn) -> dict[str, Any]:
    """Split and pre-translate a story; each segment with its draft (and the amounts repaired
    in it, or left to check), its best matches (any %, the words that differ marked as
    ``diff`` offsets into the match's source), term translations, and the translation
    confirmed earlier (``confirmed``, else null)."""
    s = settings(request)
    draft = b.pretranslate(text=body.text, html=body.html, url=body.url, lang=body.lang,
                           min_fill=body.min_fill, timeout=s.timeout,
                           private_urls=s.private_urls)
    lang = draft.lang
    sources = [seg["source"] for seg in draft.segments]
    fp = tr.fingerprint(sources, lang)
    with b.lease() as tm:
        doc_id, done = tr.confirmed(tm, fp, lang)
        searcher = b.searcher()
        help_of: dict[str, dict[str, Any]] = {}
        for text in dict.fromkeys(sources):
            help_of[text] = tr.segment_help(tm, searcher, text, lang).to_json()
    segments = []
    for seg in draft.segments:
        text = seg["source"]
        segments.append({"n": seg["n"], "paragraph": seg["paragraph"], "source": text,
                         "draft": seg["target"], "confirmed": done.get(seg["n"]),
                         "repaired": seg["repaired"], "unrepaired": seg["unrepaired"],
                         **help_of[text]})
    title = (body.title or "").strip() or (sources[0][:200] if sources else "")
    return {"lang": lang, "target_lang": draft.target_lang, "fingerprint": fp,
            "doc_id": doc_id, "title": title, "segments": segments}


@router.post("/api/translate/segment", tags=["translate"])
def segment(b: B, body: SegmentIn) -> dict[str, Any]:
    """One segment's matches and term translations, as the memory holds them now."""
    with b.lease() as tm:
        b.refresh()
        return tr.segment_help(tm, b.searcher(), body.text, body.lang).to_json()


@router.post("/api/translate/confirm", response_model=ConfirmOut, tags=["translate"])
def confirm(b: B, body: ConfirmIn) -> ConfirmOut:
    """Store a confirmed segment at once: origin ``translated``, the story as its document, at
    its position (confirming it again replaces it)."""
    with b.lease() as tm:
        done = tr.confirm(tm, tr.ConfirmRequest(body.source, body.target, body.lang, body.n,
                                                body.fingerprint, body.title),
                          encoder=b.encoder())
    return ConfirmOut(unit=done.unit, new=done.new, doc_id=done.doc_id)


@router.post("/api/translate/download", response_class=Response, tags=["translate"],
             responses={200: {"content": {"text/plain": {}, "application/x-tmx+xml": {}}}})
def download(body: DownloadIn, format: Literal["text", "tmx"] = "text") -> Response:
    """The translation as text (untranslated segments marked) or TMX 1.4b (segments not
    confirmed yet marked as drafts)."""
    from align.output import tool_version

    segs = [tr.Done(s.paragraph, s.source, s.target, s.confirmed) for s in body.segments]
    target = "ru" if body.lang == "en" else "en"
    if format == "tmx":
        data, media, suffix = (tr.translation_tmx(segs, body.lang, version=tool_version()),
                               "application/x-tmx+xml", "tmx")
    else:
        data, media, suffix = (tr.translation_text(segs).encode("utf-8"),
                               "text/plain; charset=utf-8", "txt")
    return Response(data, media_type=media, headers={
        "content-disposition": f'attachment; filename="translation.{target}.{suffix}"'})
