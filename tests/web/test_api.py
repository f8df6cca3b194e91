"""The JSON API: the same hits as the CLI, drafts, the memory operations, errors as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app as cli_app
from tm.store import TM


@pytest.mark.parametrize(("query", "mode"), [
    ("Oil prices rose by 7% in June.", "auto"),
    ("Oil prices rose by 7% in June.", "fuzzy"),
    ("мигрант", "concordance"),
    ("The government approved the new budget on Tuesday.", "exact"),
])
def test_cli_and_web_return_the_same_hits(client, memory: Path, query: str, mode: str) -> None:
    result = CliRunner().invoke(cli_app, ["search", query, "--mode", mode, "--json",
                                          "--db", str(memory)])
    assert result.exit_code == 0, result.output
    cli_hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert cli_hits, "the query should find something"
    resp = client.get("/api/search", params={"q": query, "mode": mode})
    assert resp.status_code == 200
    web_hits = resp.json()["hits"]
    assert [{k: h[k] for k in c} for h, c in zip(web_hits, cli_hits)] == cli_hits
    assert len(web_hits) == len(cli_hits)


def test_fuzzy_hit_marks_the_words_that_differ(client) -> None:
    hit = client.get("/api/search", params={"q": "Oil prices fell by 5% in May."}).json()["hits"][0]
    assert hit["en"] == "Oil prices rose by 5% in May." and hit["kind"] == "fuzzy"
    marked = [hit["en"][a:b] for a, b in hit["diff"]]
    assert marked == ["rose"]
    assert hit["doc"] == "Evening news" and hit["doc_url"] == "https://example.org/news"
    assert hit["doc_date"] == "2024-05-01"


def test_concordance_marks_the_term_in_either_language(client) -> None:
    hits = client.get("/api/search", params={"q": "мигрант", "mode": "concordance"}).json()["hits"]
    assert {h["id"] for h in hits} and all(h["lang"] == "ru" for h in hits)
    for h in hits:
        assert [h["ru"][a:b].lower()[:6] for a, b in h["spans"]] == ["мигран"]


def test_lang_override_and_bad_parameters(client_for, memory: Path) -> None:
    client = client_for(memory, lang="ru")
    # "Ташкент" typed in Latin letters is looked up on the Russian side: nothing there
    assert client.get("/api/search", params={"q": "migrants", "mode": "concordance"}
                      ).json()["hits"] == []
    assert client.get("/api/search", params={"q": "migrants", "mode": "concordance",
                                             "lang": "en"}).json()["hits"]
    for params in ({"q": ""}, {"q": "x", "mode": "nonsense"}, {"q": "x", "limit": 0},
                   {"q": "x" * 3000}):
        resp = client.get("/api/search", params=params)
        assert resp.status_code == 422 and resp.json()["error"]


def test_pretranslate_marks_every_segment_that_is_not_100(client) -> None:
    article = ("Oil prices rose by 5% in May. Oil prices rose by 6% in May.\n\n"
               "A sentence the memory has never seen.")
    data = client.post("/api/pretranslate", json={"text": article}).json()
    assert data["lang"] == "en" and data["target_lang"] == "ru"
    assert data["segments"][0]["match"] == 100
    assert 50 <= data["segments"][1]["match"] < 100
    assert data["segments"][2]["target"] is None
    total = data["analysis"][-1]
    assert total["band"] == "total" and total["segments"] == 3
    draft = client.post("/api/pretranslate/draft?format=text", json={"text": article})
    assert draft.status_code == 200 and "attachment" in draft.headers["content-disposition"]
    assert draft.text.startswith("Цены на нефть выросли на 5% в мае.")
    tmx = client.post("/api/pretranslate/draft?format=tmx", json={"text": article})
    assert b"<tmx" in tmx.content and "Цены на нефть".encode() in tmx.content


def test_pretranslate_takes_html_and_wants_one_source(client) -> None:
    page = ("<html><head><title>T</title></head><body><article><p>Oil prices rose by 5% in May."
            "</p><p>The museum opens at 10 a.m. on weekdays.</p></article></body></html>")
    data = client.post("/api/pretranslate", json={"html": page}).json()
    assert [s["match"] for s in data["segments"]][-2:] == [100, 100]  # after the headline
    assert not any("<" in s["source"] for s in data["segments"])
    resp = client.post("/api/pretranslate", json={"text": "a", "html": page})
    assert resp.status_code == 400 and "exactly one" in resp.json()["error"]


def test_edit_undo_and_delete_a_unit(client, memory: Path) -> None:
    unit = client.get("/api/search", params={"q": "Migrants crossed the border at night.",
                                             "mode": "exact"}).json()["hits"][0]
    uid = unit["id"]
    edited = client.patch(f"/api/units/{uid}", json={"en": "Migrants crossed the river at dawn."})
    assert edited.status_code == 200
    body = edited.json()
    assert body["origin"] == "edited" and body["ru"] == unit["ru"]
    assert body["edits"] == 1
    found = client.get("/api/search", params={"q": "Migrants crossed the river at dawn.",
                                              "mode": "exact"}).json()["hits"]
    assert [h["id"] for h in found] == [uid]
    assert client.get("/api/search", params={"q": "river", "mode": "concordance"}).json()["hits"]
    undone = client.post(f"/api/units/{uid}/undo").json()
    assert undone["en"] == "Migrants crossed the border at night." and undone["origin"] == "aligned"
    assert client.post(f"/api/units/{uid}/undo").status_code == 400
    assert client.delete(f"/api/units/{uid}").json() == {"deleted_units": 1}
    assert client.get(f"/api/units/{uid}").status_code == 404
    assert client.get("/api/search", params={"q": "border", "mode": "concordance"}
                      ).json()["hits"] == []
    with TM.open(memory) as tm:
        assert tm.get_unit(uid) is None


def test_an_edit_needs_text_on_both_sides(client) -> None:
    resp = client.patch("/api/units/1", json={"en": "   "})
    assert resp.status_code == 400 and "cannot be empty" in resp.json()["error"]


def test_the_unit_page_lists_earlier_texts_and_refuses_an_unchanged_edit(client) -> None:
    from lxml import html

    same = client.patch("/api/units/3", json={"en": "Migrants crossed the border at night."})
    assert same.status_code == 400 and "already holds this text" in same.json()["error"]
    assert "edits" not in html.fromstring(client.get("/units/3").text).xpath("//@id")
    client.patch("/api/units/3", json={"en": "Migrants crossed the river."})
    client.patch("/api/units/3", json={"ru": "Мигранты пересекли реку."})
    page = html.fromstring(client.get("/units/3").text)
    versions = [[p.text_content() for p in li.xpath(".//p[@lang]")]
                for li in page.xpath("//*[@id='edits']//li")]
    assert versions == [["Migrants crossed the river.", "Мигранты пересекли границу ночью."],
                        ["Migrants crossed the border at night.",
                         "Мигранты пересекли границу ночью."]]
    assert client.get("/api/units/3").json()["edits"] == 2
    api = client.get("/api/units/3/history").json()
    assert [[e["en"], e["ru"]] for e in api] == versions and api[1]["origin"] == "aligned"
    assert client.get("/units/99").status_code == 404
    assert client.get("/api/units/99/history").status_code == 404


def test_documents_list_units_export_and_delete(client) -> None:
    docs = client.get("/api/documents").json()
    assert [(d["title"], d["units"]) for d in docs] == [("Evening news", 6)]
    doc = client.get(f"/api/documents/{docs[0]['id']}").json()
    assert doc["units"][0]["en"] == "Oil prices rose by 5% in May."
    tmx = client.get(f"/api/documents/{docs[0]['id']}/tmx")
    assert tmx.status_code == 200 and tmx.content.count(b"<tu>") + tmx.content.count(b"<tu ") == 6
    assert client.delete(f"/api/documents/{docs[0]['id']}").json() == {"deleted_units": 6}
    assert client.get("/api/documents").json() == []
    assert client.get("/api/health").json()["units"] == 0


def test_errors_are_json_or_a_page_never_a_traceback(client) -> None:
    assert client.get("/api/units/999").json() == {"error": "no unit 999 in the memory"}
    assert client.get("/api/nowhere").json() == {"error": "Not Found"}
    page = client.get("/units/999", headers={"accept": "text/html"})
    assert page.status_code == 404 and "no unit 999" in page.text and "Traceback" not in page.text
    bad = client.patch("/api/units/1", content=b"{not json", headers={
        "content-type": "application/json"})
    assert bad.status_code == 422 and bad.json()["error"]


def test_openapi_describes_the_api(client) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/health", "/api/search", "/api/pretranslate", "/api/units/{unit_id}",
                 "/api/documents/{doc_id}"):
        assert path in spec["paths"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and "/api/search" in page.text and "cdn" not in page.text


def test_pretranslate_fetches_an_article_by_url(client_for, memory: Path, news_site: str) -> None:
    from align.sources import read_source

    client = client_for(memory, private_urls=True)  # as `diptych serve` on 127.0.0.1
    url = f"{news_site}/lake-ferry.en.html"
    data = client.post("/api/pretranslate", json={"url": url}).json()
    sources = [s["source"] for s in data["segments"]]
    assert data["lang"] == "en" and len(sources) > 3
    assert sources[0] in read_source(url).text
    missing = client.post("/api/pretranslate", json={"url": f"{news_site}/nowhere.html"})
    assert missing.status_code == 400 and "nowhere.html" in missing.json()["error"]
    for local in ("/etc/passwd", "file:///etc/passwd", "README.md"):
        resp = client.post("/api/pretranslate", json={"url": local})
        assert resp.status_code == 400 and "not an http(s) address" in resp.json()["error"]


def test_encoder_and_vectors_are_loaded_once_for_all_threads(memory: Path, monkeypatch) -> None:
    import threading

    import numpy as np

    from tm.vectors import ann
    from tm.vectors import embed as vectors
    from tm.vectors import model as encoder
    from tm.web.backend import Backend

    class Fake:
        def encode(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    loads: list[str] = []
    indexes: list[object] = []

    class Counted(ann.VectorSearch):
        def __init__(self, tm: TM) -> None:
            indexes.append(self)
            super().__init__(tm)

    monkeypatch.setattr(ann, "VectorSearch", Counted)
    monkeypatch.setattr(encoder, "load_encoder", lambda model: loads.append(model) or Fake())
    with TM.open(memory) as tm:
        ids = [u.id for u in tm.iter_units()]
        tm.set_setting("embedding_model", "fake")
        tm.set_setting("embedding_dim", "8")
        vectors.store_vectors(tm, ids, np.full((len(ids), 8), 45, dtype=np.int8))
    backend = Backend(memory)
    found: list[int] = []
    threads = [threading.Thread(target=lambda: found.append(len(backend.search(
        "prices", mode="semantic")))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["fake"] and len(indexes) == 1 and found == [6, 6, 6, 6]
