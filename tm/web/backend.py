"""The one place where the web app calls the translation-memory library.

Every page and API route goes through :class:`Backend`; nothing in ``tm.web`` runs SQL, ranks
hits or formats drafts itself. Hits are the dicts of ``diptych search --json`` (the CLI's own
function), plus what a page needs to show them: the matched side, highlight offsets and the
document's URL and date.

Threads: the server runs blocking calls in a small thread pool; each thread opens its own
connection (SQLite in WAL mode: other processes may add meanwhile) and its own searcher, and
all share one encoder, loaded once.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tm.errors import TMError
from tm.store import TM, Document, Unit


class NotFound(TMError):
    """A unit or document that does not exist (HTTP 404)."""


@dataclass(frozen=True)
class Draft:
    """A pre-translation, ready to render: analysis rows and one dict a segment."""

    lang: str
    target_lang: str
    analysis: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    result: Any

    def download(self, fmt: str) -> tuple[bytes, str, str]:
        """(data, media type, file suffix) of the draft as ``text``, ``jsonl`` or ``tmx``."""
        if fmt == "text":
            return self.result.draft_text().encode("utf-8"), "text/plain; charset=utf-8", "txt"
        if fmt == "jsonl":
            return (self.result.draft_jsonl().encode("utf-8"), "application/x-ndjson",
                    "jsonl")
        from align.cli import tool_version

        buf = io.BytesIO()
        self.result.draft_tmx(buf, version=tool_version())
        return buf.getvalue(), "application/x-tmx+xml", "tmx"


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


class Backend:
    """The memory at ``db`` as the web app sees it."""

    def __init__(self, db: Path, *, model: str | None = None) -> None:
        self.db = Path(db)
        self.model = model
        self._local = threading.local()
        self._encoder: Any = None
        self._encoder_lock = threading.Lock()
        self._docs: dict[int, Document] = {}
        self._docs_lock = threading.Lock()
        TM.open(self.db, create=False).close()  # a missing file fails now, with one line

    # ---------------------------------------------------------------- plumbing
    @property
    def tm(self) -> TM:
        tm = getattr(self._local, "tm", None)
        if tm is None:
            tm = self._local.tm = TM.open(self.db, create=False)
        return tm

    def searcher(self) -> Any:
        from tm.search import Searcher

        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = Searcher(self.tm, encoder=self.encoder(),
                                                model=self.model)
        return s

    def encoder(self) -> Any:
        """The query encoder, loaded once (None while the memory has no embeddings)."""
        with self._encoder_lock:
            if self._encoder is None and self.has_vectors():
                from tm import vectors

                model = self.model or self.tm.get_setting("embedding_model") or \
                    vectors.DEFAULT_MODEL
                self._encoder = _LockedEncoder(vectors.load_query_encoder(model))
            return self._encoder

    def has_vectors(self) -> bool:
        from tm.search import Searcher

        return bool(Searcher(self.tm).has_vectors())

    def warm_up(self) -> None:
        """Load the encoder and open this thread's connection before the first request."""
        self.encoder()

    # ---------------------------------------------------------------- lookups
    def search(self, query: str, *, mode: str = "auto", lang: str | None = None,
               limit: int = 10) -> list[dict[str, Any]]:
        """Hits as ``search --json`` prints them, plus ``lang``, ``highlight``, ``doc_url``,
        ``doc_date``."""
        from tm.commands import _hit_json

        hits = self.searcher().search(query, mode=mode, lang=lang, limit=limit)
        docs = self._documents({d for h in hits for d, _ in h.unit.docs[:1]})
        titles = {i: d.title or d.url or str(i) for i, d in docs.items()}
        out = []
        for hit in hits:
            obj = _hit_json(hit, titles)
            kind = str(getattr(hit.kind, "value", hit.kind))
            obj["kind"] = kind
            obj["lang"] = hit.lang
            obj["highlight"] = _highlight(query, hit.unit, hit.lang, kind)
            doc = docs.get(hit.unit.docs[0][0]) if hit.unit.docs else None
            obj["doc_url"] = doc.url if doc else None
            obj["doc_date"] = doc.date if doc else None
            out.append(obj)
        return out

    def pretranslate(self, *, text: str | None = None, html: str | None = None,
                     url: str | None = None, lang: str | None = None,
                     min_fill: int = 75, timeout: float = 20.0) -> Draft:
        from tm.pretranslate import pretranslate

        article = _article_text(text, html, url, timeout)
        result = pretranslate(self.searcher(), article, lang=lang, min_fill=min_fill)
        total = max(result.analysis()[-1][2], 1)
        analysis = [{"band": band, "segments": segs, "words": n,
                     "percent": round(100 * n / total)} for band, segs, n in result.analysis()]
        segments = [json.loads(line) for line in result.draft_jsonl().splitlines()]
        return Draft(result.lang, result.target_lang, analysis, segments, result)

    # ---------------------------------------------------------------- memory
    def stats(self) -> dict[str, Any]:
        from tm.stats import collect

        return dict(collect(self.tm))

    def documents(self) -> list[Document]:
        return list(self.tm.documents())

    def document(self, doc_id: int) -> Document:
        doc = self._documents({doc_id}).get(doc_id)
        if doc is None:
            raise NotFound(f"no document {doc_id} in the memory")
        return doc

    def document_units(self, doc_id: int) -> list[Unit]:
        self.document(doc_id)
        return list(self.tm.iter_units(doc=doc_id))

    def unit(self, unit_id: int) -> Unit:
        unit = self.tm.get_unit(unit_id)
        if unit is None:
            raise NotFound(f"no unit {unit_id} in the memory")
        return unit

    def edits(self, unit_id: int) -> int:
        """How many edits of the unit can be undone."""
        self.unit(unit_id)
        return len(_interim_history(self.tm, unit_id))

    def edit_unit(self, unit_id: int, *, en: str | None, ru: str | None) -> Unit:
        unit = self.unit(unit_id)
        new_en, new_ru = (en if en is not None else unit.en).strip(), \
            (ru if ru is not None else unit.ru).strip()
        if not new_en or not new_ru:
            raise TMError("a unit needs text on both sides: to remove it, delete the unit")
        if (new_en, new_ru) == (unit.en, unit.ru):
            raise TMError(f"unit {unit_id} already has this text: nothing to change")
        _interim_edit(self.tm, unit, new_en, new_ru)
        return self.unit(unit_id)

    def undo_edit(self, unit_id: int) -> Unit:
        unit = self.unit(unit_id)
        if not _interim_undo(self.tm, unit):
            raise TMError(f"unit {unit_id} has no edit to undo")
        return self.unit(unit_id)

    def delete_unit(self, unit_id: int) -> None:
        self.unit(unit_id)
        _interim_delete_units(self.tm, [unit_id])

    def delete_document(self, doc_id: int) -> int:
        """Delete a document and the units no other document holds; returns their number."""
        self.document(doc_id)
        n = _interim_delete_document(self.tm, doc_id)
        with self._docs_lock:
            self._docs.pop(doc_id, None)
        return n

    def export_document(self, doc_id: int) -> bytes:
        from align.cli import tool_version
        from tm.tmx import export_tmx

        self.document(doc_id)
        buf = io.BytesIO()
        export_tmx(self.tm, buf, doc=doc_id, version=tool_version())
        return buf.getvalue()

    # ---------------------------------------------------------------- helpers
    def _documents(self, ids: set[int]) -> dict[int, Document]:
        """Documents by id, from a cache refreshed when an id is not in it yet."""
        with self._docs_lock:
            if not ids <= self._docs.keys():
                self._docs = {d.id: d for d in self.tm.documents()}
            return {i: self._docs[i] for i in ids if i in self._docs}


def _highlight(query: str, unit: Unit, lang: str, kind: str) -> dict[str, list[list[int]]]:
    """Character ranges to mark: words that differ from the query (fuzzy), the query's words
    (concordance), nothing for a semantic neighbour (a paraphrase differs everywhere)."""
    from tm.search import diff_spans, term_spans
    from tm.textproc import stem_words, words

    text = unit.en if lang == "en" else unit.ru
    if kind in ("fuzzy", "exact"):
        pieces = diff_spans(query, text) if kind == "fuzzy" else []
    elif kind == "concordance":
        pieces = term_spans(text, lang, set(stem_words(words(query.strip('"')), lang)))
    else:
        pieces = []
    ranges: list[list[int]] = []
    pos = 0
    for piece, flagged in pieces:
        if flagged and piece.strip():
            if ranges and not text[ranges[-1][1]:pos].strip():
                ranges[-1][1] = pos + len(piece)  # one mark over neighbouring words
            else:
                ranges.append([pos, pos + len(piece)])
        pos += len(piece)
    return {lang: ranges}


def _article_text(text: str | None, html: str | None, url: str | None, timeout: float) -> str:
    given = [v for v in (text, html, url) if v and v.strip()]
    if len(given) != 1:
        raise TMError("give the article as text, as HTML or as a URL (exactly one)")
    if url:
        from align.sources import read_source

        if not url.strip().lower().startswith(("http://", "https://")):
            raise TMError(f"{url.strip()[:80]!r} is not an http(s) address: the server reads"
                          " no files of its own for a request")

        return read_source(url.strip(), timeout=timeout).text
    if html:
        from align.article import extract_article

        return "\n\n".join(extract_article(html, where="the pasted page").paragraphs)
    assert text is not None
    return text


# ------------------------------------------------------------------ interim memory operations
# Until the service layer (issue 9) lands: edit with history, undo, delete. Replaced by calls
# into tm.service at the merge; nothing else in tm.web touches SQL.
_HISTORY = ("CREATE TABLE IF NOT EXISTS unit_history (id INTEGER PRIMARY KEY, unit_id INTEGER"
            " NOT NULL, en TEXT NOT NULL, ru TEXT NOT NULL, origin TEXT NOT NULL,"
            " changed TEXT NOT NULL, edited TEXT NOT NULL)")


def _fts(tm: TM, op: str, unit_id: int, en: str, ru: str) -> None:
    from tm.textproc import fts_text

    if op == "delete":
        tm.conn.execute("INSERT INTO units_fts (units_fts, rowid, en, ru) VALUES"
                        " ('delete', ?, ?, ?)", (unit_id, fts_text(en, "en"), fts_text(ru, "ru")))
    else:
        tm.conn.execute("INSERT INTO units_fts (rowid, en, ru) VALUES (?, ?, ?)",
                        (unit_id, fts_text(en, "en"), fts_text(ru, "ru")))


def _set_text(tm: TM, unit: Unit, en: str, ru: str, origin: str, changed: str) -> None:
    from tm.store import text_key

    _fts(tm, "delete", unit.id, unit.en, unit.ru)
    tm.conn.execute("UPDATE units SET en = ?, ru = ?, en_key = ?, ru_key = ?, origin = ?,"
                    " changed = ? WHERE id = ?",
                    (en, ru, text_key(en), text_key(ru), origin, changed, unit.id))
    _fts(tm, "insert", unit.id, en, ru)
    tm.conn.execute("DELETE FROM embeddings WHERE unit_id = ?", (unit.id,))


def _interim_edit(tm: TM, unit: Unit, en: str, ru: str) -> None:
    from tm.store import now_iso

    with tm.transaction():
        tm.conn.execute(_HISTORY)
        tm.conn.execute("INSERT INTO unit_history (unit_id, en, ru, origin, changed, edited)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (unit.id, unit.en, unit.ru, unit.origin, unit.changed, now_iso()))
        _set_text(tm, unit, en, ru, "edited", now_iso())


def _interim_undo(tm: TM, unit: Unit) -> bool:
    with tm.transaction():
        tm.conn.execute(_HISTORY)
        row = tm.conn.execute("SELECT id, en, ru, origin, changed FROM unit_history WHERE"
                              " unit_id = ? ORDER BY id DESC LIMIT 1", (unit.id,)).fetchone()
        if row is None:
            return False
        _set_text(tm, unit, row[1], row[2], row[3], row[4])
        tm.conn.execute("DELETE FROM unit_history WHERE id = ?", (row[0],))
        return True


def _interim_history(tm: TM, unit_id: int) -> list[dict[str, Any]]:
    with tm.transaction():
        tm.conn.execute(_HISTORY)
    rows = tm.conn.execute("SELECT en, ru, origin, changed, edited FROM unit_history WHERE"
                           " unit_id = ? ORDER BY id DESC", (unit_id,)).fetchall()
    return [dict(zip(("en", "ru", "origin", "changed", "edited"), r)) for r in rows]


def _interim_delete_units(tm: TM, ids: list[int]) -> None:
    with tm.transaction():
        for unit in tm.get_units(ids).values():
            _fts(tm, "delete", unit.id, unit.en, unit.ru)
            tm.conn.execute("DELETE FROM units WHERE id = ?", (unit.id,))


def _interim_delete_document(tm: TM, doc_id: int) -> int:
    with tm.transaction():
        ids = [int(r[0]) for r in tm.conn.execute(
            "SELECT unit_id FROM unit_docs WHERE doc_id = ?", (doc_id,))]
        tm.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        orphans = [i for i in ids if tm.conn.execute(
            "SELECT 1 FROM unit_docs WHERE unit_id = ? LIMIT 1", (i,)).fetchone() is None]
        _interim_delete_units(tm, orphans)
        return len(orphans)

