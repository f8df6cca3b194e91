"""The `align` and `eval` commands through Typer's CliRunner, plus one real subprocess run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from align.formats import parse_ladder
from tm.cli import app

EN = """Storm closes mountain pass

A spring storm closed the Anzob pass on Tuesday. Road crews worked through the night.

About 300 trucks waited near the tunnel. Drivers said they had no food.

The ministry promised to reopen the road by Friday. It gave no other details.
"""

RU = """Буря закрыла горный перевал

Весенняя буря во вторник закрыла Анзобский перевал. Дорожные бригады работали всю ночь.

Около 300 грузовиков ждали у тоннеля, и у водителей, по их словам, не было еды.

Министерство пообещало открыть дорогу к пятнице. Других подробностей оно не сообщило.
"""

runner = CliRunner()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("pair")
    (d / "en.txt").write_text(EN, encoding="utf-8")
    (d / "ru.txt").write_text(RU, encoding="utf-8")
    return d / "en.txt", d / "ru.txt"


def run(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def jsonl(pair: tuple[Path, Path]) -> list[dict]:
    result = run("align", *pair, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_has_the_documented_keys_and_finds_the_merge(pair: tuple[Path, Path]) -> None:
    rows = jsonl(pair)
    assert all(set(r) == {"en", "ru", "en_ids", "ru_ids", "score"} for r in rows)
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)
    # every sentence exactly once, in order
    assert [i for r in rows for i in r["en_ids"]] == list(range(7))
    assert [i for r in rows for i in r["ru_ids"]] == list(range(6))
    merged = [r for r in rows if r["en_ids"] == [3, 4]]
    assert merged and merged[0]["ru_ids"] == [3], rows
    assert rows[0]["en"] == "Storm closes mountain pass"


def test_ladder_and_eval_round_trip(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "test.ladder"
    result = run("align", *pair, "-o", out)  # format from the suffix
    assert result.exit_code == 0, result.output
    beads = parse_ladder(out.read_text())
    assert [i for b in beads for i in b.src] == list(range(7))
    result = run("eval", out, "--test", out, "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["strict"]["f1"] == 1.0 and scores["lax"]["f1"] == 1.0


def test_eval_counts_a_wrong_bead(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    test = tmp_path / "test"
    gold.write_text("[0]:[0]\n[1, 2]:[1]\n[3]:[2]\n")
    test.write_text("[0]:[0]\n[1]:[1]\n[2]:[]\n[3]:[2]\n")
    result = run("eval", gold, "--test", test, "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    # Vecalign's metric: a test deletion absent from gold is a false positive (precision 2/4);
    # recall ignores deletions (2 of the 3 gold 1+ beads found)
    assert scores["strict"]["precision"] == pytest.approx(0.5, abs=1e-3)
    assert scores["strict"]["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert scores["lax"]["recall"] == pytest.approx(1.0, abs=1e-3)
    # several documents: GOLD... --test TEST..., micro-averaged
    result = run("eval", gold, gold, "--test", test, gold, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["strict"]["recall"] == pytest.approx(5 / 6, abs=1e-3)
    result = run("eval", gold, gold, "--test", test)
    assert result.exit_code == 1 and "2 gold file(s) but 1 test file(s)" in result.stderr


def test_tsv_text_and_html(pair: tuple[Path, Path]) -> None:
    tsv = run("align", *pair, "-f", "tsv")
    assert tsv.exit_code == 0
    rows = [line.split("\t") for line in tsv.stdout.splitlines()]
    assert all(len(r) == 3 for r in rows) and rows[0][0] == "Storm closes mountain pass"
    text = run("align", *pair)
    assert text.exit_code == 0
    assert "Анзобский" in text.stdout and "EN" in text.stdout and "RU" in text.stdout
    html = run("align", *pair, "-f", "html")
    assert html.exit_code == 0
    doc = etree.HTML(html.stdout.encode())
    beads = doc.xpath("//div[contains(concat(' ', @class, ' '), ' bead ')]")  # align/report.py
    assert len(beads) == len(jsonl(pair))
    assert doc.find(".//style") is not None and not doc.findall(".//script[@src]")
    assert "wrote" not in html.stderr  # stdout: nothing to confirm


def test_a_written_file_is_confirmed_in_one_line(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    res = run("align", *pair, "-o", str(out))
    assert res.exit_code == 0 and out.exists()
    beads = jsonl(pair)
    paired = [b for b in beads if b["en_ids"] and b["ru_ids"]]
    assert res.stderr.strip() == (
        f"diptych: wrote {out} (html): {len(paired)} pairs,"
        f" {sum(b['score'] < 0.85 for b in paired)} weak (confidence < 0.85),"
        f" {len(beads) - len(paired)} omissions"
        + (f" ({doubtful} doubtful)" if (doubtful := sum(
            b["score"] < 0.85 for b in beads if not (b["en_ids"] and b["ru_ids"]))) else ""))


def test_tmx_is_valid_against_the_dtd(pair: tuple[Path, Path], tmp_path: Path, shared: Path) -> None:
    out = tmp_path / "a.tmx"
    result = run("align", *pair, "-o", out)
    assert result.exit_code == 0, result.output
    dtd = etree.DTD(str(shared / "standards" / "tmx14.dtd"))
    doc = etree.parse(str(out))
    assert dtd.validate(doc), dtd.error_log
    tus = doc.findall(".//tu")
    assert len(tus) == sum(1 for r in jsonl(pair) if r["en_ids"] and r["ru_ids"])
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in doc.iter("tuv")}
    assert langs == {"en", "ru"}


def test_presplit_keeps_lines_as_sentences(tmp_path: Path) -> None:
    en = tmp_path / "en"
    ru = tmp_path / "ru"
    en.write_text("One. Two.\nThree.\n\nFour.\n")
    ru.write_text("Один. Два.\nТри.\n\nЧетыре.\n")
    rows = [json.loads(x) for x in run("align", "--presplit", en, ru, "-f", "jsonl").stdout.split("\n") if x]
    assert [r["en"] for r in rows] == ["One. Two.", "Three.", "Four."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Привет".encode("cp1251") * 10, "not valid UTF-8"),
    ],
)
def test_bad_files_give_one_clear_line(
    pair: tuple[Path, Path], tmp_path: Path, content: bytes | None, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    result = run("align", pair[0], bad)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("diptych: error:")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_wrong_language_swapped_and_copies(pair: tuple[Path, Path], tmp_path: Path) -> None:
    en, ru = pair
    swapped = run("align", ru, en)
    assert swapped.exit_code == 1 and "swapped" in swapped.stderr
    en2 = tmp_path / "en2.txt"  # not in the module's shared pair folder
    en2.write_text(EN.replace("Tuesday", "Wednesday"))
    result = run("align", en, en2)
    assert result.exit_code == 1 and "does not look Russian" in result.stderr
    copies = run("align", en, en)
    assert copies.exit_code == 1 and "same text" in copies.stderr
    forced = run("align", en, en2, "--no-lang-check", "-f", "ladder")
    assert forced.exit_code == 0


@pytest.mark.parametrize(("was", "read_as", "says"), [
    ("cp1251", "cp1252", "Windows-1251 bytes"), ("cp1251", "latin-1", "Windows-1251 bytes"),
    ("utf-8", "latin-1", "UTF-8 bytes"), ("utf-8", "cp1252", "UTF-8 bytes")])
def test_mojibake_is_named(pair: tuple[Path, Path], tmp_path: Path, was: str, read_as: str,
                           says: str) -> None:
    # the Russian edition saved after a wrong decoding: "Буря" became "Áóðÿ" or "Ð‘ÑƒÑ€Ñ"
    garbled = tmp_path / "garbled.txt"
    garbled.write_text(RU.encode(was).decode(read_as, errors="replace"), encoding="utf-8")
    result = run("align", pair[0], garbled)
    assert result.exit_code == 1
    assert "garbled by a wrong character set" in result.stderr and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # a Latin text that is not mojibake keeps the plain message
    en2 = tmp_path / "en2.txt"
    en2.write_text(EN.replace("Tuesday", "Wednesday"))
    assert "does not look Russian" in run("align", pair[0], en2).stderr


def test_very_different_lengths_warn_but_align(pair: tuple[Path, Path], tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("Буря закрыла горный перевал\n\nВесенняя буря во вторник закрыла перевал.\n")
    result = run("align", pair[0], short, "-f", "ladder")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "longer" in result.stderr
    assert len(parse_ladder(result.stdout)) >= 2


def test_oversized_file_is_refused_without_reading_it(pair: tuple[Path, Path], tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:  # a sparse 50 MB file: refused by its size alone
        f.truncate(50_000_000)
    result = run("align", pair[0], big)
    assert result.exit_code == 1
    assert re.search(r"50(\.0)? MB", result.stderr) and "--max-size" in result.stderr


def test_batch_aligns_every_pair_and_reports_failures(pair: tuple[Path, Path], tmp_path: Path) -> None:
    en, ru = pair
    jobs = tmp_path / "jobs.tsv"
    jobs.write_text(
        f"{en}\t{ru}\t{tmp_path / 'a.jsonl'}\n"
        f"{en}\t{ru}\t{tmp_path / 'b.ladder'}\n"
        f"{en}\t{tmp_path / 'missing.txt'}\t{tmp_path / 'c.ladder'}\n"
    )
    result = run("align", "--batch", jobs)
    assert result.exit_code == 1
    assert "pair 3" in result.stderr and "aligned 2 of 3 pairs" in result.stderr
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == len(jsonl(pair))
    assert parse_ladder((tmp_path / "b.ladder").read_text())
    assert not (tmp_path / "c.ladder").exists()


def test_usage_errors(pair: tuple[Path, Path], tmp_path: Path) -> None:
    assert run("align", pair[0]).exit_code == 1
    bad_batch = tmp_path / "b.tsv"
    bad_batch.write_text("only-one-field\n")
    result = run("align", "--batch", bad_batch)
    assert result.exit_code == 1 and "3 tab-separated fields" in result.stderr
    result = run("align", *pair, "-f", "xml")
    assert result.exit_code == 2  # click's usage error
    result = run("align", *pair, "--model", "nonsense")
    assert result.exit_code == 1 and "nonsense" in result.stderr


def test_installed_console_script_runs(pair: tuple[Path, Path]) -> None:
    """One real subprocess run of the installed `diptych` (next to this interpreter)."""
    exe = Path(sys.executable).with_name("diptych")
    if not exe.exists():
        pytest.skip("the diptych console script is not installed next to this python")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [str(exe), "align", *map(str, pair), "-f", "ladder"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [i for b in parse_ladder(proc.stdout) for i in b.src] == list(range(7))
    proc = subprocess.run([str(exe), "align", "nope.txt", "nope2.txt"], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("diptych: error:")


def test_a_terminal_sees_a_spinner_and_stdout_only_the_alignment(pair: tuple[Path, Path]) -> None:
    """stderr on a terminal shows what is being aligned while it runs; stdout stays clean."""
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    cli = [sys.executable, "-c", "import sys; from tm.cli import main; sys.argv[0] = 'diptych'; main()"]
    proc = subprocess.run([*cli, "align", *map(str, pair), "-f", "ladder"],
                          stdout=subprocess.PIPE, stderr=terminal, env=env, timeout=300,
                          check=False)
    os.close(terminal)
    seen = b""
    try:
        while chunk := os.read(controller, 4096):
            seen += chunk
    except OSError:  # the terminal's other end is closed: all was read
        pass
    os.close(controller)
    assert proc.returncode == 0
    assert "aligning" in seen.decode(errors="replace")
    assert [i for b in parse_ladder(proc.stdout.decode()) for i in b.src] == list(range(7))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{tmp}", "it is a folder; give a file name inside it"),
        ("{tmp}/missing/out.html", "folder '{tmp}/missing' does not exist"),
        ("{tmp}/file.txt/out.html", "'{tmp}/file.txt' is a file, not a folder"),
    ],
)
def test_unwritable_output_gives_one_clear_line(
    pair: tuple[Path, Path], tmp_path: Path, target: str, message: str
) -> None:
    (tmp_path / "file.txt").write_text("not a folder")
    out = target.format(tmp=tmp_path)
    result = run("align", *pair, "-o", out)
    assert result.exit_code == 1
    expected = f"diptych: error: cannot write '{out}': {message.format(tmp=tmp_path)}"
    assert result.stderr.strip() == expected
    assert not list(tmp_path.glob(".*.part"))


def test_unknown_output_suffix_warns_and_writes_text(pair: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "review.xyz"
    result = run("align", *pair, "-o", out)
    assert result.exit_code == 0
    assert "review.xyz: no format is known for its suffix; writing text" in result.stderr
    assert out.read_text(encoding="utf-8") == run("align", *pair, "-f", "text").stdout


@pytest.mark.parametrize("args", [
    ["search", "hello", "--limit", "1e20"],
    ["search", "hello", "--mode", "nonsense"],
    ["serch", "hello"],
    ["align", "a.txt", "b.txt", "--no-such-option"],
])
def test_usage_errors_are_one_line(args: list[str], tmp_path: Path) -> None:
    """A usage error through the real entry point: exit code 2 and one stderr line (not click's
    box), naming what to read next."""
    code = "import sys; from tm.cli import main; sys.argv[0] = 'diptych'; main()"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "DIPTYCH_DB": str(tmp_path / "x.db")}
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diptych: error:"), proc.stderr
    assert "--help" in lines[0] and not (tmp_path / "x.db").exists()
