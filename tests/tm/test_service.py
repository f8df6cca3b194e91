"""tm.service, the layer the CLI and the web server share: same hits, typed results."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tm import service
from tm.cli import app
from tm.errors import TMError
from tm.store import TM, DocumentIn, UnitIn


@pytest.fixture()
def tm(memory_at: str):
    with TM.open(memory_at) as store:
        doc, _ = store.add_document(DocumentIn(title="Prices", fingerprint="p"))
        store.add_units([UnitIn("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
                         UnitIn("Gas prices fell.", "Цены на газ упали.")], document=doc)
        yield store


def test_search_hits_are_what_the_cli_prints(tm: TM) -> None:
    result = service.search(tm, service.SearchRequest("Oil prices rose by 7% in May."))
    assert [h.kind for h in result.hits][:1] == [service.Kind.fuzzy]
    assert result.hits[0].doc == "Prices"
    cli = CliRunner().invoke(app, ["search", "Oil prices rose by 7% in May.", "--db",
                                   tm.target, "--json"])
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


def test_missing_units_and_documents_are_not_found(tm: TM) -> None:
    for call in (lambda: service.get_unit(tm, 9), lambda: service.history(tm, 9),
                 lambda: service.edit_unit(tm, service.EditRequest(9, en="x")),
                 lambda: service.undo_edit(tm, 9), lambda: service.delete_unit(tm, 9),
                 lambda: service.edits(tm, 9)):
        with pytest.raises(service.NotFound, match="no unit 9") as info:
            call()
        assert (info.value.what, info.value.key) == ("unit", 9)
    for call in (lambda: service.document(tm, 7), lambda: service.document_units(tm, 7),
                 lambda: service.delete_document(tm, 7)):
        with pytest.raises(service.NotFound, match="no document 7"):
            call()


def test_history_lists_earlier_texts_newest_first(tm: TM) -> None:
    assert service.history(tm, 2) == []
    service.edit_unit(tm, service.EditRequest(2, en="Gas prices dropped."))
    service.edit_unit(tm, service.EditRequest(2, ru="Цены на газ снизились."))
    earlier = service.history(tm, 2)
    assert [(e.en, e.ru, e.origin) for e in earlier] == [
        ("Gas prices dropped.", "Цены на газ упали.", "edited"),
        ("Gas prices fell.", "Цены на газ упали.", "imported")]
    assert service.undo_edit(tm, 2).ru == earlier[0].ru
    assert len(service.history(tm, 2)) == 1


def test_an_edit_that_changes_nothing_is_refused(tm: TM) -> None:
    with pytest.raises(TMError, match="unit 2 already holds this text"):
        service.edit_unit(tm, service.EditRequest(2, en=" Gas prices fell. "))
    assert (service.edits(tm, 2), service.get_unit(tm, 2).origin) == (0, "imported")


def test_read_article_takes_text_html_or_a_url(tm: TM) -> None:
    html = "<html><body><article><h1>Gas</h1><p>Gas prices fell sharply on Monday in all" \
           " regions of the country, traders said.</p></article></body></html>"
    assert "Gas prices fell sharply" in service.read_article(html, kind=service.ArticleKind.html)
    assert service.read_article("Gas.", kind=service.ArticleKind.text) == "Gas."
    with pytest.raises(TMError, match="not an http"):
        service.read_article("/etc/passwd", kind=service.ArticleKind.url)
    with pytest.raises(service.PrivateAddress):
        service.read_article("http://127.0.0.1:9/", kind=service.ArticleKind.url,
                             private_urls=False)


def test_a_searcher_can_share_a_vector_index(tm: TM) -> None:
    import numpy as np

    from tm.vectors import embed as vectors
    from tm.vectors.ann import VectorSearch

    class Fake:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 4), dtype=np.float32) / 2

    tm.set_setting("embedding_model", "fake")
    tm.set_setting("embedding_dim", "4")
    vectors.store_vectors(tm, [1, 2], np.full((2, 4), 60, dtype=np.int8))
    shared = VectorSearch(tm)
    asked: list[int] = []
    s = service.searcher(tm, encoder=Fake(), vectors=lambda: asked.append(1) or shared)
    hits = service.search(tm, service.SearchRequest("prices", mode=service.Mode.semantic,
                                                    model="fake"), searcher=s).hits
    # on PostgreSQL pgvector answers and the process-side index is never asked
    assert {h.unit.id for h in hits} == {1, 2} and asked == ([] if tm.vectors_in_database else [1])


def test_a_live_index_follows_vectors_added_and_dropped(tm: TM) -> None:
    import numpy as np

    from tm.service import live
    from tm.vectors import embed as vectors

    tm.set_setting("embedding_dim", "4")
    vectors.store_vectors(tm, [1], np.array([[127, 0, 0, 0]], dtype=np.int8))
    index = live.LiveIndex()
    q = np.array([0, 1, 0, 0], dtype=np.float32)
    assert [i for i, _ in index.get(tm, live.stamp(tm)).search(q, 2)] == [1]
    vectors.store_vectors(tm, [2], np.array([[0, 127, 0, 0]], dtype=np.int8))
    hits = index.get(tm, live.stamp(tm)).search(q, 2)
    assert [i for i, _ in hits] == [2, 1] and hits[0][1] > 0.99 and index.loads == 1
    tm.delete_vectors([1])
    assert [i for i, _ in index.get(tm, live.stamp(tm)).search(q, 2)] == [2]
    assert index.loads == 2
