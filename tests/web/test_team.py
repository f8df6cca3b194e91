"""Two people on one desk in a real Chromium: a save based on an older version is refused
with who changed the unit and when, the loser reloads, the history and the exported TMX name
both; the alignment editor's save over a unit changed meanwhile is refused, nothing deleted."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.web.test_browser import ARGS, CHROMIUM, browser, page  # noqa: F401 (fixtures)
from tm.store import TM

expect = pytest.importorskip("playwright.sync_api").expect


def _people(db: Path) -> dict[str, str]:
    with TM.open(db) as tm:
        return {name: tm.add_user(name, "translator") for name in ("ana", "ben")}


def _signed_in(browser, base: str, token: str, path: str):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.on("dialog", lambda d: d.accept())
    pg.goto(f"{base}{path}?token={token}")  # the page asks once: the session keeps it
    assert pg.url == base + path
    return pg


def test_two_people_save_one_unit(serve, memory: Path, browser) -> None:  # noqa: F811
    tokens = _people(memory)
    server = serve(memory)
    ana = _signed_in(browser, server.base, tokens["ana"], "/units/1")
    ben = _signed_in(browser, server.base, tokens["ben"], "/units/1")
    assert ben.get_attribute("#unit-form", "data-version") == "1"
    ana.fill("#unit-en", "Oil prices went up by 5% in May.")
    ana.click("#unit-save")
    ana.wait_for_selector("#edits")
    assert ana.inner_text("#unit-changed-by") == "ana"
    ben.fill("#unit-en", "Oil prices climbed 5% in May.")
    ben.click("#unit-save")
    ben.wait_for_selector("#conflict:visible")
    refusal = ben.inner_text("#conflict-text")
    with TM.open(memory) as tm:
        unit = tm.get_unit(1)
    assert unit is not None and unit.en == "Oil prices went up by 5% in May."  # ben's not saved
    assert f"changed by ana at {unit.changed}" in refusal
    ben.click("#conflict-reload")
    expect(ben.locator("#unit-en")).to_have_value("Oil prices went up by 5% in May.")
    assert ben.get_attribute("#unit-form", "data-version") == "2"
    ben.fill("#unit-en", "Oil prices climbed 5% in May.")
    ben.click("#unit-save")
    expect(ben.locator("#unit-form")).to_have_attribute("data-version", "3")
    history = ben.inner_text("#edits")
    assert "replaced" in history and "ana" in history and "ben" in history
    tmx = httpx.get(f"{server.base}/api/documents/1/tmx",
                    headers={"authorization": f"Bearer {tokens['ana']}"}).text
    tu = next(t for t in tmx.split("<tu ")[1:] if "Oil prices climbed" in t)
    assert 'changeid="ben"' in tu and "changedate=" in tu and "creationid=" in tu
    for pg in (ana, ben):
        pg.context.close()


def test_an_editor_save_over_a_changed_unit_is_refused(serve, memory: Path, browser) -> None:  # noqa: F811
    tokens = _people(memory)
    server = serve(memory)
    ana = _signed_in(browser, server.base, tokens["ana"], "/editor/documents/1")
    ana.wait_for_selector("#ed-beads .bead")
    with TM.open(memory) as tm:
        before = tm.count_units()
        fifth = list(tm.iter_units(doc=1))[4]
    changed = httpx.patch(f"{server.base}/api/units/{fifth.id}",
                          json={"en": "The museum opens at 9 a.m. on weekdays."},
                          headers={"authorization": f"Bearer {tokens['ben']}"})
    assert changed.status_code == 200, changed.text
    ana.locator("#ed-beads .sent", has_text="Oil prices rose").first.click()
    ana.keyboard.press("e")
    ana.fill("textarea.sent-edit", "Oil prices rose by 7% in May.")
    ana.keyboard.press("Enter")
    ana.wait_for_selector("#ed-beads .sent:text('7% in May')")
    ana.click("#ed-save-btn")
    ana.wait_for_selector("#ed-conflict:visible", timeout=60_000)
    assert f"unit {fifth.id} was changed by ben" in ana.inner_text("#ed-error")
    with TM.open(memory) as tm:  # nothing deleted, nothing replaced
        assert tm.count_units() == before
        assert tm.get_unit(fifth.id).en == "The museum opens at 9 a.m. on weekdays."
        assert not tm.find_exact("Oil prices rose by 7% in May.", "en")
    ana.click("#ed-reload")
    ana.wait_for_selector("#ed-beads .sent:text('9 a.m.')")
    assert ana.locator("#ed-beads .sent", has_text="7% in May").count() == 0
    ana.context.close()
