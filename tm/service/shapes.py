"""The JSON shapes of units, documents and hits: ONE declaration each, for ``--json`` and the web
API alike (the web's OpenAPI description is made from these TypedDicts).

A field added to what a lookup or a unit carries is added here, once, and both the CLI and the
desk then show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typing_extensions import NotRequired, TypedDict

if TYPE_CHECKING:
    from tm.service.requests import Hit
    from tm.store import Document, Unit


class DocLinkJSON(TypedDict):
    """A document that holds the unit, and the unit's place in it (0-based)."""

    doc_id: int
    position: int


class UnitJSON(TypedDict):
    """A unit as ``edit``/``delete``/``documents --units --json`` print it and the API returns it."""

    id: int
    en: str
    ru: str
    score: float | None
    origin: str
    unreviewed: str | None
    """"unreviewed alignment, 0.62": an aligned unit under the weak threshold (0.85) that
    nobody has edited yet (tm.store.Unit.unreviewed)."""
    created: str
    changed: str
    created_by: str | None
    changed_by: str | None
    version: int
    """Bumped by every change: send it back with an edit or delete to have it refused (409)
    if someone changed the unit meanwhile."""
    docs: list[DocLinkJSON]
    edits: NotRequired[int]
    """Edits that can be undone (when asked for)."""


class DocumentJSON(TypedDict):
    id: int
    title: str | None
    url: str | None
    date: str | None
    units: int
    added: str
    version: int
    changed: str | None
    changed_by: str | None


class HitJSON(TypedDict):
    """One lookup hit, as ``search --json`` prints it and ``/api/search`` returns it.

    ``match``: the CAT match % (exact/fuzzy) or null; ``similarity``: the calibrated 0-1
    similarity of a semantic neighbour or null; ``kind``: exact, fuzzy, concordance, semantic;
    ``lang``: the side that matched; ``part``: one sentence of the unit matched; ``spans``:
    ``[start, stop]`` of the query's words (or the matched sentence) on the ``lang`` side;
    ``translation``/``translation_span``: the words of the other side that translate them;
    ``doc``/``doc_id``: the unit's first document; ``score``: the alignment confidence.
    The desk adds ``diff`` (the words of a fuzzy hit that differ from the query), ``meaning``
    (a semantic hit's similarity in words, tm.search.similarity.meaning), ``doc_url`` and
    ``doc_date``."""

    en: str
    ru: str
    match: int | None
    similarity: float | None
    kind: str
    lang: str
    part: bool
    spans: list[list[int]]
    translation: str | None
    translation_span: list[int] | None
    doc: str | None
    doc_id: int | None
    id: int
    score: float | None
    origin: str
    unreviewed: str | None
    """"unreviewed alignment, 0.62" (see UnitJSON)."""
    diff: NotRequired[list[list[int]]]
    meaning: NotRequired[str | None]
    doc_url: NotRequired[str | None]
    doc_date: NotRequired[str | None]


def unit_json(u: Unit, *, edits: int | None = None) -> UnitJSON:
    out = UnitJSON(id=u.id, en=u.en, ru=u.ru, score=u.score, origin=u.origin,
                   unreviewed=u.unreviewed, created=u.created, changed=u.changed,
                   created_by=u.created_by, changed_by=u.changed_by, version=u.version,
                   docs=[DocLinkJSON(doc_id=d, position=p) for d, p in u.docs])
    if edits is not None:
        out["edits"] = edits
    return out


def document_json(d: Document) -> DocumentJSON:
    return DocumentJSON(id=d.id, title=d.title, url=d.url, date=d.date, units=d.units,
                        added=d.added, version=d.version, changed=d.changed,
                        changed_by=d.changed_by)


def hit_json(h: Hit) -> HitJSON:
    u, t = h.unit, h.translation_span
    return HitJSON(en=u.en, ru=u.ru, match=h.match, similarity=h.similarity, kind=h.kind.value,
                   lang=h.lang, part=h.part, spans=[list(s) for s in h.spans],
                   translation=h.translation, translation_span=None if t is None else list(t),
                   doc=h.doc, doc_id=u.docs[0][0] if u.docs else None, id=u.id, score=u.score,
                   origin=u.origin, unreviewed=u.unreviewed)
