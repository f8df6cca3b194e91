"""Translating a story in the desk, in a real Chromium: segment by segment, a confirmed segment
in the memory at once and offered to the same sentence further down, nothing lost on a reload,
the translation downloaded."""

from __future__ import annotations

from pathlib import Path

from tests.web.test_browser import browser, page  # noqa: F401 (fixtures)
from tests.web.test_translate import STORY
from tm.store import TM

HARBOUR = "Этой зимой гавань замёрзла рано."


def _segment(pg, n: int):
    return pg.locator(f'.tseg[data-n="{n}"]')


def test_translate_a_story_confirm_reload_download(serve, memory: Path, page,  # noqa: F811
                                                  tmp_path: Path) -> None:
    server = serve(memory)
    page.goto(server.base + "/translate")
    page.fill("#tr-text", STORY)
    page.fill("#tr-title", "Frozen harbour")
    page.click("#tr-go")
    page.wait_for_selector(".tseg")
    assert page.locator(".tseg").count() == 10
    first = _segment(page, 0)  # active: its 98% match beside it, the changed number marked
    assert first.locator(".tmatch .pct").first.inner_text() == "98%"
    assert first.locator(".tmatch mark.diff").first.inner_text() == "5"
    assert page.input_value('textarea[data-n="0"]') == "Цены на нефть выросли на 6% в мае."
    page.keyboard.press("Control+Enter")  # confirm the draft: the next segment is active
    page.wait_for_selector('.tseg[data-n="1"].active')
    page.keyboard.type("Рыбаки неделю сидели дома.")
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_selector('.tseg[data-n="2"].active')
    assert _segment(page, 6).locator(".badge").inner_text() == "no match"
    page.keyboard.type(HARBOUR)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('.tseg[data-n="3"].active')
    # segment 7 holds the same sentence: it is offered the confirmed translation at 100%
    page.wait_for_function(
        "() => document.querySelector('.tseg[data-n=\"6\"] .badge').textContent === '100%'")
    page.click('.tseg[data-n="6"] .tsrc')
    assert _segment(page, 6).locator(".tmatch .pct").first.inner_text() == "100%"
    assert _segment(page, 6).locator(".tmatch .mtgt").first.inner_text() == HARBOUR
    page.keyboard.press("Alt+1")
    assert page.input_value('textarea[data-n="6"]') == HARBOUR
    page.fill('textarea[data-n="4"]', "Городской совет собрался в пятницу.")  # not confirmed

    page.reload()  # nothing is lost: the fields, the confirmations, the active segment
    page.wait_for_selector(".tseg")
    assert page.input_value('textarea[data-n="4"]') == "Городской совет собрался в пятницу."
    assert page.input_value('textarea[data-n="6"]') == HARBOUR
    assert page.locator(".tseg.done").count() == 2
    assert "2 of 10 segments confirmed" in page.inner_text("#tr-progress")

    with page.expect_download() as info:
        page.click("#tr-text-dl")
    saved = tmp_path / "translation.txt"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "translation.ru.txt"
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("Цены на нефть выросли на 6% в мае. Рыбаки неделю сидели дома. "
                           + HARBOUR)
    assert "Городской совет собрался в пятницу." in text and "[not translated]" in text

    with TM.open(memory, readonly=True) as tm:
        docs = [d for d in tm.documents() if d.title == "Frozen harbour"]
        assert len(docs) == 1
        units = list(tm.iter_units(doc=docs[0].id, with_docs=True))
    assert [(u.en, u.ru, u.origin, u.docs[0][1]) for u in units] == [
        ("Oil prices rose by 6% in May.", "Цены на нефть выросли на 6% в мае.", "translated", 0),
        ("The harbour froze early this winter.", HARBOUR, "translated", 2)]
