"""Pre-translation: analysis bands, the draft in the other language, marked and repaired."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tm.drafts.pretranslate import pretranslate
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn

PAIRS = [
    ("The minister said 20 people were hurt in the attack on Tuesday.",
     "Министр сообщил, что во вторник при нападении пострадали 20 человек."),
    ("Oil prices rose by 5% in May.", "Цены на нефть выросли на 5% в мае."),
    ("Press the red button to stop the machine.",
     "Нажмите красную кнопку, чтобы остановить станок."),
    ("The government approved the new budget for the next three years.",
     "Правительство одобрило новый бюджет на ближайшие три года."),
]

ARTICLE = (
    "The minister said 20 people were hurt in the attack on Tuesday. "   # 100%
    "Oil prices rose by 7% in May.\n\n"                                   # 98%: number changed
    "The government approved the budget for the next three years. "     # one word dropped
    "Nobody expected a snowstorm in the middle of July.\n"               # no match
)


@pytest.fixture()
def searcher(memory_at: str):
    with TM.open(memory_at) as tm:
        tm.add_units([UnitIn(e, r) for e, r in PAIRS])
        yield Searcher(tm)


def test_analysis_counts_words_per_band(searcher: Searcher) -> None:
    result = pretranslate(searcher, ARTICLE)
    assert result.lang == "en" and result.target_lang == "ru"
    assert [s.percent for s in result.segments][:2] == [100, 98]
    assert 85 <= result.segments[2].percent <= 94
    assert result.segments[3].match is None
    rows = {band: (segs, words) for band, segs, words in result.analysis()}
    assert rows["100%"] == (1, 12)
    assert rows["95-99%"] == (1, 7)
    assert rows["85-94%"] == (1, 10)
    assert rows["no match"] == (1, 9)
    assert rows["total"] == (4, 38)


def test_draft_fills_matches_marks_them_and_keeps_paragraphs(searcher: Searcher) -> None:
    result = pretranslate(searcher, ARTICLE)
    first, second = result.draft_text().strip().split("\n\n")
    # the 98% match is filled with its number repaired, and says so
    assert first == f"{PAIRS[0][1]} [98% fuzzy, numbers repaired] Цены на нефть выросли на 7% в мае."
    pct = result.segments[2].percent
    assert second == (f"[{pct}% fuzzy] {PAIRS[3][1]} "
                      "[no match] Nobody expected a snowstorm in the middle of July.")


def test_no_segment_under_100_goes_unmarked(searcher: Searcher) -> None:
    result = pretranslate(searcher, ARTICLE)
    assert [s.fill.marked for s in result.segments] == [False, True, True, True]
    rows = [json.loads(line) for line in result.draft_jsonl().splitlines()]
    assert [r["marked"] for r in rows] == [False, True, True, True]
    assert rows[1]["repaired"] == [["5", "7"]] and rows[1]["kind"] == "fuzzy"


def test_a_sentence_stored_inside_a_longer_unit_is_a_100_percent_part(tmp_path: Path) -> None:
    with TM.open(tmp_path / "p.db") as tm:
        tm.add_units([UnitIn("Heavy rain fell on Monday. The dam was closed a day earlier.",
                             "В понедельник шли сильные дожди. Дамбу закрыли днем ранее.")])
        result = pretranslate(Searcher(tm), "The dam was closed a day earlier.")
    [seg] = result.segments
    assert seg.percent == 100 and seg.match is not None and seg.match.part
    assert result.draft_text() == "Дамбу закрыли днем ранее.\n"


def test_a_part_without_a_checked_counterpart_is_never_100_percent(tmp_path: Path) -> None:
    # a 2-1 unit: the Russian holds both English sentences in one (the sample case)
    en = ("The venture was set up last March by Dala Logistics and Uztransyuk. "
          "Each partner holds a 50% stake.")
    ru = ("Предприятие создали в марте прошлого года Dala Logistics и «Узтрансюк», "
          "владеющие равными долями по 50%.")
    with TM.open(tmp_path / "p.db") as tm:
        tm.add_units([UnitIn(en, ru)])
        result = pretranslate(Searcher(tm), "Each partner holds a 50% stake.", min_fill=50)
    [seg] = result.segments
    assert seg.match is not None and seg.match.part and seg.percent < 100
    assert seg.fill.marked and seg.fill.text == ru  # the whole unit, never a fragment of it
    assert result.draft_text() == f"[{seg.percent}% fuzzy, whole longer unit] {ru}\n"
    assert {b: n for b, n, _ in result.analysis()}["100%"] == 0


def test_min_fill_leaves_lower_matches_untranslated(searcher: Searcher) -> None:
    result = pretranslate(searcher, ARTICLE, min_fill=99)
    assert [s.filled for s in result.segments] == [True, False, False, False]


def test_russian_article_drafts_english_and_jsonl_is_one_object_a_sentence(
        searcher: Searcher) -> None:
    result = pretranslate(searcher, "Цены на нефть выросли на 5% в мае. Никто не ждал снега.")
    assert result.lang == "ru"
    rows = [json.loads(line) for line in result.draft_jsonl().splitlines()]
    assert [r["target"] for r in rows] == [PAIRS[1][0], None]
    assert [r["match"] for r in rows] == [100, 0]
    assert rows[0]["src_lang"] == "ru" and rows[0]["tgt_lang"] == "en"


def test_tmx_draft_holds_the_filled_sentences_and_is_valid(searcher: Searcher,
                                                           shared: Path) -> None:
    import io

    from lxml import etree

    buf = io.BytesIO()
    n = pretranslate(searcher, ARTICLE).draft_tmx(buf)
    assert n == 3
    dtd = etree.DTD(str(shared / "standards" / "tmx14.dtd"))
    doc = etree.fromstring(buf.getvalue())
    assert dtd.validate(doc), dtd.error_log
    segs = [tu.findall("tuv/seg") for tu in doc.iter("tu")]
    assert [s[1].text for s in segs] == [PAIRS[0][1], "Цены на нефть выросли на 7% в мае.",
                                         PAIRS[3][1]]
    assert segs[1][0].text == "Oil prices rose by 7% in May."
    drafts = [[p.get("type") for p in tu.findall("prop")] for tu in doc.iter("tu")]
    assert ["x-diptych-draft" in props for props in drafts] == [False, True, True]


def test_import_refuses_draft_units(searcher: Searcher, tmp_path: Path) -> None:
    from tm.tmx import import_tmx

    path = tmp_path / "draft.tmx"
    with open(path, "wb") as f:
        pretranslate(searcher, ARTICLE).draft_tmx(f)
    with TM.open(tmp_path / "fresh.db") as tm:
        report = import_tmx(tm, path)
        assert report.added == 1 and sum(report.skipped.values()) == 2
        assert any("draft" in why for why in report.skipped)
        assert tm.find_exact("Oil prices rose by 7% in May.", "en") == []


def test_a_segment_under_the_threshold_shows_its_best_match_as_a_reference(
        searcher: Searcher) -> None:
    result = pretranslate(searcher, ARTICLE, min_fill=99)
    seg = result.segments[2]  # 85-94%: left untranslated, its match kept as a reference
    assert not seg.filled and seg.fill.reference == PAIRS[3][1]
    assert seg.match is not None
    line = f"[reference {seg.percent}% fuzzy, unit {seg.match.unit.id}] {PAIRS[3][1]}"
    paragraphs = result.draft_text().split("\n\n")
    assert line in paragraphs[1].splitlines()
    assert paragraphs[1].splitlines()[0].endswith("The government approved the budget for the"
                                                  " next three years.")
    rows = [json.loads(x) for x in result.draft_jsonl().splitlines()]
    # repaired like a draft: the stored 5% would be stale beside the new sentence's 7%
    assert [r["reference"] for r in rows] == [None, "Цены на нефть выросли на 7% в мае.",
                                              PAIRS[3][1], None]
    assert "[reference" not in pretranslate(searcher, ARTICLE).draft_text()  # all filled


def test_weekdays_and_datelines_are_repaired_like_dates(tmp_path: Path) -> None:
    with TM.open(tmp_path / "w.db") as tm:
        tm.add_units([UnitIn("BISHKEK, Feb. 20 - The minister spoke on Tuesday.",
                             "БИШКЕК, 20 февраля - Министр выступил во вторник.")])
        result = pretranslate(Searcher(tm), "BISHKEK, Feb. 21 - The minister spoke on Thursday.")
    [seg] = result.segments
    assert seg.filled and seg.fill.text == "БИШКЕК, 21 февраля - Министр выступил в четверг."
    assert seg.fill.repaired == (("20 февраля", "21 февраля"), ("вторник", "четверг"))
    assert seg.fill.marked and not seg.fill.unrepaired


def test_a_reference_whose_amount_cannot_be_carried_over_says_so(memory_at: str) -> None:
    """The stored target keeps its old amount when the new one has no counterpart in it: the
    reference line names the amount to check instead of passing the stale one off."""
    en = ("The project cost $48.5 million, most of it spent on a new terminal in Shymkent and on"
          " 240 flat wagons.")
    ru = ("Проект обошёлся в 48,5 млн долл., большая часть которых ушла на новый терминал в"
          " Шымкенте и 240 вагонов-платформ.")
    with TM.open(memory_at) as tm:
        tm.add_units([UnitIn(en, ru)])
        result = pretranslate(Searcher(tm), "The project cost $60 million, most of it spent on a"
                                            " new terminal in Shymkent.")
    seg = result.segments[0]
    assert not seg.filled and seg.fill.reference is not None
    assert seg.fill.unrepaired == ("60 million",)
    assert "check numbers: 60 million]" in result.draft_text()
