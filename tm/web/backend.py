"""The one place where the web app calls the translation-memory library (:mod:`tm.service`).

Every page and API route goes through :class:`Backend`; nothing in ``tm.web`` runs SQL, ranks
hits or formats drafts itself. Hits are :meth:`tm.service.Hit.to_json` (the fields of
``diptych search --json``) plus what a page needs to show them: the words of a fuzzy hit that
differ from the query, and the document's URL and date.

Threads: the server runs blocking calls in a small thread pool. Each call holds the memory for
its duration (:meth:`Backend.lease`, borrowed from :mod:`tm.store.pool`): on SQLite each thread
keeps its own connection (WAL mode: other processes may add meanwhile); on PostgreSQL the
process has one pool of as many connections as threads, each call borrows one and gives it
back (a connection the server dropped is replaced; none free in time: 503). All threads share
one encoder and, on SQLite, one vector index, each loaded once (on PostgreSQL the vectors stay
in the database: pgvector searches them there).

Freshness: another process may add to the memory while the server runs. At most every
:attr:`Backend.RECHECK` seconds a lookup asks whether anything was committed since (SQLite's
``PRAGMA data_version``, PostgreSQL's change counter); if so the document cache is dropped, and
on SQLite, when the stored vectors (or the IVF side files) changed, the next semantic lookup
brings the vector index up to date (:mod:`tm.service.live`: vectors of new units are added
beside it, a full reload only when vectors were dropped or the IVF files rebuilt).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from tm import service
from tm.choices import DraftFormat, Kind, Mode
from tm.drafts.pretranslate import Pretranslation
from tm.errors import TMError
from tm.search.searcher import Searcher
from tm.search.similarity import meaning
from tm.service import ArticleKind, live
from tm.service.live import LiveIndex
from tm.service.shapes import HitJSON
from tm.store import TM, Document, Earlier, Unit
from tm.store.location import is_uri
from tm.store.pool import WAIT, Pool, open_pool


@dataclass(frozen=True)
class Draft:
    """A pre-translation, ready to render: analysis rows and one dict a segment."""

    lang: str
    target_lang: str
    analysis: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    result: Pretranslation

    def download(self, fmt: str) -> tuple[bytes, str, str]:
        """(data, media type, file suffix) of the draft as ``text``, ``jsonl`` or ``tmx``."""
        media = {"text": ("text/plain; charset=utf-8", "txt"),
                 "jsonl": ("application/x-ndjson", "jsonl"),
                 "tmx": ("application/x-tmx+xml", "tmx")}[fmt]
        return service.draft(self.result, DraftFormat(fmt)), *media


class _LockedEncoder:
    """One encoder shared by the threads (its tokenizer and buffers are not thread-safe)."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> Any:
        with self._lock:
            return self._encoder.encode(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)


P = ParamSpec("P")
R = TypeVar("R")


def _leased(method: Callable[Concatenate[Backend, P], R]) -> Callable[Concatenate[Backend, P], R]:
    """The method holds the memory while it runs (:meth:`Backend.lease`)."""
    @functools.wraps(method)
    def leased(self: Backend, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lease():
            return method(self, *args, **kwargs)
    return leased


class Backend:
    """The memory at ``db`` as the web app sees it. Every public method holds the memory for
    its duration (:meth:`lease`); a route that works on :attr:`tm` itself leases it first."""

    RECHECK = 2.0
    """Seconds between two checks for changes made by other processes (or other workers)."""

    def __init__(self, db: Path | str, *, model: str | None = None, readonly: bool = False,
                 connections: int = 8, wait: float = WAIT) -> None:
        self.db: Path | str = db if is_uri(db) else Path(db)
        self.model = model
        self._local = threading.local()
        self._encoder: Any = None
        self._encoder_lock = threading.Lock()
        self._live = LiveIndex()
        self._docs: dict[int, Document] = {}
        self._docs_lock = threading.Lock()
        self.readonly = readonly
        """``serve --read-only``: the memory opened read-only (works on a read-only medium)."""
        # a missing memory fails now, with one line
        self.pool: Pool = open_pool(self.db, size=connections, readonly=readonly, timeout=wait)
        self._watch_lock = threading.Lock()
        self._checked = time.monotonic()
        with self.lease() as tm:
            self._version = self.pool.data_version(tm)
        self._stamp = self._vector_stamp()

    # ---------------------------------------------------------------- plumbing
    @contextmanager
    def lease(self) -> Iterator[TM]:
        """The memory, held by this thread until the block ends (nested leases share it)."""
        held: TM | None = getattr(self._local, "tm", None)
        if held is not None:
            yield held
            return
        with self.pool.borrow() as tm:
            self._local.tm = tm
            try:
                yield tm
            finally:
                self._local.tm = None

    @property
    def tm(self) -> TM:
        """The memory this thread holds (inside :meth:`lease`)."""
        tm: TM | None = getattr(self._local, "tm", None)
        if tm is None:
            raise RuntimeError("Backend.tm outside Backend.lease()")
        return tm

    def close(self) -> None:
        self.pool.close()

    def searcher(self) -> Searcher:
        """A searcher on the memory this thread holds, for use inside the same :meth:`lease`
        (cheap: the encoder and the vector index it uses are the process's, loaded once)."""
        return service.searcher(self.tm, encoder=self.encoder(), model=self.model,
                                vectors=self.vector_search)

    def vector_search(self) -> live.Snapshot:
        """The process's vector index as of the last :meth:`refresh` (SQLite: PostgreSQL
        searches in the database): loaded by the first thread that needs it, then extended or
        reloaded as the stored vectors change (:class:`tm.service.live.LiveIndex`); read-only,
        shared by the threads."""
        return self._live.get(self.tm, self._stamp)

    def _vector_stamp(self) -> live.Stamp:
        """What tells that the stored vectors changed; nothing where the database searches
        them (PostgreSQL: counting a million vectors at every recheck would cost ~100 ms)."""
        with self.lease() as tm:
            return (0, 0, 0) if tm.vectors_in_database else live.stamp(tm)

    @_leased
    def encoder(self) -> Any:
        """The query encoder, loaded once (None while the memory has no embeddings)."""
        with self._encoder_lock:
            if self._encoder is None and self.tm.has_vectors():
                from tm.vectors.model import DEFAULT_MODEL, load_encoder

                model = self.model or self.tm.get_setting("embedding_model") or DEFAULT_MODEL
                self._encoder = _LockedEncoder(load_encoder(model))
            return self._encoder

    @_leased
    def warm_up(self) -> None:
        """Load the encoder and open this thread's connection before the first request."""
        self.encoder()

    @_leased
    def refresh(self) -> None:
        """Notice what other processes committed (at most every :attr:`RECHECK` seconds)."""
        now = time.monotonic()
        with self._watch_lock:
            if now - self._checked < self.RECHECK:
                return
            self._checked = now
            version, now_stamp = self.pool.data_version(self.tm), self._vector_stamp()
            if version == self._version and now_stamp == self._stamp:
                return
            self._version, self._stamp = version, now_stamp
        with self._docs_lock:
            self._docs = {}

    # ---------------------------------------------------------------- lookups
    @_leased
    def search(self, query: str, *, mode: str = "auto", lang: str | None = None,
               limit: int = 10) -> list[HitJSON]:
        """Hits as ``search --json`` prints them (:meth:`tm.service.Hit.to_json`; ``doc``, the
        title, from a cache of the documents instead of reading them all for each query), plus
        ``diff`` (the words of a fuzzy hit that differ from the query, as ``[start, stop]``
        offsets into its ``lang`` side), ``doc_url`` and ``doc_date``."""
        self.refresh()
        req = service.SearchRequest(query, mode=Mode(mode), lang=lang, limit=limit,
                                    model=self.model)
        hits = service.search(self.tm, req, searcher=self.searcher(), docs={}).hits
        docs = self._documents({d for h in hits for d, _ in h.unit.docs[:1]})
        out = []
        for hit in hits:
            doc = docs.get(hit.unit.docs[0][0]) if hit.unit.docs else None
            fuzzy = hit.kind is Kind.fuzzy and not hit.part
            row = hit.to_json()
            row["doc"] = (doc.title or doc.url or str(doc.id)) if doc else None
            row["diff"] = _diff(query, hit) if fuzzy else []
            row["meaning"] = meaning(hit.similarity) if hit.kind is Kind.semantic else None
            row["doc_url"], row["doc_date"] = (doc.url, doc.date) if doc else (None, None)
            out.append(row)
        return out

    @_leased
    def pretranslate(self, *, text: str | None = None, html: str | None = None,
                     url: str | None = None, lang: str | None = None, min_fill: int = 75,
                     timeout: float = 20.0, private_urls: bool = False) -> Draft:
        """``private_urls=False`` refuses a URL that leads into the server's own network."""
        import json

        given = [(v, k) for v, k in ((text, ArticleKind.text), (html, ArticleKind.html),
                                     (url, ArticleKind.url)) if v and v.strip()]
        if len(given) != 1:
            raise TMError("give the article as text, as HTML or as a URL (exactly one)")
        self.refresh()
        article = service.read_article(given[0][0], kind=given[0][1], timeout=timeout,
                                       private_urls=private_urls)
        result = service.pretranslate(self.tm, service.PretranslateRequest(
            article, lang=lang, min_fill=min_fill), searcher=self.searcher())
        rows = result.analysis()
        total = max(rows[-1][2], 1)
        analysis = [{"band": band, "segments": segs, "words": n,
                     "percent": round(100 * n / total)} for band, segs, n in rows]
        segments = [json.loads(line) for line in result.draft_jsonl().splitlines()]
        return Draft(result.lang, result.target_lang, analysis, segments, result)

    # ---------------------------------------------------------------- memory
    @_leased
    def stats(self) -> dict[str, Any]:
        s = service.stats(self.tm)
        out = asdict(s)
        out.update(path=str(s.path), source=str(getattr(s.source, "value", s.source)),
                   embedding_coverage=s.embedding_coverage)
        return out

    @_leased
    def count_units(self) -> int:
        return self.tm.count_units()

    @_leased
    def documents(self) -> list[Document]:
        return service.documents(self.tm)

    @_leased
    def document(self, doc_id: int) -> Document:
        return service.document(self.tm, doc_id)

    @_leased
    def document_units(self, doc_id: int) -> list[Unit]:
        return service.document_units(self.tm, doc_id)

    @_leased
    def unit(self, unit_id: int) -> Unit:
        return service.get_unit(self.tm, unit_id)

    @_leased
    def edits(self, unit_id: int) -> int:
        """How many edits of the unit can be undone."""
        return service.edits(self.tm, unit_id)

    @_leased
    def history(self, unit_id: int) -> list[Earlier]:
        """The unit's earlier texts, newest first."""
        return service.history(self.tm, unit_id)

    @_leased
    def edit_unit(self, unit_id: int, *, en: str | None, ru: str | None,
                  version: int | None = None) -> Unit:
        return service.edit_unit(self.tm, service.EditRequest(unit_id, en=en, ru=ru,
                                                              version=version))

    @_leased
    def undo_edit(self, unit_id: int, version: int | None = None) -> Unit:
        return service.undo_edit(self.tm, unit_id, version)

    @_leased
    def confirm_unit(self, unit_id: int, version: int | None = None) -> Unit:
        return service.confirm_unit(self.tm, unit_id, version)

    @_leased
    def delete_unit(self, unit_id: int, version: int | None = None) -> None:
        service.delete_unit(self.tm, unit_id, version)

    @_leased
    def user_for_token(self, token: str) -> tuple[str, str] | None:
        """``(name, role)`` of the person a token belongs to; None: nobody. With no person
        defined the desk keeps its one ``--token`` (:mod:`tm.web.security`)."""
        user = self.tm.user_for_token(token)
        return None if user is None else (user.name, user.role)

    @_leased
    def has_users(self) -> bool:
        return self.tm.count_users() > 0

    @_leased
    def delete_document(self, doc_id: int) -> int:
        """Delete a document and the units no other document holds; returns their number."""
        deleted = service.delete_document(self.tm, doc_id)
        with self._docs_lock:
            self._docs.pop(doc_id, None)
        return deleted.units

    @_leased
    def export_document(self, doc_id: int) -> bytes:
        import io

        self.document(doc_id)
        buf = io.BytesIO()
        service.export_writer(self.tm, service.ExportRequest(doc=str(doc_id)))(buf)
        return buf.getvalue()

    # ---------------------------------------------------------------- helpers
    def _documents(self, ids: set[int]) -> dict[int, Document]:
        """Documents by id, from a cache refreshed when an id is not in it yet."""
        with self._docs_lock:
            if not ids <= self._docs.keys():
                self._docs = {d.id: d for d in service.documents(self.tm)}
            return {i: self._docs[i] for i in ids if i in self._docs}


def _diff(query: str, hit: service.Hit) -> list[list[int]]:
    """Offsets of the words of a fuzzy hit that differ from the query (as the CLI marks them)."""
    from tm.search.fuzzy import diff_ranges

    return diff_ranges(query, hit.unit.en if hit.lang == "en" else hit.unit.ru)
