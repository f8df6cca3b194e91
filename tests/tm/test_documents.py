"""A corrected alignment into the memory (tm.service.documents over tm.store.changes): one
document in one transaction, edited beads marked; a stored document's units replaced without
leaving duplicates, undoably; nothing written when a step fails."""

from __future__ import annotations

import numpy as np
import pytest

from tm import service
from tm.errors import TMError
from tm.service import BeadsRequest, EditedBead
from tm.store import TM, DocumentIn, UnitIn, changes

PAIRS = [("Oil prices rose.", "Цены на нефть выросли."),
         ("The budget passed. It was late.", "Бюджет приняли с опозданием."),
         ("Nobody came.", "Никто не пришёл.")]


class Fixed:
    """An encoder whose vectors depend only on the text's length (enough to see them stored)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        v = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            v[i, len(t) % 8] = 1.0
        return v


def request(pairs: list[tuple[str, str]], edited: tuple[int, ...] = (), **meta: str) -> BeadsRequest:
    return BeadsRequest(src=tuple(en for en, _ in pairs), tgt=tuple(ru for _, ru in pairs),
                        beads=tuple(EditedBead((i,), (i,), 0.9, i in edited)
                                    for i in range(len(pairs))), **meta)  # type: ignore[arg-type]


def units(tm: TM, doc: int) -> list[tuple[str, str, str, float | None]]:
    return [(u.en, u.ru, u.origin, u.score) for u in tm.iter_units(doc=doc)]


@pytest.fixture()
def tm(memory_at: str):
    with TM.open(memory_at) as memory:
        yield memory


def test_store_beads_is_one_document_with_edited_beads_marked(tm: TM) -> None:
    req = BeadsRequest(src=("Oil prices rose.", "Dropped.", "Nobody came."),
                       tgt=("Цены на нефть выросли.", "Никто не пришёл."),
                       beads=(EditedBead((0,), (0,), 0.91), EditedBead((1,), (), 0.8, True),
                              EditedBead((2,), (1,), 0.4, True)),
                       title="Oil", url="https://example.org/oil", date="2024-05-06",
                       fingerprint="a:b")
    written = service.store_beads(tm, req, encoder=Fixed(), model="fixed")
    assert (written.units, written.added, written.removed) == (2, 2, 0)
    assert units(tm, written.doc_id) == [
        ("Oil prices rose.", "Цены на нефть выросли.", "aligned", 0.91),
        ("Nobody came.", "Никто не пришёл.", "edited", None)]
    doc = tm.get_document(written.doc_id)
    assert doc is not None and (doc.title, doc.url, doc.date) == (
        "Oil", "https://example.org/oil", "2024-05-06")
    assert tm.count_vectors() == 2 and tm.get_setting("embedding_model") == "fixed"
    with pytest.raises(TMError, match=f"already \\(document {written.doc_id}\\)"):
        service.store_beads(tm, req)
    assert len(tm.documents()) == 1 and tm.count_units() == 2


@pytest.mark.parametrize("beads, message", [
    ((EditedBead((0,), (0,)),), "do not cover the English"),
    ((EditedBead((0, 0), (0,)), EditedBead((1,), (1,))), "do not cover the English"),
    ((EditedBead((0, 1), (0, 1)), EditedBead((), ())), "no sentence on either side"),
    ((EditedBead((0, 1), ()), EditedBead((), (0, 1))), "nothing to store"),
])
def test_beads_that_do_not_fit_write_nothing(tm: TM, beads: tuple, message: str) -> None:
    req = BeadsRequest(src=("One.", "Two."), tgt=("Один.", "Два."), beads=beads)
    with pytest.raises(TMError, match=message):
        service.store_beads(tm, req)
    assert tm.documents() == [] and tm.count_units() == 0


def test_replace_keeps_unchanged_units_drops_orphans_and_undoes(tm: TM) -> None:
    doc, _ = tm.add_document(DocumentIn(title="Story", fingerprint="s"))
    tm.add_units([UnitIn(en, ru, score=0.8) for en, ru in PAIRS], document=doc,
                 origin="aligned")
    other, _ = tm.add_document(DocumentIn(title="Other", fingerprint="o"))
    tm.add_units([UnitIn(*PAIRS[2])], document=other, origin="aligned")
    before = {u.en: u.id for u in tm.iter_units(doc=doc)}
    fixed = [PAIRS[0], ("The budget passed late.", "Бюджет приняли с опозданием."),
             ("Nobody came at all.", "Никто не пришёл.")]
    written = service.replace_beads(tm, doc, request(fixed, edited=(1, 2), title="Corrected",
                                                     date="2024-05-07"))
    assert (written.units, written.added, written.removed, written.undoable) == (3, 2, 1, 1)
    assert units(tm, doc) == [(*fixed[0], "aligned", 0.9), (*fixed[1], "edited", None),
                              (*fixed[2], "edited", None)]
    assert next(tm.iter_units(doc=doc)).id == before[PAIRS[0][0]]  # same unit, same id
    story = tm.get_document(doc)
    assert story is not None and (story.title, story.date) == ("Corrected", "2024-05-07")
    assert tm.count_units() == 3 + 2 - 1  # PAIRS[1] deleted, PAIRS[2] kept for `other`
    assert [u.en for u in tm.iter_units(doc=other)] == [PAIRS[2][0]]
    assert tm.find_exact(PAIRS[1][0], "en") == []
    assert tm.fts_ids("en", "late", 10) and not tm.fts_ids("en", "was", 10)
    again = service.replace_beads(tm, doc, request(fixed[:2]))
    assert (again.units, again.removed, again.undoable) == (2, 1, 2)
    assert service.undo_replace(tm, doc).undoable == 1
    assert [(en, ru) for en, ru, *_ in units(tm, doc)] == fixed
    undone = service.undo_replace(tm, doc)
    assert (undone.units, undone.undoable) == (3, 0)
    assert [(en, ru, o) for en, ru, o, _ in units(tm, doc)] == [
        (en, ru, "aligned") for en, ru in PAIRS]
    assert tm.count_units() == 3 and tm.find_exact("Nobody came at all.", "en") == []
    story = tm.get_document(doc)
    assert story is not None and (story.title, story.date) == ("Story", None)
    with pytest.raises(TMError, match="no saved correction"):
        service.undo_replace(tm, doc)


def test_a_replace_that_fails_midway_changes_nothing(tm: TM,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    doc, _ = tm.add_document(DocumentIn(title="Story", fingerprint="s"))
    tm.add_units([UnitIn(en, ru) for en, ru in PAIRS], document=doc, origin="aligned")

    def broken(store: object, ids: set[int]) -> int:
        raise TMError("disk full")

    monkeypatch.setattr(changes, "_orphans", broken)
    with pytest.raises(TMError, match="disk full"):
        service.replace_beads(tm, doc, request([("New.", "Новое.")], edited=(0,)))
    assert [(en, ru) for en, ru, *_ in units(tm, doc)] == PAIRS
    assert tm.count_units() == 3 and tm.replacements(doc) == 0


def test_replacing_an_unknown_document_is_refused(tm: TM) -> None:
    with pytest.raises(TMError, match="no document 7"):
        service.replace_beads(tm, 7, request(PAIRS[:1]))


def test_undoing_a_save_puts_the_units_back_under_their_ids(tm: TM) -> None:
    """The units the replacement deleted come back with the ids they had (a link to
    /units/1 works again), even where the replacement's new units had taken those ids."""
    written = service.store_beads(tm, request(PAIRS), encoder=Fixed(), model="fixed")
    before = [(u.id, u.en, u.ru) for u in tm.iter_units(doc=written.doc_id)]
    new = [("Prices of oil rose.", "Нефть подорожала."), PAIRS[1], ("Nobody came at all.", "Никто.")]
    service.replace_beads(tm, written.doc_id, request(new, edited=(0, 2)))
    assert {u.en for u in tm.iter_units(doc=written.doc_id)} == {en for en, _ in new}
    service.undo_replace(tm, written.doc_id)
    assert [(u.id, u.en, u.ru) for u in tm.iter_units(doc=written.doc_id)] == before
    assert tm.count_units() == 3


def test_a_unit_may_ask_for_a_free_id_only(tm: TM) -> None:
    doc, _ = tm.add_document(DocumentIn(title="t"))
    assert tm.insert_units([UnitIn("A.", "А.", id=7)], document=doc)[0] == (7, True)
    assert tm.insert_units([UnitIn("B.", "Б.", id=7)], document=doc)[0] == (8, True)
    assert tm.insert_units([UnitIn("C.", "В.")], document=doc)[0] == (9, True)


def test_ids_back_translated_units_placed_on_either_backend(memory_at: str) -> None:
    """The translate page's and the editor's store calls on SQLite and on PostgreSQL: an undone
    save gives the ids back, a confirmed segment is placed (and replaced) at its position with
    origin translated, a unit by hand goes after the last one."""
    with TM.open(memory_at) as tm:
        written = service.store_beads(tm, request(PAIRS))
        before = [(u.id, u.en) for u in tm.iter_units(doc=written.doc_id)]
        service.replace_beads(tm, written.doc_id, request([("New.", "Новое."), *PAIRS[1:]],
                                                          edited=(0,)))
        service.undo_replace(tm, written.doc_id)
        assert [(u.id, u.en) for u in tm.iter_units(doc=written.doc_id)] == before
        assert tm.next_position(written.doc_id) == 3
        first, new = tm.place_unit(written.doc_id, 5, UnitIn("Five.", "Пять."), "translated")
        again, _ = tm.place_unit(written.doc_id, 5, UnitIn("Five.", "Пятый."), "translated")
        units = list(tm.iter_units(doc=written.doc_id, with_docs=True))
        assert new and tm.get_unit(first) is None  # replaced, held by no document: gone
        assert [(u.id, u.ru, u.origin) for u in units][-1] == (again, "Пятый.", "translated")
        assert tm.next_position(written.doc_id) == 6
