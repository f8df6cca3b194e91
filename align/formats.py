"""Reading and writing alignments: ladder, TSV, JSONL, text, TMX and an HTML review page
(:mod:`align.report`).

Every writer takes any string: characters its format cannot carry are dropped or escaped here
(XML and HTML: :func:`align.clean.clean_text`; JSONL: JSON escapes, lone surrogates dropped; TSV
and text: one line, controls dropped; rich tables: no markup is read from the text).
"""

from __future__ import annotations

import io
import json
import re
from enum import Enum
from typing import BinaryIO

from lxml import etree
from rich.console import Console
from rich.table import Table
from rich.text import Text

from align.clean import clean_text
from align.errors import InputError
from align.report import to_html
from align.types import Alignment, Bead

__all__ = ["Format", "format_ladder", "parse_ladder", "text_table", "to_html", "to_jsonl",
           "to_ladder", "to_text", "to_tsv", "write_tmx"]

_LADDER_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*(?::\s*([-+0-9.eE]+))?\s*$")


def _ids(field: str) -> tuple[int, ...]:
    return tuple(int(x) for x in field.replace(",", " ").split())


def parse_ladder(text: str) -> list[Bead]:
    """Parse Vecalign's ladder format, one bead a line: ``[0, 1]:[2]`` or ``[0, 1]:[2]:0.870``."""
    beads = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LADDER_LINE.match(line)
        if not m:
            raise InputError(f"line {no} is not a ladder line like '[0, 1]:[2]': {line[:60]!r}")
        score = float(m.group(3)) if m.group(3) is not None else 1.0
        beads.append(Bead(_ids(m.group(1)), _ids(m.group(2)), score))
    return beads


def format_ladder(beads: list[Bead]) -> str:
    """One bead a line, ``[0, 1]:[2]:0.870``, 0-based indices, ``[]`` for an empty side."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.3f}\n"
        for b in beads
    )


# --- renderers -------------------------------------------------------------------------------


class Format(str, Enum):
    """Output formats of ``diptych align``."""

    text = "text"
    tsv = "tsv"
    jsonl = "jsonl"
    ladder = "ladder"
    tmx = "tmx"
    html = "html"


def _one_line(s: str) -> str:
    """``s`` on one line, without the characters no text format can carry."""
    return " ".join(clean_text(s).split())


_SURROGATES = re.compile("[\ud800-\udfff]")


def to_jsonl(al: Alignment) -> str:
    """One bead a line: ``{"en": ..., "ru": ..., "en_ids": [...], "ru_ids": [...], "score": ...}``.

    The keys name the languages of a newsroom pair (source = en, target = ru) whatever the input
    languages, so scripts can rely on them.
    """
    lines = []
    for src, tgt, b in al.pairs():
        row = {"en": _SURROGATES.sub("", src), "ru": _SURROGATES.sub("", tgt), "en_ids": list(b.src), "ru_ids": list(b.tgt),
               "score": round(b.score, 4)}
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines) + "\n" if lines else ""


def to_tsv(al: Alignment) -> str:
    """``source<TAB>target<TAB>score`` a bead, tabs and newlines inside text turned to spaces."""
    return "".join(f"{_one_line(s)}\t{_one_line(t)}\t{b.score:.3f}\n" for s, t, b in al.pairs())


def to_ladder(al: Alignment) -> str:
    return format_ladder(list(al.beads))


def text_table(al: Alignment, *, src_lang: str, tgt_lang: str, weak: float) -> Table:
    """A rich table: one row a bead, both sides, confidence; weak beads and omissions marked."""
    table = Table(show_lines=True, expand=True, header_style="bold")
    table.add_column("#", justify="right", no_wrap=True, style="dim")
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column(src_lang.upper(), ratio=1)
    table.add_column(tgt_lang.upper(), ratio=1)
    for no, (src, tgt, b) in enumerate(al.pairs(), 1):
        omitted = not b.src or not b.tgt
        mark = ("omitted" + (", doubtful" if b.score < weak else "")) if omitted else (
            "weak" if b.score < weak else "")
        style = "yellow" if mark else ""
        conf = f"{b.score:.2f}" + (f"\n{mark}" if mark else "")
        table.add_row(str(no), conf, Text(clean_text(src) or "—"), Text(clean_text(tgt) or "—"),
                      style=style)
    return table


def to_text(al: Alignment, *, src_lang: str, tgt_lang: str, weak: float, width: int = 120) -> str:
    """The side-by-side view as plain text (for files and pipes)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(text_table(al, src_lang=src_lang, tgt_lang=tgt_lang, weak=weak))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)


def write_tmx(
    al: Alignment, out: BinaryIO, *, src_lang: str, tgt_lang: str, tool_version: str
) -> int:
    """Write the paired beads as TMX 1.4b (omissions are not units); returns the unit count."""
    n = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", version="1.4"):
            xf.write(
                etree.Element(
                    "header",
                    creationtool="diptych",
                    creationtoolversion=tool_version,
                    segtype="sentence",
                    adminlang="en",
                    srclang=clean_text(src_lang),
                    datatype="plaintext",
                    **{"o-tmf": "diptych"},
                )
            )
            with xf.element("body"):
                for src, tgt, b in al.pairs():
                    if not b.src or not b.tgt:
                        continue
                    tu = etree.Element("tu")
                    prop = etree.SubElement(tu, "prop", type="x-diptych-score")
                    prop.text = f"{b.score:.3f}"
                    for lang, text in ((src_lang, src), (tgt_lang, tgt)):
                        tuv = etree.SubElement(tu, "tuv", {_XML_LANG: clean_text(lang)})
                        etree.SubElement(tuv, "seg").text = _one_line(text)
                    xf.write(tu)
                    n += 1
    return n


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
