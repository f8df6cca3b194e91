"""add --batch: web pages to the TM, the pair list format, and a killed run resumed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from align.errors import InputError
from tests.tm.pair_lists import write_pairs
from tm.errors import TMError
from tm.ingest.batch import PairJob, read_pairs, run_batch
from tm.store import TM

NEWS = Path(__file__).resolve().parent.parent / "data" / "news"
EXPECTED = {(story, lang): json.loads((NEWS / f"{story}.{lang}.json").read_text("utf-8"))
            for story in ("lake-ferry", "night-buses") for lang in ("en", "ru")}




def test_read_pairs(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("x")
    listing = tmp_path / "pairs.tsv"
    listing.write_text("# from diptych pair\ne.txt\thttps://x.example/ru\t0.912\n\n"
                       "/abs/e.txt\t/abs/r.txt\n")
    assert read_pairs(listing) == [
        PairJob(2, str(tmp_path / "e.txt"), "https://x.example/ru", 0.912),
        PairJob(4, "/abs/e.txt", "/abs/r.txt", None),
    ]
    for bad in ("only-one-column\n", "a\tb\tsure\n", "a\tb\t1.5\n", "a\t\t0.5\n", "# none\n"):
        listing.write_text(bad)
        with pytest.raises(TMError, match="pairs.tsv"):
            read_pairs(listing)
    with pytest.raises(TMError, match="diptych pair"):
        read_pairs(tmp_path / "missing.tsv")


@pytest.mark.parametrize(("data", "message"), [
    ("e.txt\tr.txt\n".encode("utf-16"), None),
    ("e.txt\tr.txt\t0.5\n".encode("cp1251") + b"\xcf\n", "not valid UTF-8"),
    (b"", "is empty; pass the file that holds the list of pairs"),
    (b"PK\x03\x04\x00\x00" * 50, "binary file"),
])
def test_read_pairs_reads_the_list_like_a_story(tmp_path: Path, data: bytes,
                                                message: str | None) -> None:
    listing = tmp_path / "pairs.tsv"
    listing.write_bytes(data)
    if message is None:
        assert [(j.en, j.ru) for j in read_pairs(listing)] == [("e.txt", "r.txt")]
        return
    with pytest.raises(InputError, match=message):
        read_pairs(listing)


def test_pages_by_url_reach_the_tm_without_boilerplate(tmp_path: Path, news_site: str) -> None:
    pairs = [PairJob(k, f"{news_site}/{story}.en.html", f"{news_site}/{story}.ru.html", 0.95)
             for k, story in enumerate(("lake-ferry", "night-buses"), 1)]
    pairs.append(PairJob(3, f"{news_site}/lake-ferry.en.html", f"{news_site}/gone.html", 0.6))
    with TM.open(tmp_path / "tm.db") as tm:
        summary = run_batch(tm, pairs, workers=2)
        docs = {d.title: d for d in tm.documents()}
        units = {d.title: list(tm.iter_units(doc=d.id)) for d in docs.values()}
        meta = tm.document_meta(1)
    assert (summary.stored, summary.skipped, len(summary.failed)) == (2, 0, 1)
    assert "HTTP 404" in summary.failed[0][1] and "/gone.html" in summary.failed[0][1]
    assert summary.units_added == sum(map(len, units.values()))
    for story in ("lake-ferry", "night-buses"):
        title = EXPECTED[story, "en"]["story"][0]
        for lang in ("en", "ru"):
            stored = " ".join(getattr(u, lang) for u in units[title])
            missing = [p for p in EXPECTED[story, lang]["story"] if p not in stored]
            leaked = [f for f in EXPECTED[story, lang]["furniture"] if f in stored]
            assert (story, lang, missing, leaked) == (story, lang, [], [])
    ferry = docs[EXPECTED["lake-ferry", "en"]["story"][0]]
    assert ferry.date == "2024-03-04"
    assert ferry.url == "https://steppe-monitor.example/kyrgyzstan-issyk-kul-ferry-returns"
    assert meta["en_author"] == "Aida Temirova" and meta["ru_author"] == "Аида Темирова"
    assert meta["pair_confidence"] == 0.95
    assert summary.review == []


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Everything a TM holds except timestamps."""
    conn = sqlite3.connect(db)
    queries = {
        "documents": "SELECT id, title, url, date, en_path, ru_path, en_sha256, ru_sha256,"
                     " fingerprint, meta FROM documents ORDER BY id",
        "units": "SELECT id, en, ru, en_lang, ru_lang, score, origin, meta FROM units ORDER BY id",
        "links": "SELECT doc_id, position, unit_id FROM unit_docs ORDER BY 1, 2, 3",
        "vectors": "SELECT unit_id, vec FROM embeddings ORDER BY unit_id",
        "fts": "SELECT rowid FROM units_fts WHERE units_fts MATCH 'the' ORDER BY rowid",
    }
    try:
        return {k: conn.execute(q).fetchall() for k, q in queries.items()}
    finally:
        conn.close()


def _diptych(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("diptych")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tm.cli"]
    return subprocess.Popen([*cmd, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _killed_run(listing: Path, db: Path, env: dict[str, str], after: int) -> int:
    """Run add --batch and SIGKILL it (and its workers) once ``after`` pairs are stored;
    returns how many documents the TM then holds."""
    run = _diptych("add", "--batch", str(listing), "--db", str(db), env=env)
    assert run.stderr is not None
    stored = 0
    for line in run.stderr:  # one line a pair when stderr is not a terminal
        stored += "] stored:" in line
        if stored == after:
            os.killpg(run.pid, signal.SIGKILL)
            break
    _, err = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, err
    with TM.open(db) as tm:
        return len(tm.documents())


@pytest.mark.slow
def test_killed_batch_resumes_to_the_same_tm(tmp_path: Path, shared: Path) -> None:
    n = 8
    listing = write_pairs(tmp_path, shared, n, lambda k: 0.99 - k / 10)
    env = {**os.environ, "DIPTYCH_WORKERS": "2"}
    whole = tmp_path / "whole.db"

    run = _diptych("add", "--batch", str(listing), "--db", str(whole), env=env)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert f"{n} pairs: {n} stored, 0 already in the TM, 0 failed" in out
    assert "pairs to review" in out and "pairs.tsv:8" in err  # pairing confidence 0.29

    # The workers run ahead of the parent's writes, so a kill after 2 stored pairs finds 2 to
    # n - 1 pairs stored; should a loaded machine let the run finish first, kill a new one.
    for attempt in range(3):
        resumed = tmp_path / f"resumed-{attempt}.db"
        held = _killed_run(listing, resumed, env, after=2)
        if held < n:
            break
    assert 2 <= held < n

    run = _diptych("add", "--batch", str(listing), "--db", str(resumed), env=env)
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    assert f"{n} pairs: {n - held} stored, {held} already in the TM, 0 failed" in out
    got, want = _dump(resumed), _dump(whole)
    for table in want:
        assert got[table] == want[table], table
    assert len(want["units"]) > 50


@pytest.mark.parametrize("args, message", [
    (["--batch", "{tmp}/missing.tsv"], "pair list '{tmp}/missing.tsv' does not exist"),
    (["--batch", "{tmp}"], "pair list '{tmp}' is not a file"),
    (["a.txt", "b.txt", "--batch", "{tmp}/pairs.tsv"], "not both"),
    (["--batch", "{tmp}/pairs.tsv", "--title", "T", "--url", "https://x.example"],
     "--title/--url describe one story"),
    (["a.txt"], "give the two editions"),
])
def test_add_batch_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from tm.cli import app

    (tmp_path / "pairs.tsv").write_text("a.txt\tb.txt\t0.9\n")
    args = [a.format(tmp=tmp_path) for a in args]
    res = CliRunner().invoke(app, ["add", *args, "--db", str(tmp_path / "tm.db")])
    assert res.exit_code == 1
    assert res.stderr.startswith("diptych: error: ")
    assert message.format(tmp=tmp_path) in res.stderr


def test_add_and_align_take_urls(tmp_path: Path, news_site: str) -> None:
    """`diptych add URL URL` stores the story with the page's metadata, and only once."""
    from typer.testing import CliRunner

    from tm.cli import app

    en, ru = f"{news_site}/night-buses.en.html", f"{news_site}/night-buses.ru.html"
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    first = runner.invoke(app, ["add", en, ru, "--db", db])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["add", en, ru, "--db", db])
    assert again.exit_code == 0 and "nothing added" in again.stdout
    with TM.open(tmp_path / "t.db") as tm:
        (doc,) = tm.documents()
        stored = " ".join(u.ru for u in tm.iter_units(doc=doc.id))
    assert doc.title == EXPECTED["night-buses", "en"]["story"][0]
    assert doc.en_path == en and doc.url
    assert not [f for f in EXPECTED["night-buses", "ru"]["furniture"] if f in stored]
    aligned = runner.invoke(app, ["align", en, ru, "-f", "jsonl"])
    assert aligned.exit_code == 0, aligned.output
    assert aligned.stdout.count("\n") >= len(EXPECTED["night-buses", "en"]["story"])


@pytest.mark.parametrize("first", ["add", "batch"])
def test_a_url_pair_stored_both_ways_is_one_document_with_title_and_date(
        tmp_path: Path, news_site: str, first: str) -> None:
    """`add EN RU` and `add --batch` fingerprint a story the same way (issue 9)."""
    from typer.testing import CliRunner

    from tm.cli import app

    en, ru = f"{news_site}/lake-ferry.en.html", f"{news_site}/lake-ferry.ru.html"
    (tmp_path / "pairs.tsv").write_text(f"{en}\t{ru}\t0.97\n")
    db = str(tmp_path / "t.db")
    ways = {"add": ["add", en, ru, "--db", db],
            "batch": ["add", "--batch", str(tmp_path / "pairs.tsv"), "--db", db]}
    runner = CliRunner()
    done = runner.invoke(app, ways[first])
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, ways["batch" if first == "add" else "add"])
    assert again.exit_code == 0, again.output
    assert "nothing added" in again.stdout or "1 already in the TM" in again.stdout
    with TM.open(db) as tm:
        (doc,) = tm.documents()
    assert doc.title == EXPECTED["lake-ferry", "en"]["story"][0]
    assert doc.date is not None and doc.url and doc.units > 0


def test_ctrl_c_in_add_batch_ends_with_what_is_stored(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C stops the bar, then says how far the run got, as the last line."""
    from typer.testing import CliRunner

    from tm import service
    from tm.cli import app

    listing = tmp_path / "pairs.tsv"
    listing.write_text("".join(f"e{i}.txt\tr{i}.txt\t0.9\n" for i in range(5)))

    def interrupted(tm, request, progress):
        for i, status in enumerate(("stored", "skipped", "stored")):
            progress(PairJob(i + 1, f"e{i}.txt", f"r{i}.txt", 0.9), status)
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "add_batch", interrupted)
    res = CliRunner().invoke(app, ["add", "--batch", str(listing), "--db", str(tmp_path / "t.db")])
    assert res.exit_code == 130
    assert res.stderr.strip().splitlines()[-1] == (
        "diptych: interrupted: 2 of 5 stored, 1 there already; run again to resume")
