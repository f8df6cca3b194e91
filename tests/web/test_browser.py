"""A translator's path through the desk in a real Chromium (Debian's, driven by Playwright).

Skipped only when /usr/bin/chromium is absent; DIPTYCH_REQUIRE_BROWSER=1 (set in CI) turns that
skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("DIPTYCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and DIPTYCH_REQUIRE_BROWSER=1: apt-get install"
                        " chromium")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install"
                    " chromium); set DIPTYCH_REQUIRE_BROWSER=1 to fail instead")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:
        pg.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


def _hits(page) -> list[object]:
    page.wait_for_selector("#results .hit")
    return page.query_selector_all("#results .hit")


def test_type_a_query_and_see_the_translation_with_the_differences(serve, memory, page) -> None:
    server = serve(memory)
    page.goto(server.base + "/")
    page.locator("#q").press_sequentially("Oil prices fell by 5% in May.", delay=15)
    first = _hits(page)[0]
    assert first.query_selector(".tgt").inner_text() == "Цены на нефть выросли на 5% в мае."
    assert [m.inner_text() for m in first.query_selector_all(".src mark.diff")] == ["rose"]
    assert "%" in first.query_selector(".score").inner_text()
    assert "Evening news" in first.query_selector(".doc").inner_text()
    assert "q=Oil+prices+fell" in page.url  # the address links this lookup
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#toast.show")
    assert page.inner_text("#toast") == "Translation copied"


def test_a_linked_lookup_opens_with_its_results(serve, memory, page) -> None:
    server = serve(memory)
    page.goto(server.base + "/?q=мигрант&mode=concordance")
    hits = _hits(page)
    assert len(hits) == 2
    assert page.text_content("#results h2") == "Concordance"
    for hit in hits:
        assert hit.query_selector(".src mark.term").inner_text().lower().startswith("мигрант")
    assert page.input_value("#q") == "мигрант"


def test_pretranslate_a_pasted_article_and_download_the_draft(serve, memory, page,
                                                              tmp_path: Path) -> None:
    server = serve(memory)
    page.goto(server.base + "/pretranslate")
    page.fill("#pt-text", "Oil prices rose by 5% in May. Oil prices rose by 6% in May.\n\n"
                          "Nobody has written this sentence before.")
    page.click("#pt-go")
    page.wait_for_selector("#pt-segments tr")
    rows = page.query_selector_all("#pt-segments tr")
    assert [r.get_attribute("class") for r in rows] == ["full", "fuzzy", "nomatch"]
    assert "no match" in rows[2].inner_text()
    with page.expect_download() as info:
        page.click("#pt-text-dl")
    saved = tmp_path / "draft.txt"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "draft.ru.txt"
    assert saved.read_text(encoding="utf-8").startswith("Цены на нефть выросли на 5% в мае.")


def test_pretranslate_an_uploaded_file(serve, memory, page, tmp_path: Path) -> None:
    server = serve(memory)
    story = tmp_path / "story.ru.txt"
    story.write_text("Мигранты пересекли границу ночью.\n\nЭтого предложения нет.",
                     encoding="utf-8")
    page.goto(server.base + "/pretranslate")
    page.set_input_files("#pt-file", str(story))
    page.wait_for_function("() => document.querySelector('#pt-text').value.length > 0")
    page.click("#pt-go")
    page.wait_for_selector("#pt-segments tr")
    rows = page.query_selector_all("#pt-segments tr")
    assert rows[0].query_selector_all("td")[-1].inner_text() == \
        "Migrants crossed the border at night."
    assert page.text_content("#pt-tgt-h") == "Draft (English)"


def test_edit_a_unit_find_it_undo_it_and_delete_it(serve, memory, page) -> None:
    server = serve(memory)
    page.goto(server.base + "/documents/1")
    page.click("#unit-3 a:text('Edit')")
    page.fill("#unit-en", "Migrants crossed the river before dawn.")
    page.click("#unit-save")
    page.wait_for_selector("#edits")
    assert page.inner_text(".origin") == "edited"
    page.goto(server.base + "/?q=" + "Migrants crossed the river before dawn.")
    assert _hits(page)[0].query_selector(".src").inner_text() == \
        "Migrants crossed the river before dawn."
    page.goto(server.base + "/units/3")
    page.click("#unit-undo")
    page.wait_for_function("() => document.querySelector('#unit-en').value.includes('border')")
    assert page.input_value("#unit-en") == "Migrants crossed the border at night."
    page.click("#unit-delete")
    page.wait_for_url(server.base + "/documents/1")
    assert page.dialogs and "Delete unit 3" in page.dialogs[-1]
    assert page.query_selector("#unit-3") is None
    page.goto(server.base + "/?q=border&mode=concordance")
    page.wait_for_selector("#status:text('No match')")


def test_markup_in_units_is_shown_as_text_and_never_runs(serve, hostile_memory, page) -> None:
    server = serve(hostile_memory)
    raw = ['<script>window.__pwned = 1</script>', '<img src=x onerror="window.__pwned = 2">',
           '"><svg onload="window.__pwned = 3">', "<img src=x onerror=window.__pwned=4>"]
    visits = [("/?q=window pwned&mode=concordance", "#results .hit"),
              ("/documents", "table.docs"), ("/documents/2", "table.units"),
              ("/units/7", "#unit-en"), ("/units/8", "#unit-en"), ("/units/9", "#unit-en")]
    for path, ready in visits:
        page.goto(server.base + path)
        page.wait_for_selector(ready)
        text = page.inner_text("main") + "".join(
            page.eval_on_selector_all("textarea", "els => els.map(e => e.value)"))
        assert any(r in text for r in raw), path
        assert page.evaluate("window.__pwned") is None, path
    page.goto(server.base + "/?q=window pwned&mode=concordance")
    shown = "".join(h.inner_text() for h in _hits(page))
    assert all(r in shown for r in raw)
    page.goto(server.base + "/pretranslate")
    page.fill("#pt-text", "Alert <script>window.__pwned = 1</script> here.")
    page.click("#pt-go")
    page.wait_for_selector("#pt-segments tr")
    assert raw[0] in page.inner_text("#pt-segments")
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []


def test_fields_of_newer_lookups_light_up(serve, memory, page) -> None:
    """Term translations (translation_span) are marked on the other side; a semantic hit with
    a similarity and no match % shows it in words ('similar meaning', 'loosely related' for
    0.00, which as a number would read as 'not similar'), never a percentage."""
    import json

    server = serve(memory)
    base = {"score": None, "origin": "aligned", "doc": None, "doc_id": None, "lang": "ru",
            "doc_url": None, "doc_date": None}
    hits = [
        {**base, "id": 1, "en": "The dam broke after the flood embankments failed.",
         "ru": "Дамба прорвалась после наводнения.", "match": None, "kind": "concordance",
         "spans": [[0, 5]], "translation": "dam", "translation_span": [4, 7]},
        {**base, "id": 2, "en": "Water levels rose.", "ru": "Уровень воды поднялся.",
         "match": None, "kind": "semantic", "similarity": 0.71, "spans": []},
        {**base, "id": 3, "en": "Rain fell.", "ru": "Шёл дождь.",
         "match": None, "kind": "semantic", "similarity": 0.0, "spans": []},
    ]
    from tm.search.similarity import meaning

    for hit in hits:  # the words the server adds (the CLI's words too)
        hit["meaning"] = meaning(hit["similarity"]) if hit["kind"] == "semantic" else None
    page.route("**/api/search?*", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"query": "дамба", "mode": "auto", "hits": hits})))
    page.goto(server.base + "/?q=дамба")
    cards = _hits(page)
    assert cards[0].query_selector(".src mark.term").inner_text() == "Дамба"
    assert cards[0].query_selector(".tgt mark.term").inner_text() == "dam"
    assert cards[0].query_selector(".score").inner_text() == ""  # a concordance hit has no %
    assert cards[1].query_selector(".score").inner_text() == "similar meaning"
    assert cards[2].query_selector(".score").inner_text() == "loosely related"
    assert "0.71" in cards[1].query_selector(".score").get_attribute("title")
    assert "%" not in cards[1].inner_text() + cards[2].inner_text()
    assert [h.text_content() for h in page.query_selector_all("#results h2")] == \
        ["Concordance", "Similar meaning"]


def test_every_page_fits_a_phone(serve, memory, page) -> None:
    """At 390 px nothing is wider than the screen (no sideways scrolling): the bar and the
    search form wrap, the tables of units and of the draft become one card a row."""
    server = serve(memory)
    page.set_viewport_size({"width": 390, "height": 844})

    def width() -> int:
        return int(page.evaluate("document.documentElement.scrollWidth"))

    page.goto(server.base + "/?q=Oil prices fell by 5% in May.")
    _hits(page)
    assert width() <= 390
    page.goto(server.base + "/pretranslate")
    page.fill("#pt-text", "The government approved the new budget on Tuesday, officials said.")
    page.click("#pt-go")
    page.wait_for_selector("#pt-segments tr")
    assert width() <= 390
    for path in ("/documents", "/documents/1", "/units/1", "/api/docs"):
        page.goto(server.base + path)
        assert width() <= 390, path
    page.goto(server.base + "/documents/1")
    cell = page.query_selector("#unit-1 td.side")
    assert cell is not None and cell.bounding_box()["width"] > 300  # a line, not a column
