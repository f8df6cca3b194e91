"""The translate API (tm.web.translate over tm.service.translate): a story segment by segment,
each confirmed segment in the memory at once with the story as its document."""

from __future__ import annotations

from pathlib import Path

from tm.store import TM

STORY = ("Oil prices rose by 6% in May. Fishermen stayed at home for a week. The harbour froze"
         " early this winter. The mayor promised new icebreakers.\n\nThe city council met on"
         " Friday. It discussed the harbour budget. The harbour froze early this winter. The police"
         " detained two migrants near the port. The government approved the new budget on Wednesday. Nobody"
         " expected the cold.\n")


def test_a_story_segment_by_segment_into_the_memory(client, memory: Path) -> None:
    from tm.terms.lexicon import fit_terms

    with TM.open(memory) as tm:
        fit_terms(tm)  # term translations come from the fitted lexicon
    r = client.post("/api/translate", json={"text": STORY, "title": "Frozen harbour"})
    assert r.status_code == 200, r.text
    data = r.json()
    segs = data["segments"]
    assert len(segs) == 10 and data["lang"] == "en" and data["doc_id"] is None
    assert segs[2]["source"] == segs[6]["source"] and segs[6]["matches"] == []
    oil = segs[0]["matches"][0]  # under 100%: shown with the word that differs and the repair
    assert 75 <= oil["match"] < 100 and oil["source"][slice(*oil["diff"][0])] == "5"
    assert oil["target"] == "Цены на нефть выросли на 6% в мае." and oil["repaired"]
    assert segs[0]["draft"] == oil["target"] and segs[0]["repaired"] == [["5", "6"]]
    budget = segs[8]["matches"][0]
    assert budget["match"] < 100 and "бюджет" in budget["target"]
    found = {t["term"]: t["translation"] for t in segs[7]["terms"]}
    assert (found["migrants"], found["police"]) == ("мигрантов", "Полиция")

    done = client.post("/api/translate/confirm", json={
        "fingerprint": data["fingerprint"], "lang": "en", "n": 2, "source": segs[2]["source"],
        "target": "Этой зимой гавань замёрзла рано.", "title": "Frozen harbour"}).json()
    again = client.post("/api/translate/segment", json={"text": segs[6]["source"], "lang": "en"})
    first = again.json()["matches"][0]
    assert (first["match"], first["target"], first["origin"]) == (
        100, "Этой зимой гавань замёрзла рано.", "translated")
    # confirming it again (corrected) replaces it; the story opened again shows it
    client.post("/api/translate/confirm", json={
        "fingerprint": data["fingerprint"], "lang": "en", "n": 2, "source": segs[2]["source"],
        "target": "Гавань этой зимой замёрзла рано."})
    reopened = client.post("/api/translate", json={"text": STORY}).json()
    assert reopened["doc_id"] == done["doc_id"]
    assert [s["confirmed"] for s in reopened["segments"]][:3] == [
        None, None, "Гавань этой зимой замёрзла рано."]
    with TM.open(memory) as tm:
        doc = tm.get_document(done["doc_id"])
        units = list(tm.iter_units(doc=done["doc_id"], with_docs=True))
    assert doc is not None and doc.title == "Frozen harbour"
    assert [(u.ru, u.origin, u.docs) for u in units] == [
        ("Гавань этой зимой замёрзла рано.", "translated", ((done["doc_id"], 2),))]


def test_the_translation_downloads_as_text_and_tmx(client) -> None:
    segs = [{"paragraph": 0, "source": "One.", "target": "Один.", "confirmed": True},
            {"paragraph": 0, "source": "Two.", "target": "", "confirmed": False},
            {"paragraph": 1, "source": "Three.", "target": "Три.", "confirmed": False}]
    text = client.post("/api/translate/download?format=text", json={"lang": "en",
                                                                     "segments": segs})
    assert text.text == "Один. [not translated] Two.\n\nТри.\n"
    assert 'filename="translation.ru.txt"' in text.headers["content-disposition"]
    tmx = client.post("/api/translate/download?format=tmx", json={"lang": "en",
                                                                  "segments": segs}).text
    assert tmx.count("<tu>") + tmx.count("<tu ") == 2 and tmx.count("x-diptych-draft") == 1


def test_bad_confirmations_are_refused_with_one_line(client) -> None:
    base = {"fingerprint": "translate:abc", "lang": "en", "n": 0, "source": "A.", "target": " "}
    assert client.post("/api/translate/confirm", json=base).status_code == 400
    r = client.post("/api/translate/confirm", json={**base, "target": "А.",
                                                    "fingerprint": "evening"})
    assert r.status_code == 400 and "fingerprint" in r.json()["error"]


def test_a_read_only_desk_looks_up_but_stores_nothing(memory: Path, client_for) -> None:
    client = client_for(memory, read_only=True)
    assert client.post("/api/translate", json={"text": STORY}).status_code == 200
    r = client.post("/api/translate/confirm", json={
        "fingerprint": "translate:abc", "lang": "en", "n": 0, "source": "A.", "target": "А."})
    assert r.status_code == 403


def test_a_unit_added_by_hand_through_the_api(client) -> None:
    r = client.post("/api/units", json={"en": "The harbour  froze.", "ru": "Гавань замёрзла.",
                                        "doc_id": 1})
    assert r.status_code == 201, r.text
    unit = r.json()
    assert (unit["en"], unit["origin"]) == ("The harbour froze.", "edited")
    units = client.get("/api/documents/1").json()["units"]
    assert units[-1]["id"] == unit["id"] and len(units) == 7
    assert client.post("/api/units", json={"en": "A.", "ru": "А.", "doc_id": 99}).status_code == 404
    assert client.post("/api/units", json={"en": " ", "ru": "А."}).status_code == 400


def test_favicon_api_docs_and_the_memory_line(client, memory: Path, client_for) -> None:
    """Every page names its icon and /favicon.ico answers (no 404 in the log); the API page
    shows code, not ``double backticks``; the lookup page names its memory and its units."""
    page = client.get("/", headers={"accept": "text/html"}).text
    assert 'rel="icon" href="/static/favicon.svg"' in page
    for path in ("/favicon.ico", "/static/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    docs = client.get("/api/docs").text
    assert "``" not in docs
    assert "<code>translated</code>" in docs  # from the confirm route's docstring
    assert f"<strong title=\"{memory}\">desk.db</strong>: 6 units." in page
    remote = client_for(memory, token="s3cret").get(
        "/?token=s3cret", headers={"accept": "text/html"}).text
    assert "<strong>desk.db</strong>: 6 units." in remote and str(memory.parent) not in remote
