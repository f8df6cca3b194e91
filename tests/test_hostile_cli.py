"""`diptych align` on hostile input (issue 13): one line and exit 1 with nothing written, or a
valid file; the library-level cases are in tests/align/test_hostile_sources.py."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from typer.testing import CliRunner

from align.clean import xml_safe
from tm.cli import app

EN = ("Storm closes mountain pass\n\nA spring storm\x0c closed the Anzob pass on Tuesday.\x07"
      " Road crews\x0b worked through the night.\n\nAbout 300 trucks waited near the tunnel\ufffe."
      " Drivers said they had no [/oops] food.\x00\n")
RU = ("Буря закрыла горный перевал\n\nВесенняя буря во вторник закрыла Анзобский перевал."
      " Дорожные бригады работали всю ночь.\n\nОколо 300 грузовиков ждали у тоннеля. Водители"
      " сказали, что у них не было еды.\n")

runner = CliRunner()


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "en.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "ru.txt").write_text(RU, encoding="utf-8")
    return tmp_path / "en.txt", tmp_path / "ru.txt"


def test_endless_device_is_one_line_and_nothing_written(pair: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    result = runner.invoke(app, ["align", "/dev/zero", str(pair[1]), "--max-size", "0.001",
                                 "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("diptych: error:") and "0.001 MB limit" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["en.txt", "ru.txt"]


def test_control_characters_and_markup_reach_every_format(pair: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    html, tmx = tmp_path / "review.html", tmp_path / "memory.tmx"
    for args in (["-o", str(html)], ["-f", "tmx", "-o", str(tmx)]):
        result = runner.invoke(app, ["align", *map(str, pair), *args])
        assert result.exit_code == 0, result.output
    page = html.read_text("utf-8")
    assert xml_safe(page) == page and "no [/oops] food." in lxml.html.fromstring(page).text_content()
    segs = [s.text for s in etree.parse(str(tmx)).iter("seg")]
    assert "A spring storm closed the Anzob pass on Tuesday." in " ".join(segs)
    outputs = {}
    for fmt in ("jsonl", "text"):
        result = runner.invoke(app, ["align", *map(str, pair), "-f", fmt])
        assert result.exit_code == 0, result.output
        assert "[/oops]" in result.stdout
        outputs[fmt] = result.stdout
    rows = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    assert not any(c in row["en"] for row in rows for c in "\x00\x07\x0b\x0c\ufffe")


def test_a_one_line_file_is_cut_into_sentences_with_one_warning(pair: tuple[Path, Path],
                                                                tmp_path: Path) -> None:
    one_line = tmp_path / "one-line.txt"
    one_line.write_text(" ".join(["a storm closed the pass"] * 2000))  # 47 KB, no sentence end
    result = runner.invoke(app, ["align", str(one_line), str(pair[1]), "-f", "ladder"])
    assert result.exit_code == 0, result.output
    warnings = [w for w in result.stderr.splitlines() if "no sentence end" in w]
    assert len(warnings) == 1 and "1 run in the English edition" in warnings[0]
    src_ids = {i for line in result.stdout.splitlines() for i in json.loads(
        line.split("]:[")[0] + "]")}
    assert len(src_ids) >= 47_000 // 2000
