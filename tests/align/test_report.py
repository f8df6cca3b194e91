"""The static HTML review page: one file, no script, every text escaped, beads numbered from 1
the same way in rows and sentence ids, weak beads and omissions marked."""

from __future__ import annotations

import re

import lxml.html

from align.report import to_html
from align.types import Alignment, Bead, Sentence


def _al() -> Alignment:
    src = ["Headline", "One.", "Two <script>alert(1)</script>.", "Three\x0c.", "Dropped."]
    tgt = ["Заголовок", "Один и два.", "Три.", "Добавлено."]
    beads = (Bead((0,), (0,), 0.9), Bead((1, 2), (1,), 0.8), Bead((3,), (2,), 0.3),
             Bead((4,), (), 0.7), Bead((), (3,), 0.6))
    return Alignment(tuple(Sentence(0, len(s), s) for s in src),
                     tuple(Sentence(0, len(t), t) for t in tgt), beads, ("a <b>warning</b>",))


def _by(node: lxml.html.HtmlElement, cls: str) -> list[lxml.html.HtmlElement]:
    """Descendants with class ``cls`` (no cssselect needed)."""
    return node.xpath(f".//*[contains(concat(' ', @class, ' '), ' {cls} ')]")


def _page(weak: float = 0.5) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(to_html(_al(), src_lang="en", tgt_lang="ru", weak=weak,
                                        title="<i>Story</i>"))


def test_rows_and_sentence_ids_count_from_one() -> None:
    rows = _by(_page(), "bead")
    assert [r.get("id") for r in rows] == ["b1", "b2", "b3", "b4", "b5"]
    assert [_by(r, "n")[0].text for r in rows] == ["1", "2", "3", "4", "5"]
    ids = [[s.text for s in _by(r, "ids")] for r in rows]
    assert ids == [["EN 1", "RU 1"], ["EN 2–3", "RU 2"], ["EN 4", "RU 3"], ["EN 5", None],
                   [None, "RU 4"]]


def test_weak_beads_and_omissions_are_marked() -> None:
    rows = _by(_page(), "bead")
    assert [r.get("class").split()[1] for r in rows] == ["ok", "ok", "weak", "omit", "omit"]
    assert [_by(r, "s")[0].text for r in rows] == ["0.90", "0.80", "0.30 weak", "no RU",
                                                   "no EN"]
    assert [r.get("class").split()[1] for r in _by(_page(weak=0.85), "bead")][:3] == \
        ["ok", "weak", "weak"]
    assert "1 weak (confidence < 0.50), 2 omissions" in _by(_page(), "summary")[0].text
    # an omission under the threshold is doubtful: marked on its row and counted
    doubtful = _page(weak=0.65)
    assert [_by(r, "s")[0].text for r in _by(doubtful, "bead")][3:] == ["no RU", "no EN (0.60 doubtful)"]
    assert "2 omissions (1 doubtful)" in _by(doubtful, "summary")[0].text


def test_one_file_no_script_all_text_escaped() -> None:
    html = to_html(_al(), src_lang="en", tgt_lang="ru", weak=0.5, title="<i>Story</i>")
    page = lxml.html.fromstring(html)
    assert not page.xpath("//script|//i|//b|//link|//img")
    assert _by(page.get_element_by_id("b2"), "src")[0].text_content().startswith(
        "One. Two <script>alert(1)</script>.")
    assert page.xpath("//h1")[0].text == "<i>Story</i>"
    assert "\x0c" not in html and "Three ." in html  # a form feed is a space
    assert not re.search(r"""(src|href)=|url\(|@import""", html)
    assert "table-layout" not in html and "<table" not in html
    assert 'name="viewport"' in html
