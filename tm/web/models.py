"""The request and response bodies of the API (they make the OpenAPI description at
/api/openapi.json). Units, documents and hits are :mod:`tm.service.shapes`' TypedDicts, the
shapes ``--json`` prints too."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tm.service.shapes import DocumentJSON, HitJSON, UnitJSON

__all__ = ["MAX_URL_QUERY", "DocumentJSON", "HitJSON", "UnitJSON"]  # with the models below

MAX_URL_QUERY = 2_000
"""Longest query in a URL (``/api/search?q=``, ``/?q=``): 2,000 Cyrillic characters are 12 KB
percent-encoded, under the 16 KB a request line may take; the CLI takes up to
:data:`tm.search.searcher.MAX_QUERY` (10,000, a paragraph), and longer text goes to pretranslate."""

MAX_TEXT = 20_000
"""Longest text accepted for one side of a unit."""


class SearchOut(BaseModel):
    query: str
    mode: str
    hits: list[HitJSON]


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


class EarlierOut(BaseModel):
    """A unit's text before one of its edits (``edited``: when it was replaced)."""

    en: str
    ru: str
    origin: str
    changed: str
    edited: str
    changed_by: str | None = Field(None, description="who made this text")
    edited_by: str | None = Field(None, description="who replaced it")
    version: int | None = Field(None, description="the unit's version that held it")


class UnitEdit(BaseModel):
    """New text for one side or both (a side left out keeps its text)."""

    en: str | None = Field(default=None, max_length=MAX_TEXT)
    ru: str | None = Field(default=None, max_length=MAX_TEXT)
    version: int | None = Field(default=None, ge=1, description=(
        "the unit's version this edit is based on: refused (409) if the unit has changed"
        " since (left out: no check)"))


class UnitNew(BaseModel):
    """A unit written by hand."""

    en: str = Field(min_length=1, max_length=MAX_TEXT)
    ru: str = Field(min_length=1, max_length=MAX_TEXT)
    doc_id: int | None = Field(default=None, description="put it at the end of this document")


class DocumentUnits(BaseModel):
    document: DocumentJSON
    units: list[UnitJSON]


class Deleted(BaseModel):
    deleted_units: int
