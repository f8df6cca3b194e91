"""align.formats: every writer takes any string (control characters, U+FFFE, lone surrogates,
NUL, rich markup) and writes a valid file of its format."""

from __future__ import annotations

import io
import json

import lxml.html
import pytest
from lxml import etree

from align import formats
from align.clean import clean_text, xml_safe
from align.types import Alignment, Bead, Sentence

HOSTILE = ["Form\x0cfeed and \x0bvertical tab.", "A bell\x07 and NUL\x00 late.",
           "Not a char\ufffe\uffff, lone \ud800 surrogate.", "[/oops] [link=https://x.example]x[/link]",
           "Tab\tinside\nand newline."]
RU = ["Перевод формы.", "Звонок и ноль.", "Не символ.", "Разметка.", "Табуляция."]


def _alignment() -> Alignment:
    src = tuple(Sentence(0, len(t), t) for t in HOSTILE)
    tgt = tuple(Sentence(0, len(t), t) for t in RU)
    beads = tuple(Bead((i,), (i,), 0.9) for i in range(len(HOSTILE))) + (Bead((), (0,), 0.5),)
    return Alignment(src, tgt, beads, warnings=("title\x0c with a form feed",))


def _visible(text: str) -> str:
    """The words a reader sees, whatever was dropped around them."""
    return " ".join(clean_text(text).split())


def test_html_report_is_valid_and_keeps_the_words() -> None:
    page = formats.to_html(_alignment(), src_lang="en", tgt_lang="ru", weak=0.5,
                           title="Bell\x07 [/oops]")
    assert xml_safe(page) == page
    text = " ".join(lxml.html.fromstring(page).text_content().split())
    for sentence in HOSTILE:
        assert _visible(sentence) in text
    assert "Bell [/oops]" in text


def test_tmx_is_valid_xml() -> None:
    buf = io.BytesIO()
    n = formats.write_tmx(_alignment(), buf, src_lang="en", tgt_lang="ru", tool_version="0")
    segs = etree.fromstring(buf.getvalue()).findall(".//seg")
    assert n == len(HOSTILE)
    assert [s.text for s in segs[::2]] == [_visible(t) for t in HOSTILE]


def test_jsonl_escapes_and_round_trips() -> None:
    lines = formats.to_jsonl(_alignment()).encode("utf-8").decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == len(HOSTILE) + 1
    assert rows[0]["en"] == HOSTILE[0]  # controls survive as JSON escapes
    assert rows[2]["en"] == HOSTILE[2].replace("\ud800", "")  # UTF-8 cannot carry a surrogate


def test_tsv_has_three_fields_a_line() -> None:
    text = formats.to_tsv(_alignment())
    text.encode("utf-8")
    rows = [line.split("\t") for line in text.split("\n")[:-1]]
    assert [len(r) for r in rows] == [3] * (len(HOSTILE) + 1)
    assert [r[0] for r in rows[:-1]] == [_visible(t) for t in HOSTILE]


def test_text_table_prints_markup_as_text() -> None:
    out = formats.to_text(_alignment(), src_lang="en", tgt_lang="ru", weak=0.5, width=200)
    out.encode("utf-8")
    assert "[/oops] [link=https://x.example]x[/link]" in out


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff",
                                  chr(0xD800), chr(0xDFFF)])
def test_xml_safe_drops_what_xml_forbids(char: str) -> None:
    assert xml_safe(f"a{char}b") == "ab"
    assert xml_safe("tab\tnl\ncr\r ё 😀 \x85") == "tab\tnl\ncr\r ё 😀 \x85"
