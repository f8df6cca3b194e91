"""Lookups: search and pre-translation."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from tm.choices import DraftFormat
from tm.drafts.pretranslate import Pretranslation
from tm.drafts.pretranslate import pretranslate as _pretranslate
from tm.errors import TMError
from tm.search.searcher import Nearest, Searcher
from tm.service.requests import (
    ArticleKind,
    Hit,
    PretranslateRequest,
    SearchRequest,
    SearchResult,
)
from tm.store import TM

if TYPE_CHECKING:
    from align.embed import Encoder
    from tm.terms.lexicon import FitReport, TermState


def searcher(tm: TM, *, encoder: Encoder | None = None, model: str | None = None,
             vectors: Callable[[], Nearest] | None = None) -> Searcher:
    """A searcher to reuse across queries. ``vectors`` gives the vector index at each semantic
    lookup, so that threads share one index (read-only) and its owner can swap in a fresh one
    when the memory changes; without it the searcher loads its own on first use."""
    return Searcher(tm, encoder=encoder, model=model, vectors=vectors)


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
    """Align the memory's newest units and store the term lexicon and links (tm.terms.lexicon)."""
    from tm.terms.lexicon import FIT_LIMIT
    from tm.terms.lexicon import fit_terms as fit

    return fit(tm, limit=limit or FIT_LIMIT)


def refit_terms_later(tm: TM) -> bool:
    """Start the background refit of the term links when units wait for them (after add and
    import: tm.terms.background); True when one was started."""
    from tm.terms.background import behind, start

    return behind(tm) and start(tm.path)


def term_state(tm: TM) -> TermState:
    """How many units came after the last ``fit_terms`` (tm.terms.lexicon.TermState)."""
    from tm.terms.lexicon import term_state as state

    return state(tm)


def read_article(article: str, *, kind: ArticleKind = ArticleKind.source, timeout: float = 20.0,
                 max_bytes: int = 10_000_000, private_urls: bool = True) -> str:
    """The text of an article to pre-translate. ``kind`` says what ``article`` is: a file or
    URL (``source``, the CLI's argument), the text itself, a saved page's HTML, or a URL only
    (a server's form: no local files). ``private_urls=False`` refuses URLs that lead into the
    server's own network (:func:`align.sources.fetch.fetch`)."""
    if kind is ArticleKind.text:
        return article
    if kind is ArticleKind.html:
        from align.sources.article import extract_article

        return "\n\n".join(extract_article(article, where="the pasted page").paragraphs)
    if kind is ArticleKind.source:
        from tm.ingest.pairs import read_side

        return read_side(article, role="article", timeout=timeout, max_bytes=max_bytes).text
    url = article.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise TMError(f"{url[:80]!r} is not an http(s) address: the server reads no files of"
                      " its own for a request")
    from align.sources import read_source

    return read_source(url, timeout=timeout, max_bytes=max_bytes,
                       public_only=not private_urls).text


def pretranslate(tm: TM, req: PretranslateRequest, *,
                 searcher: Searcher | None = None) -> Pretranslation:
    """The CAT analysis and the draft of an article (see :mod:`tm.drafts.pretranslate`)."""
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
