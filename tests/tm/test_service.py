"""tm.service, the layer the CLI and the web server share: same hits, typed results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm import service
from tm.cli import app
from tm.errors import TMError
from tm.store import TM, DocumentIn, UnitIn


@pytest.fixture()
def tm(tmp_path: Path):
    with TM.open(tmp_path / "t.db") as store:
        doc, _ = store.add_document(DocumentIn(title="Prices", fingerprint="p"))
        store.add_units([UnitIn("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
                         UnitIn("Gas prices fell.", "Цены на газ упали.")], document=doc)
        yield store


def test_search_hits_are_what_the_cli_prints(tm: TM) -> None:
    result = service.search(tm, service.SearchRequest("Oil prices rose by 7% in May."))
    assert [h.kind for h in result.hits][:1] == [service.Kind.fuzzy]
    assert result.hits[0].doc == "Prices"
    cli = CliRunner().invoke(app, ["search", "Oil prices rose by 7% in May.", "--db",
                                   str(tm.path), "--json"])
    assert [json.loads(line) for line in cli.stdout.splitlines()] == \
        [h.to_json() for h in result.hits]


def test_pretranslate_and_its_draft(tm: TM) -> None:
    result = service.pretranslate(tm, service.PretranslateRequest("Gas prices fell."))
    assert service.draft(result, service.DraftFormat.text) == "Цены на газ упали.\n".encode()
    assert b"<tmx" in service.draft(result, service.DraftFormat.tmx)


def test_memory_operations_return_typed_results(tm: TM) -> None:
    (doc,) = service.documents(tm)
    assert (doc.title, doc.units) == ("Prices", 2)
    assert [u.id for u in service.document_units(tm, doc.id)] == [1, 2]
    edited = service.edit_unit(tm, service.EditRequest(2, en="Gas prices dropped."))
    assert (edited.origin, service.edits(tm, 2)) == ("edited", 1)
    assert service.undo_edit(tm, 2).en == "Gas prices fell."
    assert service.delete_unit(tm, 2).id == 2
    with pytest.raises(TMError, match="no unit 2"):
        service.get_unit(tm, 2)
    gone = service.delete_document(tm, doc.id)
    assert (gone.document.title, gone.links, gone.units) == ("Prices", 1, 1)
    assert service.stats(tm).units == 0


def test_requests_are_checked_before_any_work(tm: TM) -> None:
    with pytest.raises(TMError, match="--date '2024-02-30' is not a date"):
        service.add(tm, service.AddRequest("a.txt", "b.txt", date="2024-02-30"))
    with pytest.raises(TMError, match="--since 'May' is not a date"):
        service.export_writer(tm, service.ExportRequest(since="May"))
