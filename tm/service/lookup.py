"""Lookups: search and pre-translation."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from tm.choices import DraftFormat
from tm.pretranslate import Pretranslation
from tm.pretranslate import pretranslate as _pretranslate
from tm.search import Searcher
from tm.service.requests import Hit, PretranslateRequest, SearchRequest, SearchResult
from tm.store import TM

if TYPE_CHECKING:
    from tm.lexicon import FitReport


def titles(tm: TM) -> dict[int, str]:
    """Each document's title (else its URL, else its id), for hits."""
    return {d.id: d.title or d.url or str(d.id) for d in tm.documents()}


def search(tm: TM, req: SearchRequest, *, searcher: Searcher | None = None,
           docs: dict[int, str] | None = None) -> SearchResult:
    """Best hits first. Pass a ``searcher`` (and ``docs`` from :func:`titles`) to reuse them
    across queries: the encoder and vectors load once."""
    searcher = searcher or Searcher(tm, model=req.model)
    matches = searcher.search(req.query, mode=req.mode, lang=req.lang, limit=req.limit,
                              min_match=req.min_match)
    docs = titles(tm) if docs is None else docs
    return SearchResult(req.query, tuple(Hit.of(m, docs) for m in matches))


def fit_terms(tm: TM, *, limit: int | None = None) -> FitReport:
    """Align the memory's newest units and store the term lexicon and links (tm.lexicon)."""
    from tm.lexicon import FIT_LIMIT
    from tm.lexicon import fit_terms as fit

    return fit(tm, limit=limit or FIT_LIMIT)


def read_article(source: str, *, timeout: float = 20.0, max_bytes: int = 10_000_000) -> str:
    """The text of an article to pre-translate (a text, Markdown or HTML file, or a URL)."""
    from tm.ingest import read_side

    return read_side(source, role="article", timeout=timeout, max_bytes=max_bytes).text


def pretranslate(tm: TM, req: PretranslateRequest, *,
                 searcher: Searcher | None = None) -> Pretranslation:
    """The CAT analysis and the draft of an article (see :mod:`tm.pretranslate`)."""
    return _pretranslate(searcher or Searcher(tm), req.text, lang=req.lang,
                         min_fill=req.min_fill)


def draft(result: Pretranslation, fmt: DraftFormat) -> bytes:
    """The draft in ``fmt``, as bytes."""
    from align.output import tool_version

    if fmt is DraftFormat.text:
        return result.draft_text().encode("utf-8")
    if fmt is DraftFormat.jsonl:
        return result.draft_jsonl().encode("utf-8")
    buf = io.BytesIO()
    result.draft_tmx(buf, version=tool_version())
    return buf.getvalue()
