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


def test_an_export_names_local_files_without_their_folders(tmp_path) -> None:
    """A freelancer receiving an export learns the story's file names, not the folders of the
    machine that added it; URLs stay as they are."""
    import io

    from tm.store import TM, DocumentIn, UnitIn
    from tm.tmx import export_tmx

    with TM.open(tmp_path / "m.db") as tm:
        doc, _ = tm.add_document(DocumentIn(
            title="Dam", en_path="/home/ann/stories/2024/dam.en.txt",
            ru_path="https://example.org/ru/dam", fingerprint="f"))
        tm.add_units([UnitIn("The dam held.", "Дамба выдержала.")], document=doc)
        buf = io.BytesIO()
        export_tmx(tm, buf)
    tmx = buf.getvalue().decode("utf-8")
    assert "/home/ann" not in tmx and "stories" not in tmx
    assert "dam.en.txt" in tmx and "https://example.org/ru/dam" in tmx


def test_reimporting_an_export_keeps_the_origins_people_gave(tmp_path) -> None:
    """edited and translated stay so in the memory that imports the export; the others are
    imported (they came from a file)."""
    from tm.store import TM, UnitIn
    from tm.tmx import export_tmx, import_tmx

    with TM.open(tmp_path / "a.db") as tm:
        tm.add_units([UnitIn("One.", "Один.")], origin="aligned")
        tm.add_units([UnitIn("Two.", "Два.")], origin="translated")
        tm.add_units([UnitIn("Three.", "Три.")], origin="aligned")
        tm.edit_unit(3, ru="Три!")
        with open(tmp_path / "a.tmx", "wb") as out:
            export_tmx(tm, out)
    with TM.open(tmp_path / "b.db") as tm:
        import_tmx(tm, tmp_path / "a.tmx")
        got = {u.en: u.origin for u in tm.iter_units()}
        with open(tmp_path / "b.tmx", "wb") as out:
            export_tmx(tm, out)
    assert got == {"One.": "imported", "Two.": "translated", "Three.": "edited"}
    again = (tmp_path / "b.tmx").read_text(encoding="utf-8")
    assert again.count("x-diptych-origin") == 2  # once a TU, not once more a round trip
