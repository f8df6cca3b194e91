"""The alignment editor in a real Chromium: align, review, correct, save, reopen, save again;
a save refused because another process holds the memory's write lock loses nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.web.editor_pair import ADDED, DROPPED, EN, RIGHT, RU, WRONG
from tests.web.test_browser import browser, page  # noqa: F401 (fixtures)
from tm.store import TM, DocumentIn, UnitIn

BEADS = """() => [...document.querySelectorAll('#ed-beads .bead')].map(r => ({
  en: [...r.querySelectorAll('.side.en .sent')].map(s => s.textContent),
  ru: [...r.querySelectorAll('.side.ru .sent')].map(s => s.textContent),
  cls: r.className.split(' ').filter(c => c !== 'current'), conf: r.querySelector('.conf').textContent}))"""


def beads(pg) -> list[dict]:
    return pg.evaluate(BEADS)


def shape(pg) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    return [(tuple(b["en"]), tuple(b["ru"])) for b in beads(pg)]


def pick(pg, text: str) -> None:
    """Select the sentence holding ``text``."""
    pg.locator("#ed-beads .sent", has_text=text).first.click()


def press(pg, key: str, before: list) -> list:
    """Press ``key`` and wait until the beads change."""
    pg.keyboard.press(key)
    pg.wait_for_function(f"() => JSON.stringify(({BEADS})()) !== {_js(before)}")
    return beads(pg)


def _js(value: object) -> str:
    import json

    return json.dumps(json.dumps(value, ensure_ascii=False), ensure_ascii=False)


def doc_units(db: Path, doc_id: int) -> list[tuple[str, str, str]]:
    with TM.open(db, create=False) as tm:
        return [(u.en, u.ru, u.origin) for u in tm.iter_units(doc=doc_id)]


def store_wrong(db: Path) -> int:
    """The story stored as a careless aligner would have stored it (see editor_pair.WRONG)."""
    with TM.open(db) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Transport budget", fingerprint="wrong"))
        tm.add_units([UnitIn(en, ru, score=0.9) for en, ru in WRONG], document=doc,
                     origin="aligned")
    return doc


def test_align_review_fix_and_save(serve, memory, page, encoder) -> None:  # noqa: F811
    from align.pipeline import align_texts
    from align.types import WEAK_BELOW

    al = align_texts(EN, RU, encoder=encoder)  # what the CLI's call makes of the pair
    server = serve(memory)
    page.goto(server.base + "/editor")
    page.fill("#ed-en-text", EN)
    page.fill("#ed-ru-text", RU)
    page.click("#ed-align")
    page.wait_for_selector("#ed-beads .bead", timeout=120_000)
    shown = beads(page)
    assert shape(page) == [(tuple(al.src[i].text for i in b.src),
                            tuple(al.tgt[j].text for j in b.tgt)) for b in al.beads]
    flagged = [i for i, b in enumerate(al.beads)
               if not b.src or not b.tgt or b.score < WEAK_BELOW]
    assert [i for i, b in enumerate(shown) if "todo" in b["cls"]] == flagged
    assert page.inner_text("#ed-queue-count") == str(len(flagged))
    # the dropped English sentence is flagged (weak pair or omission), and the queue finds it
    where = next(i for i, b in enumerate(shown) if DROPPED in b["en"])
    assert where in flagged
    chips = page.eval_on_selector_all("#ed-queue button", "bs => bs.map(b => Number(b.dataset.b))")
    assert chips == flagged  # listed first, above the beads
    page.locator("#ed-beads .bead .bn").first.click()
    page.keyboard.press("n")
    current = page.eval_on_selector("#ed-beads .bead.current", "r => Number(r.dataset.b)")
    assert current == next((i for i in flagged if i > 0), flagged[0])
    now = beads(page)
    if shown[where]["ru"]:  # paired with the added Russian sentence: the wrong bead
        assert shown[where]["ru"] == [ADDED]
        pick(page, DROPPED)
        now = press(page, "o", now)
        assert (now[where]["en"], now[where]["ru"]) == ([DROPPED], [])
        assert (now[where + 1]["en"], now[where + 1]["ru"]) == ([], [ADDED])
        assert "omit" in now[where]["cls"] and "omit" in now[where + 1]["cls"]
    # join, undo, redo, undo: back where it was
    before = now
    page.locator("#ed-beads .bead .bn").first.click()
    joined = press(page, "j", before)
    assert joined[0]["en"] == before[0]["en"] + before[1]["en"]
    assert len(joined) == len(before) - 1
    assert press(page, "u", joined) == before
    assert press(page, "r", before) == joined
    now = press(page, "Control+z", joined)
    assert now == before
    # edit a Russian sentence
    pick(page, "Тарифы останутся прежними")
    page.keyboard.press("e")
    page.fill("textarea.sent-edit", "Тарифы не изменятся до конца следующего года.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ed-beads .sent:text('Тарифы не изменятся')")
    final = beads(page)
    page.fill("#ed-title", "Transport budget")
    page.fill("#ed-url", "https://example.org/transport")
    page.fill("#ed-date", "2024-05-06")
    with TM.open(memory, create=False) as tm:
        before_units, before_docs = tm.count_units(), len(tm.documents())
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('Saved as document')", timeout=60_000)
    expected = [(" ".join(b["en"]), " ".join(b["ru"]),
                 "edited" if "edited" in b["cls"] else "aligned")
                for b in final if b["en"] and b["ru"]]
    with TM.open(memory, create=False) as tm:
        doc = tm.documents()[-1]
        assert len(tm.documents()) == before_docs + 1
        assert (doc.title, doc.url, doc.date) == ("Transport budget",
                                                  "https://example.org/transport", "2024-05-06")
        assert tm.count_units() == before_units + len(expected)
    units = doc_units(memory, doc.id)
    assert units == expected
    assert ("Fares will stay the same until the end of next year.",
            "Тарифы не изменятся до конца следующего года.", "edited") in units
    assert not any(DROPPED in en or ADDED in ru for en, ru, _ in units)
    assert sum(o == "aligned" for *_, o in units) == len(units) - 1
    assert page.url.endswith(f"/editor/documents/{doc.id}")


def test_reopen_a_stored_document_fix_each_mistake_and_save(serve, memory, page) -> None:  # noqa: F811
    doc = store_wrong(memory)
    with TM.open(memory, create=False) as tm:
        others = tm.count_units() - len(WRONG)
        first_id = next(tm.iter_units(doc=doc)).id
    server = serve(memory)
    page.goto(server.base + f"/documents/{doc}")
    page.click("text=Edit alignment")
    page.wait_for_selector("#ed-beads .bead")
    now = beads(page)
    assert len(now) == len(WRONG)
    # split: after "The city council approved..." (the Russian side is cut after as many)
    pick(page, "The city council approved")
    now = press(page, "s", now)
    assert (now[1]["en"], now[1]["ru"]) == ([RIGHT[1][0]], [RIGHT[1][1]])
    assert (" ".join(now[2]["en"]), " ".join(now[2]["ru"])) == RIGHT[2]
    # move: "Деньги, по словам мэра..." belongs to the next bead
    pick(page, "Деньги, по словам мэра")
    moved = press(page, "]", now)
    back = press(page, "[", moved)  # and back up (the beads count as edited now)
    assert [(b["en"], b["ru"]) for b in back] == [(b["en"], b["ru"]) for b in now]
    now = press(page, "]", back)
    assert now[3]["ru"] == [RIGHT[3][1]]
    assert now[4]["ru"][0].startswith("Деньги, по словам мэра")
    # a wrong join, then undo it
    page.locator("#ed-beads .bead .bn").first.click()
    wrong = press(page, "j", now)
    assert press(page, "u", wrong) == now
    # join: "It will be paid out in three parts." belongs with the mayor's sentence
    page.locator("#ed-beads .bead .bn").nth(4).click()
    now = press(page, "j", now)
    # omit: the added Russian sentence has no English counterpart
    pick(page, ADDED)
    now = press(page, "o", now)
    assert (" ".join(now[4]["en"]), " ".join(now[4]["ru"])) == RIGHT[4]
    assert (now[5]["en"], now[5]["ru"]) == ([], [ADDED])
    # edit: a typo
    pick(page, "заседанеи")
    page.keyboard.press("Enter")
    page.fill("textarea.sent-edit", RIGHT[5][1])
    page.keyboard.press("Enter")
    page.wait_for_selector("#ed-beads .sent:text('покинули заседание.')")
    assert page.inner_text("#ed-queue-count") == "0"
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('Saved as document')", timeout=60_000)
    units = doc_units(memory, doc)
    assert [(en, ru) for en, ru, _ in units] == RIGHT
    assert [o for *_, o in units] == ["aligned"] + ["edited"] * 5 + ["aligned"]
    with TM.open(memory, create=False) as tm:
        assert tm.count_units() == others + len(RIGHT)  # the wrong units are gone
        assert next(tm.iter_units(doc=doc)).id == first_id  # untouched units are kept
        assert not tm.find_exact(WRONG[5][1], "ru")
    # reopen, change one bead, save: no duplicate, the count stays
    page.goto(server.base + f"/editor/documents/{doc}")
    page.wait_for_selector("#ed-beads .bead")
    now = beads(page)
    pick(page, "Совет увеличил бюджет транспорта")
    page.keyboard.press("e")
    page.fill("textarea.sent-edit", "Совет города увеличил бюджет транспорта")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ed-beads .sent:text('Совет города')")
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('replaced units deleted')", timeout=60_000)
    with TM.open(memory, create=False) as tm:
        assert tm.count_units() == others + len(RIGHT)
        assert tm.find_exact("Совет города увеличил бюджет транспорта", "ru")
        assert not tm.find_exact("Совет увеличил бюджет транспорта", "ru")
    # and the save can be undone
    page.click("#ed-undo-save")
    page.wait_for_selector("#ed-saved:has-text('Undone')")
    assert [(en, ru) for en, ru, _ in doc_units(memory, doc)] == RIGHT


def test_a_save_refused_by_a_locked_memory_loses_nothing(serve, memory, page) -> None:  # noqa: F811
    server = serve(memory)
    page.goto(server.base + "/editor/documents/1")
    page.wait_for_selector("#ed-beads .bead")
    pick(page, "Oil prices rose")
    page.keyboard.press("e")
    page.fill("textarea.sent-edit", "Oil prices rose by 7% in May.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ed-beads .sent:text('7% in May')")
    importer = sqlite3.connect(memory, isolation_level=None)  # a long import holds the lock
    importer.execute("BEGIN IMMEDIATE")
    try:
        page.click("#ed-save-btn")
        page.wait_for_selector("#ed-error:visible", timeout=120_000)
        message = page.inner_text("#ed-error")
        assert "locked" in message and "nothing is lost" in message
        assert page.locator("#ed-beads .sent", has_text="7% in May").count() == 1
        page.reload()  # even a reload keeps what was entered (this browser's storage)
        page.wait_for_selector("#ed-restored:visible")
        assert page.locator("#ed-beads .sent", has_text="7% in May").count() == 1
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    page.click("#ed-save-btn")
    page.wait_for_selector("#ed-saved:has-text('Saved as document 1')", timeout=60_000)
    assert ("Oil prices rose by 7% in May.", "Цены на нефть выросли на 5% в мае.", "edited") \
        in doc_units(memory, 1)


@pytest.mark.parametrize("width", [1400, 390])
def test_the_editor_fits_the_window(serve, memory, page, width: int) -> None:  # noqa: F811
    server = serve(memory)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server.base + "/editor/documents/1")
    page.wait_for_selector("#ed-beads .bead")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("#ed-beads .bead .side.en").first.bounding_box()
    assert box["width"] > (0.3 if width > 700 else 0.6) * width


@pytest.mark.parametrize("width", [1400, 390])
def test_the_static_report_gives_the_text_the_width(page, tmp_path: Path,  # noqa: F811
                                                    width: int) -> None:
    from align.report import to_html
    from align.types import Alignment, Bead, Sentence

    pairs = [tuple(Sentence(0, len(t), t) for t in side) for side in zip(*RIGHT)]
    al = Alignment(pairs[0], pairs[1], tuple(Bead((i,), (i,), 0.3 + 0.1 * i)
                                             for i in range(len(RIGHT))))
    report = tmp_path / "review.html"
    report.write_text(to_html(al, src_lang="en", tgt_lang="ru", weak=0.5, title="Review"),
                      encoding="utf-8")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(report.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for side in ("src", "tgt"):
        box = page.locator(f"#b1 .t.{side}").bounding_box()
        assert box["width"] > (0.38 if width > 700 else 0.8) * width
    weak = page.locator(".bead.weak")
    assert weak.count() == 2 and "weak" in weak.first.inner_text()
    assert weak.first.evaluate("e => getComputedStyle(e).borderLeftColor") != \
        page.locator(".bead.ok").first.evaluate("e => getComputedStyle(e).borderLeftColor")


def test_markup_in_a_reopened_document_is_text(serve, hostile_memory, page) -> None:  # noqa: F811
    server = serve(hostile_memory)
    page.goto(server.base + "/editor/documents/2")
    page.wait_for_selector("#ed-beads .bead")
    shown = page.inner_text("#ed-beads")
    assert "<script>window.__pwned = 1</script>" in shown
    assert '<img src=x onerror="window.__pwned = 2">' in shown
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []


def test_an_archive_pair_line_opens_the_pair(serve, memory, page, root: Path) -> None:  # noqa: F811
    en, ru = root / "corpora/sample.en.txt", root / "corpora/sample.ru.txt"
    server = serve(memory)
    page.goto(server.base + "/editor")
    page.fill("#ed-pairline", f"{en}\t{ru}\t0.93")
    page.dispatch_event("#ed-pairline", "change")
    assert page.input_value("#ed-en-where") == str(en)
    page.click("#ed-align")
    page.wait_for_selector("#ed-beads .bead", timeout=120_000)
    gold = (root / "corpora/sample.gold.ladder").read_text().split("\n")
    assert len(beads(page)) == len([line for line in gold if line.strip()])
    assert "omit" in " ".join(c for b in beads(page) for c in b["cls"])
    assert page.input_value("#ed-title").startswith("New rail freight shuttle")
    page.fill("#ed-weak", "1")  # every paired bead is weak under 1: all are to review
    page.dispatch_event("#ed-weak", "change")
    assert page.inner_text("#ed-queue-count") == str(len(beads(page)))
