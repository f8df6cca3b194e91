"""tm.tmx_docs: document links as TMX props, and draft TUs recognised."""

from __future__ import annotations

from dataclasses import dataclass

from tm.store import Document
from tm.tmx.docs import DOC_PROP, DRAFT_PROP, doc_from_prop, doc_props, split_props


@dataclass(frozen=True)
class P:
    type: str
    value: str
    attrs: tuple[tuple[str, str], ...] = ()


DOC = Document(3, "Dam closed", "https://example.org/a", "2023-02-11", "a.en.txt", "a.ru.txt",
               "e" * 64, "r" * 64, "sha:abc", "2024-01-01T00:00:00Z", 12)


def test_a_document_link_round_trips_through_its_prop() -> None:
    [(kind, value)] = doc_props([(3, 7), (99, 1)], {3: DOC})  # unknown documents are left out
    assert kind == DOC_PROP
    got = doc_from_prop(value)
    assert got is not None
    doc, position = got
    assert position == 7
    assert (doc.title, doc.url, doc.date, doc.en_sha256, doc.ru_sha256, doc.fingerprint) == (
        DOC.title, DOC.url, DOC.date, DOC.en_sha256, DOC.ru_sha256, DOC.fingerprint)


def test_a_link_without_fingerprint_gets_a_stable_one() -> None:
    a = doc_from_prop('{"title": "T", "url": "u", "position": 0}')
    b = doc_from_prop('{"title": "T", "url": "u", "position": 5}')
    assert a and b and a[0].fingerprint == b[0].fingerprint and a[0].fingerprint


def test_foreign_or_broken_values_are_kept_as_plain_props() -> None:
    assert doc_from_prop("not json") is None
    assert doc_from_prop('{"title": "no position"}') is None
    links, draft, rest = split_props([P(DOC_PROP, "not json"), P("x-other", "1")])
    assert links == [] and not draft and [p.type for p in rest] == [DOC_PROP, "x-other"]


def test_draft_props_are_recognised() -> None:
    assert split_props([P(DRAFT_PROP, "yes")])[1]
    assert not split_props([P(DRAFT_PROP, "no")])[1]
