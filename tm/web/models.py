"""The JSON shapes of the API (they make the OpenAPI description at /api/openapi.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tm.store import Document, Unit

MAX_QUERY = 2_000
MAX_TEXT = 20_000
"""Longest text accepted for one side of a unit."""


class Hit(BaseModel):
    """One lookup hit: the fields of ``diptych search --json``, plus ``diff``, ``doc_url`` and
    ``doc_date`` for the page. Fields added by newer lookups pass through unchanged."""

    model_config = ConfigDict(extra="allow")
    en: str
    ru: str
    match: int | None = Field(description="CAT match % (exact/fuzzy), or null")
    similarity: float | None = Field(
        default=None, description="calibrated similarity of a semantic neighbour (0-1)")
    kind: str = Field(description="exact, fuzzy, concordance, semantic")
    lang: str = Field(description="the side that matched the query (en or ru)")
    part: bool = Field(default=False, description="one sentence of the unit matched")
    spans: list[list[int]] = Field(
        default=[], description="[start, stop] of the query's words (or the matched sentence)"
        " on the lang side")
    translation: str | None = Field(default=None, description="the words that translate them")
    translation_span: list[int] | None = Field(
        default=None, description="[start, stop] of the translation on the other side")
    doc: str | None = Field(description="title (or URL) of the unit's first document")
    doc_id: int | None
    id: int
    score: float | None = Field(description="alignment confidence, when aligned")
    origin: str
    diff: list[list[int]] = Field(
        default=[], description="[start, stop] of the words of a fuzzy hit that differ from"
        " the query, on the lang side")
    doc_url: str | None = None
    doc_date: str | None = None


class SearchOut(BaseModel):
    query: str
    mode: str
    hits: list[Hit]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    units: int
    read_only: bool


class PretranslateIn(BaseModel):
    """The article: exactly one of ``text``, ``html`` (a saved page) or ``url``."""

    text: str | None = None
    html: str | None = None
    url: str | None = Field(default=None, max_length=2_000)
    lang: Literal["en", "ru"] | None = Field(default=None,
                                             description="the article's language (detected)")
    min_fill: int = Field(default=75, ge=50, le=100,
                          description="fill in matches of at least this %")


class Band(BaseModel):
    band: str
    segments: int
    words: int
    percent: int


class PretranslateOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    lang: str
    target_lang: str
    analysis: list[Band]
    segments: list[dict[str, Any]] = Field(
        description="one object a sentence, as `pretranslate --format jsonl` writes it")


class DocLink(BaseModel):
    doc_id: int
    position: int


class UnitOut(BaseModel):
    id: int
    en: str
    ru: str
    score: float | None
    origin: str
    created: str
    changed: str
    docs: list[DocLink]
    edits: int | None = Field(default=None, description="edits that can be undone")

    @classmethod
    def of(cls, u: Unit, edits: int | None = None) -> UnitOut:
        return cls(id=u.id, en=u.en, ru=u.ru, score=u.score, origin=u.origin,
                   created=u.created, changed=u.changed,
                   docs=[DocLink(doc_id=d, position=p) for d, p in u.docs], edits=edits)


class EarlierOut(BaseModel):
    """A unit's text before one of its edits (``edited``: when it was replaced)."""

    en: str
    ru: str
    origin: str
    changed: str
    edited: str


class UnitEdit(BaseModel):
    """New text for one side or both (a side left out keeps its text)."""

    en: str | None = Field(default=None, max_length=MAX_TEXT)
    ru: str | None = Field(default=None, max_length=MAX_TEXT)


class UnitNew(BaseModel):
    """A unit written by hand."""

    en: str = Field(min_length=1, max_length=MAX_TEXT)
    ru: str = Field(min_length=1, max_length=MAX_TEXT)
    doc_id: int | None = Field(default=None, description="put it at the end of this document")


class DocumentOut(BaseModel):
    id: int
    title: str | None
    url: str | None
    date: str | None
    units: int
    added: str

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        return cls(id=d.id, title=d.title, url=d.url, date=d.date, units=d.units, added=d.added)


class DocumentUnits(BaseModel):
    document: DocumentOut
    units: list[UnitOut]


class Deleted(BaseModel):
    deleted_units: int
