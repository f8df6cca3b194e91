"""The editor's API: align, save (one document, origins), replace a document's units (no
duplicates, units shared with another document kept) and undo it; bad beads and refused
reads get one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.editor_pair import RIGHT, WRONG
from tm.store import TM, DocumentIn, UnitIn


def state(pairs: list[tuple[str, str]], **extra: object) -> dict:
    """Editor state with one sentence a side per bead."""
    return {"src": [en for en, _ in pairs], "tgt": [ru for _, ru in pairs],
            "beads": [{"src": [i], "tgt": [i], "score": 0.9} for i in range(len(pairs))],
            **extra}


def units_of(db: Path, doc: int) -> list[tuple[str, str, str]]:
    with TM.open(db, create=False) as tm:
        return [(u.en, u.ru, u.origin) for u in tm.iter_units(doc=doc)]


def test_save_stores_one_document_with_the_edited_beads_marked(client, memory: Path) -> None:
    body = state(RIGHT[:3], title="Transport", url="https://example.org/t", date="2024-05-06",
                 fingerprint="abc:def")
    body["beads"][1]["edited"] = True
    body["beads"][1]["score"] = None
    body["src"].append("Opposition deputies walked out.")  # an omission: not a unit
    body["beads"].append({"src": [3], "tgt": [], "edited": True})
    r = client.post("/api/align/save", json=body)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (saved["units"], saved["added"], saved["linked"], saved["undoable"]) == (3, 3, 0, 0)
    assert units_of(memory, saved["doc_id"]) == [
        (*RIGHT[0], "aligned"), (*RIGHT[1], "edited"), (*RIGHT[2], "aligned")]
    with TM.open(memory, create=False) as tm:
        doc = tm.documents()[-1]
        assert (doc.title, doc.url, doc.date, doc.fingerprint) == (
            "Transport", "https://example.org/t", "2024-05-06", "abc:def")
        scores = [u.score for u in tm.iter_units(doc=doc.id)]
    assert scores == [0.9, None, 0.9]
    again = client.post("/api/align/save", json=body)  # the same pair: offered to replace
    assert again.status_code == 409
    assert f"document {saved['doc_id']}" in again.json()["error"]
    assert again.json()["duplicate_of"] == saved["doc_id"]


def test_a_story_stored_already_is_recognised_by_its_units(client, memory: Path) -> None:
    """Saved once (say from HTML), then again from text with a sentence more: another
    fingerprint, most units the same: 409 names the document; new_copy stores it anyway."""
    first = client.post("/api/align/save", json=state(RIGHT[:4], fingerprint="html")).json()
    body = state([*RIGHT[:4], ("One more line.", "Ещё строка.")], fingerprint="text")
    r = client.post("/api/align/save", json=body)
    assert r.status_code == 409
    assert (r.json()["duplicate_of"], r.json()["shared"], r.json()["units"]) == (
        first["doc_id"], 4, 5)
    assert client.post("/api/align/save", json=state(RIGHT[4:6])).status_code == 200
    copy = client.post("/api/align/save", json={**body, "new_copy": True})
    assert copy.status_code == 200 and copy.json()["doc_id"] != first["doc_id"]


def test_replacing_the_offered_copy_is_refused_when_it_changed_meanwhile(
        client, memory: Path) -> None:
    """The duplicate offer carries the stored copy's versions and "Replace it" sends them: a
    colleague's change between the offer and the click is not replaced unseen. So do the
    desk's confirm (the unit's version) and add-unit (the document's)."""
    first = client.post("/api/align/save", json=state(RIGHT[:4], fingerprint="html")).json()
    body = state([*RIGHT[:4], ("One more line.", "Ещё строка.")], fingerprint="text")
    offer = client.post("/api/align/save", json=body).json()
    doc = first["doc_id"]
    assert (offer["duplicate_of"], offer["version"], offer["seen"]) == (
        doc, first["version"], first["seen"])
    unit_id, unit_version = offer["seen"][1]
    assert client.post(f"/api/units/{unit_id}/confirm?version={unit_version}").status_code == 200
    replace = {**body, "doc_id": doc, "version": offer["version"], "seen": offer["seen"]}
    refused = client.post("/api/align/save", json=replace)
    assert refused.status_code == 409 and "changed" in refused.json()["error"]
    assert [u[:2] for u in units_of(memory, doc)] == RIGHT[:4]  # nothing replaced
    again = client.post("/api/align/save", json=body).json()  # offered again: the versions now
    added = client.post("/api/units", json={"en": "By hand.", "ru": "Вручную.", "doc_id": doc})
    assert added.status_code == 201
    replace = {**body, "doc_id": doc, "version": again["version"], "seen": again["seen"]}
    refused = client.post("/api/align/save", json=replace)
    assert refused.status_code == 409 and "document" in refused.json()["error"]
    assert units_of(memory, doc)[-1][:2] == ("By hand.", "Вручную.")
    latest = client.post("/api/align/save", json=body).json()
    replace = {**body, "doc_id": doc, "version": latest["version"], "seen": latest["seen"]}
    done = client.post("/api/align/save", json=replace)
    assert done.status_code == 200, done.text
    assert [u[:2] for u in units_of(memory, doc)] == [*RIGHT[:4], ("One more line.",
                                                                   "Ещё строка.")]


def test_a_link_across_the_order_is_saved_as_its_own_unit(client, memory: Path) -> None:
    body = {"src": ["One.", "Two.", "Three."], "tgt": ["Один.", "Три.", "Два."],
            "beads": [{"src": [0], "tgt": [0], "score": 0.9},
                      {"src": [1], "tgt": [2], "edited": True},
                      {"src": [2], "tgt": [1], "edited": True}]}
    r = client.post("/api/align/save", json=body)
    assert r.status_code == 200, r.text
    assert units_of(memory, r.json()["doc_id"]) == [
        ("One.", "Один.", "aligned"), ("Two.", "Два.", "edited"), ("Three.", "Три.", "edited")]


@pytest.mark.parametrize("beads, why", [
    ([{"src": [0], "tgt": [0]}], "do not cover the English"),
    ([{"src": [0, 0], "tgt": [0]}, {"src": [1], "tgt": [1]}], "do not cover the English"),
    ([{"src": [0, 1], "tgt": [0, 1]}, {"src": [], "tgt": []}], "no sentence on either side"),
    ([{"src": [0], "tgt": []}, {"src": [1], "tgt": []}, {"src": [], "tgt": [0, 1]}],
     "nothing to store"),
])
def test_beads_that_do_not_fit_are_refused(client, beads: list, why: str) -> None:
    body = {"src": ["One.", "Two."], "tgt": ["Один.", "Два."], "beads": beads}
    r = client.post("/api/align/save", json=body)
    assert r.status_code == 400
    assert why in r.json()["error"]


def test_replace_leaves_no_duplicates_keeps_shared_units_and_undoes(client, memory: Path) -> None:
    with TM.open(memory) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Wrong", fingerprint="wrong"))
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in WRONG], document=doc,
                     origin="aligned")
        other, _ = tm.add_document(DocumentIn(title="Shares one unit", fingerprint="other"))
        tm.add_units([UnitIn(*WRONG[3])], document=other, origin="aligned")
        total = tm.count_units()
    loaded = client.get(f"/api/align/documents/{doc}").json()
    assert len(loaded["beads"]) == len(WRONG)
    assert loaded["src"][1:3] == [  # each side split into sentences again
        "The city council approved a new budget for public transport on Monday.",
        "The plan adds twelve bus routes and extends the tram line to the airport."]
    body = state(RIGHT, doc_id=doc)
    for i, pair in enumerate(RIGHT):
        body["beads"][i]["edited"] = pair not in WRONG
    r = client.post("/api/align/save", json=body)
    assert r.status_code == 200, r.text
    saved = r.json()
    # WRONG[1, 2, 4, 5] were held by this document only; WRONG[3] stays for the other one
    assert (saved["units"], saved["added"], saved["linked"], saved["removed"]) == (7, 5, 2, 4)
    assert [(en, ru) for en, ru, _ in units_of(memory, doc)] == RIGHT
    assert units_of(memory, other) == [(*WRONG[3], "aligned")]
    with TM.open(memory, create=False) as tm:
        assert tm.count_units() == total - 4 + 5
        for en, ru in RIGHT:
            assert len(tm.find_exact(ru, "ru")) == 1
    undone = client.post(f"/api/align/documents/{doc}/undo")
    assert undone.status_code == 200, undone.text
    assert [(en, ru, o) for en, ru, o in units_of(memory, doc)] == [
        (en, ru, "aligned") for en, ru in WRONG]
    with TM.open(memory, create=False) as tm:
        assert tm.count_units() == total
    nothing = client.post(f"/api/align/documents/{doc}/undo")
    assert nothing.status_code == 400 and "no saved correction" in nothing.json()["error"]


def test_unknown_documents_are_404(client) -> None:
    assert client.get("/api/align/documents/99").status_code == 404
    assert client.get("/editor/documents/99").status_code == 404
    assert client.post("/api/align/save", json={**state(RIGHT[:1]), "doc_id": 99}).status_code \
        == 404


def test_local_files_are_read_only_by_a_server_without_a_token(client_for, memory: Path,
                                                               root: Path) -> None:
    en, ru = (str(root / f"corpora/sample.{lang}.txt") for lang in ("en", "ru"))
    shared = client_for(memory, token="t" * 20)
    r = shared.post("/api/align", json={"en": {"path": en}, "ru": {"path": ru}},
                    headers={"Authorization": "Bearer " + "t" * 20})
    assert r.status_code == 400 and "reads no local files" in r.json()["error"]
    local = client_for(memory)
    r = local.post("/api/align", json={"en": {"path": en}, "ru": {"path": ru}})
    assert r.status_code == 200, r.text
    got = r.json()
    from tm.ingest.pairs import content_hash

    # the one `add` gives the pair: each file's SHA-256 (tm.ingest.pairs.fingerprint_of)
    assert got["fingerprint"] == f"{content_hash(en)}:{content_hash(ru)}"
    assert len(got["src"]) == 27 and len(got["tgt"]) == 26
    assert [i for b in got["beads"] for i in b["src"]] == list(range(27))
    missing = local.post("/api/align", json={"en": {"path": en + ".nope"}, "ru": {"path": ru}})
    assert missing.status_code == 400 and "English edition" in missing.json()["error"]


def test_read_only_refuses_saves(client_for, memory: Path) -> None:
    ro = client_for(memory, read_only=True)
    assert ro.post("/api/align/save", json=state(RIGHT[:1])).status_code == 403
    assert "read-only" in ro.get("/editor").text


def test_pasted_html_editions_are_extracted_before_aligning(client_for, memory: Path,
                                                            root: Path) -> None:
    """Pasted pages go through the article extractor (not aligned as markup)."""
    def page(lang: str) -> str:
        paras = (root / f"corpora/sample.{lang}.txt").read_text(encoding="utf-8").split("\n\n")
        body = "".join(f"<p>{p}</p>" for p in paras if p.strip())
        return f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"

    r = client_for(memory).post("/api/align", json={"en": {"text": page("en")},
                                                     "ru": {"text": page("ru")}})
    assert r.status_code == 200, r.text
    got = r.json()
    assert len(got["src"]) > 10 and not any("<p>" in s for s in got["src"] + got["tgt"])
