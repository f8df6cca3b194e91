"""Storing an aligned article pair: the library behind ``diptych add`` (one pair or a batch).

Beads under ``min_score`` (0.5: more likely wrong than right) are kept out of the TM, and beads
with an empty side or without a letter on either side (a date line "14.10.2024", a score "2:1":
nothing to look up or translate) are not units; all are counted in the summary. Stored beads
under the weak threshold ``align`` flags and the editor marks (align.types.WEAK_BELOW, 0.85) are
counted too: their units say "unreviewed alignment, 0.62" in lookups until edited
(tm.store.Unit.unreviewed). The document is identified by the SHA-256 of
both files (of the extracted text for URLs), the same whether a pair comes alone or in a batch,
so adding the same pair twice adds nothing. Vectors for semantic search are computed before the write transaction (the database stays unlocked while the encoder runs),
then the document, its units and their vectors are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from align.embed import DEFAULT_MODEL
from align.sources import MAX_BYTES, SourceText, file_sha256, is_url
from align.types import WEAK_BELOW, Alignment
from tm.store import TM, DocumentIn, UnitIn
from tm.vectors.embed import check_model, store_vectors, unit_vectors

if TYPE_CHECKING:
    from align.embed import Encoder


@dataclass(frozen=True)
class AddResult:
    """What storing one article pair did."""

    doc_id: int
    new_document: bool
    added: int = 0
    existing: int = 0
    weak: int = 0
    one_sided: int = 0
    embedded: int = 0
    kept_weak: bool = False
    letterless: int = 0
    unreviewed: int = 0

    def summary(self, path: Path) -> str:
        if not self.new_document:
            return f"already in {path} (document {self.doc_id}): nothing added"
        weak = (f"{self.weak} pairs under --min-score stored (--keep-weak)" if self.kept_weak
                else f"{self.weak} pairs under --min-score left out"
                + (" (`diptych review EN RU` corrects them, --keep-weak stores them)"
                   if self.weak else ""))
        return (f"stored document {self.doc_id} in {path}: {self.added} new units"
                f" ({self.unreviewed} weak, under {WEAK_BELOW}: marked 'unreviewed alignment'"
                f" in lookups until edited), {self.existing} already there, {weak},"
                f" {self.one_sided} one-sided beads skipped,"
                + (f" {self.letterless} without letters skipped," if self.letterless else "")
                + f" {self.embedded} embedded")


@dataclass(frozen=True)
class Prepared:
    """One article pair ready to store: its document, units and their vectors (computed before
    any write, so the database stays unlocked while the encoder runs)."""

    document: DocumentIn
    units: tuple[UnitIn, ...]
    vectors: np.ndarray | None
    weak: int
    one_sided: int
    warnings: tuple[str, ...] = ()
    kept_weak: bool = False
    letterless: int = 0
    unreviewed: int = 0


def content_hash(source: str, max_bytes: int = MAX_BYTES) -> str | None:
    """SHA-256 of a local regular file of at most ``max_bytes``, before reading it as a story;
    ``None`` for a URL, a missing or too large file, a device or FIFO (known only once read)."""
    if is_url(source):
        return None
    return file_sha256(Path(source).expanduser(), max_bytes)


class Hashed(Protocol):
    """What a pair's fingerprint is made of (a :class:`SourceText`, or the editor's edition)."""

    @property
    def file_hash(self) -> str | None: ...

    @property
    def content_hash(self) -> str: ...


def fingerprint_of(en: Hashed, ru: Hashed) -> str:
    """A pair's identity: each file's SHA-256 as read (local files), else the extracted text's
    (URLs, whose menus and ads change on every visit). Equal to :func:`content_hash` of a file."""
    return f"{en.file_hash or en.content_hash}:{ru.file_hash or ru.content_hash}"


def document_for(en: SourceText, ru: SourceText, *, fingerprint: str, title: str | None = None,
                 url: str | None = None, date: str | None = None,
                 meta: Mapping[str, Any] | None = None) -> DocumentIn:
    """The document row of a pair: explicit title/url/date first, then what the pages say."""
    extra: dict[str, Any] = {"en_source": en.source, "ru_source": ru.source, **(meta or {})}
    for side, src in (("en", en), ("ru", ru)):
        extra.update({f"{side}_{k}": v for k, v in (("title", src.title), ("author", src.author),
                                                   ("date", src.date), ("url", src.canonical_url))
                      if v})
    en_hash, ru_hash = fingerprint.split(":", 1)
    return DocumentIn(
        title=title or en.title or ru.title or Path(en.source.rstrip("/")).stem,
        url=url or en.canonical_url or (en.source if is_url(en.source) else None),
        date=date or en.date or ru.date, en_path=en.source, ru_path=ru.source,
        en_sha256=en_hash, ru_sha256=ru_hash, fingerprint=fingerprint, meta=extra)


def prepare(al: Alignment, document: DocumentIn, *, min_score: float,
            encoder: Encoder | None, keep_weak: bool = False) -> Prepared:
    """Units of the beads and their vectors. Beads under ``min_score`` are counted (``weak``),
    and left out unless ``keep_weak``; stored beads under the weak threshold ``align`` flags
    (align.types.WEAK_BELOW) are counted as ``unreviewed`` (they carry the mark in lookups);
    one-sided beads and beads without a letter on either side are counted and never units."""
    units: list[UnitIn] = []
    weak = one_sided = letterless = 0
    for position, (en, ru, bead) in enumerate(al.pairs()):
        if not en.strip() or not ru.strip():
            one_sided += 1
        elif not any(c.isalpha() for c in en + ru):
            letterless += 1
        elif bead.score < min_score and not keep_weak:
            weak += 1
        else:
            weak += bead.score < min_score
            units.append(UnitIn(en, ru, score=round(float(bead.score), 4), position=position))
    vecs = unit_vectors(encoder, [u.en for u in units], [u.ru for u in units]) \
        if encoder is not None and units else None
    unreviewed = sum(u.score is not None and u.score < WEAK_BELOW for u in units)
    return Prepared(document, tuple(units), vecs, weak, one_sided, tuple(al.warnings),
                    keep_weak, letterless, unreviewed)


def store_prepared(tm: TM, p: Prepared, *, model: str) -> AddResult:
    """Write the document, its units and vectors in one transaction (nothing if already there)."""
    with tm.transaction():
        doc_id, new = tm.add_document(p.document)
        if not new:  # stored before, or by another process meanwhile
            return AddResult(doc_id, False)
        stored = tm.insert_units(p.units, document=doc_id, origin="aligned")
        ids = [unit_id for unit_id, _ in stored if unit_id is not None]  # prepare() drops empties
        added = sum(new is True for _, new in stored)
        existing = len(ids) - added
        if p.vectors is not None:
            check_model(tm, model, p.vectors.shape[1])
            store_vectors(tm, ids, p.vectors)
    return AddResult(doc_id, True, added, existing, p.weak, p.one_sided,
                     0 if p.vectors is None else len(ids), p.kept_weak, p.letterless,
                     p.unreviewed)


def read_side(source: str, *, role: str, timeout: float, max_bytes: int,
              public_only: bool = False) -> SourceText:
    """One edition (file or URL); problems become an :class:`InputError` naming ``role``.
    ``public_only`` refuses URLs of private addresses (:func:`align.sources.fetch.fetch`)."""
    from align.errors import InputError
    from align.sources import read_source

    if source == "-":
        raise InputError(f"{role}: reading from stdin is not supported; pass a file path or URL")
    try:
        return read_source(source, timeout=timeout, max_bytes=max_bytes, public_only=public_only)
    except InputError as exc:  # the same class (a PrivateAddress stays one), the role named
        raise type(exc)(f"{role}: {exc}") from None


def refuse_unrelated(al: Alignment, *, keep_weak: bool) -> None:
    """:class:`TMError` when the two texts do not look like editions of one story (their
    :func:`align.aligner.relatedness` is under ``UNRELATED_BELOW``), unless ``keep_weak``:
    their best pairs would only fill the memory with wrong translations."""
    from tm.errors import TMError

    if al.looks_unrelated and not keep_weak:
        raise TMError("not stored: these do not look like two editions of one story (their"
                      " closest sentences are hardly closer than random pairs); check the files,"
                      " or store them anyway with --keep-weak")


def add_pair(tm: TM, en_source: str, ru_source: str, *, encoder: Encoder, model: str = DEFAULT_MODEL,
             min_score: float = 0.5, title: str | None = None, url: str | None = None,
             date: str | None = None, timeout: float = 20.0, max_bytes: int = MAX_BYTES,
             keep_weak: bool = False) -> tuple[AddResult, tuple[str, ...]]:
    """Read (files or URLs), align and store one article pair: ``diptych add``.

    Returns what was stored and the aligner's warnings. A pair already in the TM (same
    fingerprint) is not aligned again.
    """
    from align.pipeline import align_texts

    en = read_side(en_source, role="English edition", timeout=timeout, max_bytes=max_bytes)
    ru = read_side(ru_source, role="Russian edition", timeout=timeout, max_bytes=max_bytes)
    fingerprint = fingerprint_of(en, ru)
    known = tm.find_document(fingerprint)
    if known is not None:
        return AddResult(known, False), ()
    al = align_texts(en.text, ru.text, encoder=encoder)
    refuse_unrelated(al, keep_weak=keep_weak)
    doc = document_for(en, ru, fingerprint=fingerprint, title=title, url=url, date=date)
    p = prepare(al, doc, min_score=min_score, encoder=encoder, keep_weak=keep_weak)
    return store_prepared(tm, p, model=model), p.warnings
