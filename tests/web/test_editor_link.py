"""The alignment editor in a real Chromium, beyond the order of the sentences: two sentences
that swapped places linked into beads of their own, a unit added by hand, saved, reopened, a
save undone with the units back under their ids, and the same story recognised when it is
saved again."""

from __future__ import annotations

from pathlib import Path

from tests.web.test_browser import browser, page  # noqa: F401 (fixtures)
from tests.web.test_editor import beads, pick
from tm.store import TM

EN = """Harbour freezes early

The harbour froze early this winter. Fishermen stayed at home for a week. The mayor promised \
two new icebreakers. The first one will arrive in March.

Shops near the port closed until spring."""
RU = """Гавань замёрзла рано

Этой зимой гавань замёрзла рано. Мэр пообещал два новых ледокола. Рыбаки неделю сидели дома. \
Первый из них прибудет в марте.

Магазины у порта закрылись до весны."""
SWAPPED = [("Fishermen stayed at home for a week.", "Рыбаки неделю сидели дома."),
           ("The mayor promised two new icebreakers.", "Мэр пообещал два новых ледокола.")]
BY_HAND = ("Ice closed the harbour for 40 days.", "Лёд закрыл гавань на 40 дней.")


def units(db: Path, doc_id: int) -> list[tuple[int, str, str, str]]:
    with TM.open(db, create=False) as tm:
        return [(u.id, u.en, u.ru, u.origin) for u in tm.iter_units(doc=doc_id)]


def align(pg, base: str, en: str, ru: str) -> None:
    pg.goto(base + "/editor")
    pg.fill("#ed-en-text", en)
    pg.fill("#ed-ru-text", ru)
    pg.click("#ed-align")
    pg.wait_for_selector("#ed-beads .bead", timeout=120_000)


def link(pg, en: str, ru: str) -> None:
    """Mark the English sentence, select the Russian one, link them."""
    pick(pg, en)
    pg.keyboard.press("m")
    pg.wait_for_selector("#ed-beads .sent.marked")
    pick(pg, ru)
    pg.keyboard.press("l")
    pg.wait_for_function(
        """([en, ru]) => [...document.querySelectorAll('#ed-beads .bead')].some(r =>
             [...r.querySelectorAll('.side.en .sent')].map(s => s.textContent).join('|') === en
             && [...r.querySelectorAll('.side.ru .sent')].map(s => s.textContent).join('|') === ru)""",
        arg=[en, ru])


def test_link_swapped_sentences_add_a_unit_save_reopen_undo_and_recognise(
        serve, memory: Path, page) -> None:  # noqa: F811
    server = serve(memory)
    align(page, server.base, EN, RU)
    for en, ru in SWAPPED:
        link(page, en, ru)
    shown = [(tuple(b["en"]), tuple(b["ru"])) for b in beads(page)]
    for en, ru in SWAPPED:
        assert ((en,), (ru,)) in shown
    # a unit written by hand, after the first bead
    page.locator("#ed-beads .bead .bn").first.click()
    page.click("[data-op=add]")
    page.fill("#ed-add-en", BY_HAND[0])
    page.fill("#ed-add-ru", BY_HAND[1])
    page.click("#ed-add button[type=submit]")
    assert [(b["en"], b["ru"]) for b in beads(page)][1] == ([BY_HAND[0]], [BY_HAND[1]])
    page.fill("#ed-title", "Frozen harbour")
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('Saved as document')", timeout=60_000)
    doc_id = int(page.url.rsplit("/", 1)[1])
    saved = units(memory, doc_id)
    texts = [(en, ru) for _, en, ru, _ in saved]
    assert texts[1] == BY_HAND and all(pair in texts for pair in SWAPPED)
    assert {o for _, en, ru, o in saved if (en, ru) in [*SWAPPED, BY_HAND]} == {"edited"}

    # reopen: the stored beads; join two of them, save; undo the save: the same ids again
    page.goto(f"{server.base}/editor/documents/{doc_id}")
    page.wait_for_selector("#ed-beads .bead")
    assert [(" ".join(b["en"]), " ".join(b["ru"])) for b in beads(page)] == texts
    page.locator("#ed-beads .bead .bn").nth(1).click()
    page.keyboard.press("j")
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('Saved as document')", timeout=60_000)
    assert len(units(memory, doc_id)) == len(saved) - 1
    page.click("#ed-undo-save")
    page.wait_for_selector("#ed-saved:has-text('Undone')")
    assert units(memory, doc_id) == saved
    assert page.request.get(f"{server.base}/api/units/{saved[1][0]}").json()["en"] == BY_HAND[0]

    # the same story again, with a line more (so not the same pair of files): recognised
    with TM.open(memory, create=False) as tm:
        documents = len(tm.documents())
    align(page, server.base, EN + "\n\nThe ice will melt in April.",
          RU + "\n\nЛёд растает в апреле.")
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-dup:not([hidden])")
    assert f"document {doc_id}" in page.inner_text("#ed-dup")
    page.click("#ed-dup-replace")
    page.wait_for_selector(f"#ed-saved:has-text('Saved as document {doc_id}')", timeout=60_000)
    with TM.open(memory, create=False) as tm:
        assert len(tm.documents()) == documents
    assert ("The ice will melt in April.", "Лёд растает в апреле.") in [
        (en, ru) for _, en, ru, _ in units(memory, doc_id)]


def test_on_a_phone_the_corrections_stay_beside_the_selected_bead(
        serve, memory: Path, browser) -> None:  # noqa: F811
    """390 px, a touch screen: the buttons follow the selected bead down the page (the toolbar
    was 2,800 px away from bead 15), they work there, and no keyboard help is shown."""
    from tests.web.editor_pair import WRONG
    from tests.web.test_editor import store_wrong

    many = [(f"Line {i} of the story.", f"Строка {i} истории.") for i in range(30)]
    with TM.open(memory) as tm:
        from tm.store import UnitIn

        doc = store_wrong(memory)
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in many], document=doc)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    pg = context.new_page()
    try:
        server = serve(memory)
        pg.goto(f"{server.base}/editor/documents/{doc}")
        pg.wait_for_selector("#ed-beads .bead")
        assert not pg.locator(".ed-tools .keys").is_visible()
        last = pg.locator("#ed-beads .bead").nth(len(WRONG) + 25)
        last.locator(".sent").first.tap()
        bead = pg.locator("#ed-beads .bead.current").bounding_box()
        join = pg.locator("[data-op=join]").bounding_box()
        assert bead is not None and join is not None
        assert 0 <= join["y"] - (bead["y"] + bead["height"]) < 60
        before = pg.locator("#ed-beads .bead").count()
        pg.locator("[data-op=join]").tap()
        pg.wait_for_function(f"() => document.querySelectorAll('#ed-beads .bead').length === {before - 1}")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_no_keyboard_help_on_a_touch_tablet(serve, memory: Path, browser) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True,
                                  is_mobile=True)
    pg = context.new_page()
    try:
        server = serve(memory)
        pg.goto(f"{server.base}/editor/documents/1")
        pg.wait_for_selector("#ed-beads .bead")
        assert not pg.locator(".ed-tools .keys").is_visible()
        pg.goto(f"{server.base}/")
        assert not pg.locator(".keys-help").is_visible()
    finally:
        context.close()
    desktop = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        desktop.goto(f"{server.base}/editor/documents/1")
        desktop.wait_for_selector("#ed-beads .bead")
        assert desktop.locator(".ed-tools .keys").is_visible()
    finally:
        desktop.close()
