"""The TM store: schema and migrations, de-duplication, transactions, streaming, concurrency."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tm.errors import TMError
from tm.store import MIGRATIONS, TM, DocumentIn, UnitIn


@pytest.fixture()
def tm(tmp_path: Path):
    with TM.open(tmp_path / "t.db") as store:
        yield store


def test_open_creates_schema_in_wal_mode(tmp_path: Path) -> None:
    with TM.open(tmp_path / "new.db") as tm:
        assert tm.schema_version == len(MIGRATIONS)
        assert tm.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in tm.conn.execute("SELECT name FROM sqlite_master")}
        assert {"documents", "units", "unit_docs", "units_fts", "embeddings"} <= tables


def test_reopen_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    with TM.open(tmp_path / "t.db") as tm:
        tm.add_units([UnitIn("One.", "Один.")])
    with TM.open(tmp_path / "t.db") as tm:
        assert tm.count_units() == 1
        assert tm.schema_version == len(MIGRATIONS)


def test_newer_schema_and_non_database_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(TMError, match="upgrade diptych"):
        TM.open(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(TMError, match="not a diptych database|cannot open"):
        TM.open(junk)
    with pytest.raises(TMError, match="no translation memory"):
        TM.open(tmp_path / "missing.db", create=False)


def test_default_path_comes_from_environment(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPTYCH_DB", str(tmp_path / "env.db"))
    with TM.open() as tm:
        assert tm.path == tmp_path / "env.db"


def test_same_pair_is_stored_once_and_remembers_every_document(tm: TM) -> None:
    a, _ = tm.add_document(DocumentIn(title="A", fingerprint="a"))
    b, _ = tm.add_document(DocumentIn(title="B", fingerprint="b"))
    first = tm.add_units([UnitIn("Hello.", "Привет."), UnitIn("Bye.", "Пока.")], document=a)
    second = tm.add_units([UnitIn("Other.", "Другое."), UnitIn("Hello.", "Привет.")], document=b)
    assert (first.added, first.existing) == (2, 0)
    assert (second.added, second.existing) == (1, 1)
    assert tm.count_units() == 3
    (hello,) = [u for u in tm.iter_units(with_docs=True) if u.en == "Hello."]
    assert hello.docs == ((a, 0), (b, 1))
    assert [u.en for u in tm.iter_units(doc=b)] == ["Other.", "Hello."]


def test_markup_is_part_of_a_unit_and_a_duplicates_meta_is_merged(tm: TM) -> None:
    tagged = UnitIn("Press Enter.", "Нажмите Enter.", en_markup='Press <ph x="1"/>Enter.',
                    meta={"attrs": [["tuid", "a"]], "undated": ["creationdate"]})
    plain = UnitIn("Press Enter.", "Нажмите Enter.", meta={"props": [["client", "X"]]})
    counts = tm.add_units([tagged, plain, tagged])  # the same words, other tags: two units
    assert (counts.added, counts.existing, counts.merged) == (2, 1, 0)
    again = tm.add_units([
        UnitIn("Press Enter.", "Нажмите Enter.", en_markup='Press <ph x="1"/>Enter.',
               meta={"attrs": [["tuid", "b"]], "props": [["client", "Y"]]}),  # a second tuid
        UnitIn("Press Enter.", "Нажмите Enter.", meta={"props": [["client", "X"]]})])
    assert (again.added, again.existing, again.merged) == (0, 2, 1)  # the second adds nothing
    first, second = tm.iter_units()
    assert first.meta == {"attrs": [["tuid", "a"], ["tuid", "b"]], "undated": ["creationdate"],
                          "props": [["client", "Y"]]}
    assert second.meta == {"props": [["client", "X"]]}
    dated = tm.add_units([UnitIn("Press Enter.", "Нажмите Enter.", meta={"undated": [
        "changedate"]})])  # a mark of what a copy lacks is never merged in
    assert dated.merged == 0 and "undated" not in list(tm.iter_units())[1].meta


def test_same_document_twice_adds_nothing(tm: TM) -> None:
    first = tm.add_document(DocumentIn(title="A", fingerprint="sha-en:sha-ru"))
    again = tm.add_document(DocumentIn(title="A again", fingerprint="sha-en:sha-ru"))
    assert first == (first[0], True)
    assert again == (first[0], False)
    assert len(tm.documents()) == 1


def test_units_with_an_empty_side_are_skipped(tm: TM) -> None:
    counts = tm.add_units([UnitIn("Only English.", ""), UnitIn("  ", "Только русский."),
                           UnitIn(" Both. ", " Оба. ")])
    assert (counts.added, counts.skipped) == (1, 2)
    (unit,) = tm.iter_units()
    assert (unit.en, unit.ru) == ("Both.", "Оба.")


def test_tmx_payload_round_trips(tm: TM) -> None:
    meta = {"tu": {"tuid": "7", "creationid": "ann"}, "props": [["x-a", "1"], ["x-a", "2"]],
            "notes": ["checked"], "en": {"notes": ["source"]}}
    tm.add_units([UnitIn("Press Enter.", "Нажмите Enter.", en_lang="en-US", ru_lang="ru-RU",
                         en_markup='Press <bpt i="1">&lt;b&gt;</bpt>Enter<ept i="1">&lt;/b&gt;</ept>.',
                         meta=meta, created="20240101T000000Z", score=None)])
    (unit,) = tm.iter_units()
    assert (unit.en_lang, unit.ru_lang) == ("en-US", "ru-RU")
    assert unit.en_markup is not None and "<bpt" in unit.en_markup and unit.ru_markup is None
    assert unit.meta == meta
    assert unit.origin == "imported" and unit.created == "20240101T000000Z"


def test_add_units_is_all_or_nothing(tm: TM) -> None:
    def units():
        yield UnitIn("One.", "Один.")
        yield UnitIn("Two.", "Два.")
        raise RuntimeError("the file broke half-way")

    with pytest.raises(RuntimeError):
        tm.add_units(units())
    assert tm.count_units() == 0
    assert tm.conn.execute("SELECT count(*) FROM units_fts WHERE units_fts MATCH 'one'"
                           ).fetchone()[0] == 0


def test_iter_units_filters(tm: TM) -> None:
    tm.add_units([UnitIn("Old.", "Старое.", score=0.9, changed="2020-01-01T00:00:00Z"),
                  UnitIn("Weak.", "Слабое.", score=0.2, changed="2024-01-01T00:00:00Z"),
                  UnitIn("New.", "Новое.", changed="2024-06-01T00:00:00Z")])
    assert [u.en for u in tm.iter_units(since="2023")] == ["Weak.", "New."]
    assert [u.en for u in tm.iter_units(min_score=0.5)] == ["Old.", "New."]
    assert [u.en for u in tm.iter_units(batch=1)] == ["Old.", "Weak.", "New."]


def test_exact_lookup_and_unknown_origin(tm: TM) -> None:
    tm.add_units([UnitIn("A cat.", "Кошка."), UnitIn("A cat.", "Кот.")])
    assert len(tm.find_exact(" A cat. ", "en")) == 2
    assert tm.find_exact("Кот.", "ru") == [2]
    with pytest.raises(TMError, match="origin"):
        tm.add_units([UnitIn("x", "y")], origin="guessed")  # type: ignore[arg-type]


WRITER = textwrap.dedent("""
    import sys
    from tm.store import TM, UnitIn
    tag, path = sys.argv[1], sys.argv[2]
    with TM.open(path) as tm:
        for i in range(40):
            tm.add_units([UnitIn(f"{tag} sentence {i}.{j}", f"{tag} предложение {i}.{j}")
                          for j in range(25)])
            tm.add_units([UnitIn("Shared.", "Общее.")])
""")


def test_two_processes_adding_at_once_both_succeed(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    TM.open(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, tag, str(db)],
                              stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with TM.open(db) as tm:
        assert tm.count_units() == 2 * 40 * 25 + 1


@pytest.mark.parametrize("batch", [2, 2000])  # across batches, and within one
def test_duplicates_within_one_call_are_stored_once(tm: TM, batch: int) -> None:
    doc, _ = tm.add_document(DocumentIn(title="A", fingerprint="a"))
    counts = tm.add_units([UnitIn("Hi.", "Привет.", score=0.4), UnitIn("Bye.", "Пока."),
                           UnitIn("Hi.", "Привет.", score=0.9)], document=doc, batch=batch)
    assert (counts.added, counts.existing) == (2, 1)
    (hi,) = [u for u in tm.iter_units(with_docs=True) if u.en == "Hi."]
    assert hi.docs == ((doc, 0), (doc, 2)) and hi.score == 0.9
