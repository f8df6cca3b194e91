"""What the alignment editor needs from the library: align two editions (the call ``diptych add``
makes), turn a stored document back into beads, and store the corrected beads.

The editor's state is plain data: two lists of sentences and beads of 0-based sentence indices
(like :class:`align.types.Bead`). A bead the editor changed carries ``edited``: stored with origin
``edited`` and no aligner score; untouched beads keep origin ``aligned`` and their score.
Storing goes through :mod:`tm.service` (one transaction each).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typing_extensions import NotRequired, TypedDict

from align.embed import DEFAULT_MODEL as MODEL
from align.types import WEAK_BELOW as ALIGN_WEAK_BELOW
from align.types import Alignment
from tm.errors import TMError
from tm.web.backend import Backend, _LockedEncoder

if TYPE_CHECKING:
    from tm.service import BeadsRequest
    from tm.store import Written

"""The encoder ``diptych add`` aligns with by default."""
WEAK_BELOW = ALIGN_WEAK_BELOW
"""Default review threshold: beads under it go first in the review queue (``align
--weak-below``'s default, from the calibrated confidence)."""
PASTED = "https://pasted.invalid/"
"""The source of a pasted edition (a URL that is never fetched: its fingerprint is its text's)."""


@dataclass(frozen=True)
class Edition:
    """One side as the editor received it: its text and what its page says about it."""

    text: str
    source: str
    content_hash: str
    file_hash: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None


_encoders: dict[str, Any] = {}
_encoders_lock = threading.Lock()


def aligner_encoder(model: str = MODEL) -> Any:
    """The alignment encoder, loaded once per process and shared by the threads."""
    with _encoders_lock:
        if model not in _encoders:
            from tm.vectors.model import load_encoder

            _encoders[model] = _LockedEncoder(load_encoder(model))
        return _encoders[model]


MAX_FILE = 2_000_000
"""Largest file the desk reads for an edition (bytes): the pasted-text limit; a long news story
is 50 KB, so a 2 MB file is already an archive, not one story."""


def read_side(*, text: str | None, url: str | None, path: str | None, role: str,
              allow_paths: bool, timeout: float, public_only: bool = True) -> Edition:
    """One edition from pasted text (plain or HTML), a URL, or (loopback-only desks) a path.

    URLs go through the one fetcher (:func:`align.sources.fetch.fetch`) under the desk's
    address policy (``public_only`` unless the desk serves loopback only or was told
    --allow-private-urls), as pre-translate's; a path must name a regular file of at most
    :data:`MAX_FILE` bytes (a FIFO or a device would hold a worker thread for good)."""
    given = [v for v in (text, url, path) if v and v.strip()]
    if len(given) != 1:
        raise TMError(f"{role}: give it as text, as a URL or as a file path (exactly one)")
    if text:
        if text.lstrip().startswith("<"):
            from align.sources.article import extract_article

            text = "\n\n".join(extract_article(text, where=f"the pasted {role}").paragraphs)
        return Edition(text, PASTED, hashlib.sha256(text.encode("utf-8")).hexdigest())
    if path and not allow_paths:
        raise TMError(f"{role}: this server reads no local files (it has a token): paste the"
                      " text, give a URL, or run `diptych review EN RU` on the server")
    from align.pipeline import read_edition
    from align.sources import is_url

    source = (url or path or "").strip()
    if path:
        _regular_file(source, role)
    elif not is_url(source):
        raise TMError(f"{role}: {source[:200]!r} is not an http(s) URL")
    ed = read_edition(source, role=role, timeout=timeout, max_bytes=MAX_FILE,
                      public_only=public_only and not path)
    return Edition(ed.text, ed.source, ed.content_hash, ed.file_hash, ed.title, ed.date,
                   ed.canonical_url)


def _regular_file(path: str, role: str) -> None:
    """:class:`TMError` unless ``path`` is a regular file (not a FIFO, device or socket)."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        raise TMError(f"{role}: {path[:200]!r} is not a file the desk can read") from None
    if not stat.S_ISREG(mode):
        raise TMError(f"{role}: {path[:200]!r} is not a regular file (a folder, FIFO, device"
                      " or socket); pass a text, Markdown or HTML file")


class BeadState(TypedDict):
    """One bead of the editor's state: sentence ids of each side, its confidence, and the unit
    it was stored as (a stored document reopened)."""

    src: list[int]
    tgt: list[int]
    score: float | None
    edited: bool
    unit: NotRequired[int]


class EditorState(TypedDict):
    """What the editor opens: both sides' sentences, the beads pairing them, the warnings, the
    story's metadata, and for a stored document the versions a save sends back."""

    src: list[str]
    tgt: list[str]
    beads: list[BeadState]
    warnings: list[str]
    fingerprint: str | None
    doc_id: int | None
    title: str
    url: str
    date: str
    sources: list[str | None]
    version: NotRequired[int]
    seen: NotRequired[list[tuple[int, int]]]


def align(en: Edition, ru: Edition) -> EditorState:
    """Align two editions as ``diptych add`` does: sentences, beads, warnings, suggested
    metadata and the pair's fingerprint."""
    from align.pipeline import align_texts
    from tm.ingest.pairs import fingerprint_of

    al = align_texts(en.text, ru.text, encoder=aligner_encoder())
    fingerprint = fingerprint_of(en, ru)  # the one `diptych add` gives the pair
    return EditorState(
        src=[s.text for s in al.src], tgt=[s.text for s in al.tgt],
        beads=[BeadState(src=list(b.src), tgt=list(b.tgt), score=round(b.score, 4),
                         edited=False) for b in al.beads],
        warnings=list(al.warnings), fingerprint=fingerprint, doc_id=None,
        title=en.title or ru.title or _headline(al), url=en.url or ru.url or "",
        date=en.date or ru.date or "", sources=[en.source, ru.source])


def _headline(al: Alignment) -> str:
    """The first English sentence when it is a headline (a short paragraph of its own)."""
    first = al.src[0] if al.src else None
    alone = first is not None and (len(al.src) == 1 or al.src[1].paragraph != first.paragraph)
    return first.text if first is not None and alone and len(first.text) <= 150 else ""


def document_beads(b: Backend, doc_id: int) -> EditorState:
    """A stored document as editor state: one bead a unit, each side split into sentences
    again (so a merged bead can be split)."""
    from align.pipeline import segment

    doc = b.document(doc_id)
    src: list[str] = []
    tgt: list[str] = []
    beads: list[BeadState] = []
    for unit in b.document_units(doc_id):
        en = [s.text for s in segment(unit.en, "en", presplit=False)] or [unit.en]
        ru = [s.text for s in segment(unit.ru, "ru", presplit=False)] or [unit.ru]
        beads.append(BeadState(src=list(range(len(src), len(src) + len(en))),
                               tgt=list(range(len(tgt), len(tgt) + len(ru))),
                               score=unit.score, edited=unit.origin == "edited", unit=unit.id))
        src += en
        tgt += ru
    version, seen = versions(b, doc_id)
    return EditorState(src=src, tgt=tgt, beads=beads, warnings=[], doc_id=doc_id,
                       fingerprint=doc.fingerprint, title=doc.title or "", url=doc.url or "",
                       date=doc.date or "", sources=[doc.en_path, doc.ru_path],
                       version=version, seen=seen)


def versions(b: Backend, doc_id: int) -> tuple[int, list[tuple[int, int]]]:
    """A stored document's version and ``(unit id, version)`` of its units: what a save
    sends back so that a change made meanwhile is refused, not overwritten."""
    return b.document(doc_id).version, [(u.id, u.version) for u in b.document_units(doc_id)]


def save(b: Backend, req: BeadsRequest, *, doc_id: int | None) -> Written:
    """Store the corrected beads (a :class:`tm.service.BeadsRequest`): a new document, or the
    units of ``doc_id`` replaced. One transaction; vectors are computed before it."""
    from tm import service

    with b.lease() as tm:
        if doc_id is None:
            return service.store_beads(tm, req, encoder=aligner_encoder(), model=MODEL)
        b.document(doc_id)
        return service.replace_beads(tm, doc_id, req, encoder=aligner_encoder(), model=MODEL)


def undo_save(b: Backend, doc_id: int, version: int | None = None) -> Written:
    from tm import service

    with b.lease() as tm:
        b.document(doc_id)
        return service.undo_replace(tm, doc_id, version=version)
