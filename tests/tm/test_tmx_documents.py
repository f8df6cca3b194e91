"""Documents survive TMX: export writes each unit's documents as props, import restores them."""

from __future__ import annotations

import io
from pathlib import Path

from tm.store import TM, DocumentIn, UnitIn
from tm.tmx import export_tmx, import_tmx

STORY = DocumentIn(title="Dam closed before the storm", url="https://example.org/dam",
                   date="2023-02-11", en_path="dam.en.txt", ru_path="dam.ru.txt",
                   en_sha256="e" * 64, ru_sha256="r" * 64, fingerprint="sha:dam")
OTHER = DocumentIn(title="Weather", url="https://example.org/weather", date="2023-02-12",
                   fingerprint="sha:weather")
UNITS = [UnitIn("The dam was closed.", "Дамбу закрыли."),
         UnitIn("The water rose.", "Вода поднялась."),
         UnitIn("It rained.", "Шёл дождь.")]


def documents(tm: TM) -> list[tuple[object, ...]]:
    return sorted((d.title, d.url, d.date, d.en_path, d.ru_path, d.en_sha256, d.ru_sha256,
                   d.fingerprint, d.units) for d in tm.documents())


def links(tm: TM) -> list[tuple[object, ...]]:
    fps = {d.id: d.fingerprint for d in tm.documents()}
    return sorted((u.en, fps[d], pos) for u in tm.iter_units(with_docs=True) for d, pos in u.docs)


def export(tm: TM) -> bytes:
    buf = io.BytesIO()
    export_tmx(tm, buf, version="test")
    return buf.getvalue()


def test_import_export_import_keeps_documents_and_links(tmp_path: Path) -> None:
    with TM.open(tmp_path / "a.db") as a:
        story, _ = a.add_document(STORY)
        other, _ = a.add_document(OTHER)
        a.add_units(UNITS[:2], document=story, origin="aligned")
        a.add_units([UNITS[1], UNITS[2]], document=other, origin="aligned")  # shared unit
        a.add_units([UnitIn("No document.", "Без документа.")])
        (tmp_path / "a.tmx").write_bytes(export(a))
        want_docs, want_links = documents(a), links(a)
    with TM.open(tmp_path / "b.db") as b:
        report = import_tmx(b, tmp_path / "a.tmx")
        assert report.added == 4
        assert documents(b) == want_docs and links(b) == want_links
        (tmp_path / "b.tmx").write_bytes(export(b))
    with TM.open(tmp_path / "c.db") as c:
        import_tmx(c, tmp_path / "b.tmx")
        assert documents(c) == want_docs and links(c) == want_links
    assert (tmp_path / "b.tmx").read_bytes() == (tmp_path / "a.tmx").read_bytes()


def test_a_foreign_tmx_still_becomes_one_document_named_after_the_file(tmp_path: Path) -> None:
    data = ('<tmx version="1.4"><header/><body><tu><tuv xml:lang="en"><seg>Hello</seg></tuv>'
            '<tuv xml:lang="ru"><seg>Привет</seg></tuv></tu></body></tmx>').encode()
    (tmp_path / "memory.tmx").write_bytes(data)
    with TM.open(tmp_path / "t.db") as tm:
        report = import_tmx(tm, tmp_path / "memory.tmx")
        [doc] = tm.documents()
        assert doc.title == "memory.tmx" and doc.units == 1 and report.document == doc.id
