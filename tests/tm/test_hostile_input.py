"""Hostile text given to the memory (issue 13, items 1, 6 and 9): over-long segments, absurd
queries and limits, rich markup. One line on stderr, exit 1, the database unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.search.fuzzy import FuzzyScorer
from tm.search.searcher import MAX_LIMIT, MAX_QUERY, Searcher
from tm.store import MAX_SEGMENT, TM, DocumentIn, UnitIn

runner = CliRunner()


def tmx_file(path: Path, pairs: list[tuple[str, str]]) -> Path:
    body = "".join(f'<tu><tuv xml:lang="en"><seg>{en}</seg></tuv>'
                   f'<tuv xml:lang="ru"><seg>{ru}</seg></tuv></tu>' for en, ru in pairs)
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header creationtool="t"'
                    ' creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en"'
                    f' srclang="en" datatype="plaintext"/><body>{body}</body></tmx>',
                    encoding="utf-8")
    return path


def dump(db: Path) -> list[str]:
    with TM.open(db, readonly=True) as tm:
        return list(tm.conn.iterdump())


def one_line_error(args: list[str], expect: str, stdin: str | None = None) -> None:
    res = runner.invoke(app, args, input=stdin)
    assert res.exit_code == 1, res.output
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("diptych: error:") and expect in line, line


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    with TM.open(path) as tm:
        doc, _ = tm.add_document(DocumentIn(title="Prices", fingerprint="p"))
        tm.add_units([UnitIn("Oil prices rose on Monday.", "Цены на нефть выросли в понедельник."),
                      UnitIn("Gas prices fell.", "Цены на газ упали.")], document=doc)
    return path


def test_import_refuses_over_long_segments_and_counts_them(db: Path, tmp_path: Path) -> None:
    word = "lorem "
    longest = (word * (MAX_SEGMENT // len(word) + 1))[:MAX_SEGMENT - 1] + "m"
    too_long = longest + "x"
    tmx = tmx_file(tmp_path / "in.tmx", [
        ("Short and fine.", "Коротко и хорошо."), (longest, "Самый длинный."),
        (too_long, "Слишком длинный."), ("Another one.", "Р" * (MAX_SEGMENT + 1))])
    res = runner.invoke(app, ["import", str(tmx), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "2 units added" in res.stdout
    assert f"2 TUs with a segment over {MAX_SEGMENT:,} characters" in res.stdout
    with TM.open(db, readonly=True) as tm:
        assert max(len(u.en) for u in tm.iter_units()) == MAX_SEGMENT


def test_a_unit_holds_several_of_aligns_longest_sentences() -> None:
    from align.segment import MAX_CHARS

    assert MAX_SEGMENT >= 4 * MAX_CHARS  # a bead of a few maximal sentences is never refused


def test_edit_refuses_an_over_long_text(db: Path) -> None:
    before = dump(db)
    one_line_error(["edit", "1", "--en", "x" * (MAX_SEGMENT + 1), "--db", str(db)],
                   f"at most {MAX_SEGMENT:,}")
    assert dump(db) == before


@pytest.mark.parametrize("mode", ["auto", "semantic", "fuzzy", "concordance", "exact"])
def test_a_megabyte_query_is_refused_in_one_line(db: Path, mode: str) -> None:
    """No encoder is loaded, no MemoryError: the length is checked first."""
    query = "word " * 200_000
    one_line_error(["search", query, "--mode", mode, "--db", str(db)], f"at most {MAX_QUERY:,}")
    one_line_error(["search", "-", "--mode", mode, "--db", str(db)], "characters long",
                   stdin="Oil prices\n" + query + "\n")


@pytest.mark.parametrize("limit", ["1e20", "99999999999999999999999", "0", "-5",
                                   str(MAX_LIMIT + 1)])
def test_absurd_limits_are_refused_without_a_traceback(db: Path, limit: str) -> None:
    res = runner.invoke(app, ["search", "Oil prices", "--limit", limit, "--db", str(db)])
    assert res.exit_code == 2, res.output  # a usage error, as click reports them
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output and "--limit" in res.stderr


@pytest.mark.parametrize("limit", [0, 10**20, -1])
def test_the_searcher_checks_its_limit(db: Path, limit: int) -> None:
    from tm.errors import TMError

    with TM.open(db, readonly=True) as tm, pytest.raises(TMError, match="out of range"):
        Searcher(tm).search("Oil prices", limit=limit)


@pytest.mark.parametrize("option", [["documents", "--units"], ["documents", "--last"],
                                    ["delete", "--unit"], ["edit"]])
def test_huge_ids_are_refused_without_a_traceback(db: Path, option: list[str]) -> None:
    before = dump(db)
    args = [*option, str(10**30), "--db", str(db)] + (["--en", "x"] if option == ["edit"] else [])
    res = runner.invoke(app, args)
    assert res.exit_code == (0 if option[-1] == "--last" else 1), res.output  # --last: all
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    assert dump(db) == before


def test_fuzzy_scoring_reads_at_most_max_segment_characters() -> None:
    """A unit stored before the import limit (9 MB) is scored like its first 10,000
    characters: the lookup's work does not grow with it."""
    head = ("Oil prices rose on Monday. " * (MAX_SEGMENT // 27 + 1))[:MAX_SEGMENT]
    scorer = FuzzyScorer("Oil prices rose on Monday.")
    assert scorer(head + "x" * 9_000_000) == scorer(head)


def test_rich_markup_in_a_query_and_hits_is_printed_as_text(db: Path) -> None:
    with TM.open(db) as tm:
        doc, _ = tm.add_document(DocumentIn(title="[link=https://evil.example]click[/link]",
                                            fingerprint="m"))
        tm.add_units([UnitIn("Oil [/x] prices [link=https://evil.example]here[/link].",
                             "Нефть [bold]здесь[/bold].")], document=doc)
    for query in ("Oil [/x] prices [link=https://evil.example]here[/link].", "[/x]"):
        res = runner.invoke(app, ["search", "-", "--db", str(db)], input=query + "\n",
                            env={"COLUMNS": "300"})
        assert res.exit_code == 0, res.output
        assert query in res.stdout
    res = runner.invoke(app, ["search", "Oil [/x] prices [link=https://evil.example]here.",
                              "--db", str(db), "--mode", "fuzzy"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "[link=https://evil.example]here[/link]" in res.stdout
    assert "[link=https://evil.example]click[/link]" in res.stdout  # the document title
    hits = [json.loads(x) for x in runner.invoke(
        app, ["search", "Oil [/x] prices [link=https://evil.example]here.", "--db", str(db),
              "--json"]).stdout.splitlines()]
    assert hits[0]["doc"] == "[link=https://evil.example]click[/link]"


def test_a_unit_stored_before_the_limit_is_not_scored(db: Path) -> None:
    """Such a unit (a document stored whole by an older diptych) would cost every lookup that
    meets it seconds; lookups leave it out, and the term aligner finds no part in it."""
    from tm.terms.links import translate

    huge = "Oil prices rose on Monday. " * (MAX_SEGMENT // 27 + 1)
    with TM.open(db) as tm:
        assert tm.add_units([UnitIn(huge.strip(), "Цены на нефть выросли.")]).added == 1
        big = max(u.id for u in tm.iter_units())
        assert tm.texts([1, big], "en") == {1: "Oil prices rose on Monday."}
    with TM.open(db, readonly=True) as tm:
        hits = Searcher(tm).search("Oil prices rose on Monday.", mode="fuzzy", limit=10)
        assert big not in [h.unit.id for h in hits] and hits
    assert translate(huge, "en", (0, 26), "Цены на нефть выросли.", {}) is None  # type: ignore[arg-type]
