"""A unit's documents in TMX: one ``<prop type="x-diptych-doc">`` per document link.

The value is a small JSON object with the document's title, URL, date, file paths and hashes,
fingerprint and the unit's position in it, so an export imported elsewhere restores the
documents and links (``import -> export -> import`` keeps them). Other tools keep or ignore
props (TMX 1.4b: user-defined ``x-`` types). Drafts written by ``pretranslate`` carry
``x-diptych-draft``: such a TU is a suggestion, not a translation, and import leaves it out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from align.clean import clean_text
from tm.store import DocumentIn

DOC_PROP = "x-diptych-doc"
DOCS_HEADER_PROP = "x-diptych-docs"
"""A header prop of diptych's exports: every TU lists its documents (none: it had none)."""
DRAFT_PROP = "x-diptych-draft"
MATCH_PROP = "x-diptych-match"
_FIELDS = ("title", "url", "date", "en_path", "ru_path", "en_sha256", "ru_sha256",
           "fingerprint")


ORIGIN_PROP = "x-diptych-origin"
"""A unit's origin when a person made it (``edited``, ``translated``): an export imported again
keeps it, where any other unit becomes ``imported``."""
KEPT_ORIGINS = ("edited", "translated")


def file_name(path: str) -> str:
    """A document's source as an export shows it: a URL as it is, a local file by its name only
    (the folders of the machine that added it are nobody's business: a freelancer receives
    the export)."""
    if "://" in path:
        return path
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def doc_prop_value(doc: Any, position: int) -> str:
    """The JSON value of a document link (``doc``: a stored Document); file paths by their
    name only (:func:`file_name`)."""
    data: dict[str, Any] = {f: getattr(doc, f) for f in _FIELDS if getattr(doc, f) is not None}
    for f in ("en_path", "ru_path"):
        if f in data:
            data[f] = file_name(str(data[f]))
    data["position"] = position
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


MAX_FIELD = 1_000
"""Longest title (URL, path) kept from a TMX document prop (characters); longer is cut. A
headline is under 200 characters; a 2 MB title made the editor unable to save the document."""


def _valid(field: str, value: str) -> bool:
    """Whether a document field from a TMX can be stored: a date must be a real YYYY-MM-DD
    (``2026-13-45`` is dropped), nothing longer than :data:`MAX_FIELD` but the title, cut."""
    if field == "date":
        try:
            return len(value) == 10 and bool(date.fromisoformat(value))
        except ValueError:
            return False
    return field == "title" or len(value) <= MAX_FIELD


def doc_from_prop(value: str) -> tuple[DocumentIn, int] | None:
    """The document and position of a link prop; None when the value is not one of ours."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("position"), int):
        return None
    fields = {f: clean_text(str(data[f])) for f in _FIELDS
              if isinstance(data.get(f), (str, int))}
    fields = {f: v for f, v in fields.items() if _valid(f, v)}
    if "title" in fields:
        fields["title"] = " ".join(fields["title"].split())[:MAX_FIELD]
    if "fingerprint" not in fields:  # a document without one is found by its title and URL
        key = json.dumps([fields.get("title"), fields.get("url"), fields.get("date")],
                         ensure_ascii=False)
        fields["fingerprint"] = "tmx-doc:" + key
    return DocumentIn(title=fields.get("title") or None, url=fields.get("url"), date=fields.get("date"),
                      en_path=fields.get("en_path"), ru_path=fields.get("ru_path"),
                      en_sha256=fields.get("en_sha256"), ru_sha256=fields.get("ru_sha256"),
                      fingerprint=fields["fingerprint"]), int(data["position"])


def origin_of(props: Iterable[Any]) -> tuple[str, list[Any]]:
    """The origin a TU asks for (``imported`` unless it carries one of :data:`KEPT_ORIGINS`)
    and its other props."""
    origin, rest = "imported", []
    for p in props:
        if p.type == ORIGIN_PROP and not p.attrs:
            origin = p.value if p.value in KEPT_ORIGINS else origin
            continue
        rest.append(p)
    return origin, rest


def split_props(props: Iterable[Any]) -> tuple[list[tuple[DocumentIn, int]], bool, list[Any]]:
    """A TU's props as ``(document links, is a draft, the other props)``."""
    links: list[tuple[DocumentIn, int]] = []
    draft = False
    rest = []
    for p in props:
        if p.type == DOC_PROP and not p.attrs:
            link = doc_from_prop(p.value)
            if link is not None:
                links.append(link)
                continue
        if p.type == DRAFT_PROP:
            draft = draft or p.value.strip().lower() not in ("", "no", "false", "0")
        rest.append(p)
    return links, draft, rest


def doc_props(links: Sequence[tuple[int, int]], docs: Mapping[int, Any]) -> list[tuple[str, str]]:
    """``(type, value)`` of the link props of a unit's ``(document id, position)`` links."""
    return [(DOC_PROP, doc_prop_value(docs[d], pos)) for d, pos in links if d in docs]
