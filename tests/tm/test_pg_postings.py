"""PostgreSQL's ``term_stats`` (tm.store.postgres.postings): each index term's document count
and newest holders, kept exact through bulk loads, small adds, edits, deletes, rollbacks and
the migration that adds it, so counts, most_shared and the narrowed matches answer as SQLite's
FTS5 does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tm.errors import TMError
from tm.store import TM, UnitIn
from tm.store.postgres.schema import KEEP

N = KEEP + 300  # "budget" is held by more units than the table keeps: its list is cut


def unit(i: int) -> UnitIn:
    en, ru = ("budget ", "бюджет ") if i % 10 else ("", "")
    return UnitIn(f"The {en}report number{i} of the court{i % 7}.",
                  f"Отчёт {ru}номер{i} суда{i % 7}.")


def table(tm: TM) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in tm.conn.execute(
        "SELECT side, term, df, newest FROM term_stats ORDER BY side, term")]


def rebuilt(tm: TM) -> list[tuple[Any, ...]]:
    """What a build from scratch gives (in a transaction rolled back)."""
    class Undo(Exception):
        pass

    got: list[tuple[Any, ...]] = []
    with pytest.raises(Undo), tm.transaction():
        tm.store.units.postings.rebuild()
        got = table(tm)
        raise Undo
    return got


def change(tm: TM) -> None:
    """Small adds, edits (a term gone, a term new), deletes of the newest holders of a cut
    list (it is topped up), a rolled-back add."""
    tm.add_units([unit(i) for i in range(N, N + 20)])
    newest = sorted(tm.fts_ids("en", '"budget"', 40), reverse=True)
    tm.edit_unit(newest[0], en="A brand new sentence about rivers.")
    tm.edit_unit(newest[1], en="The budget report of the court, edited.")
    for unit_id in newest[2:30]:
        tm.delete_unit(unit_id)
    tm.edit_unit(5, en="The budget of an old unit.")  # an old id joins a cut list
    with pytest.raises(TMError), tm.transaction():
        tm.add_units([UnitIn("Rollback words.", "Откат.")])
        raise TMError("rolled back")


def test_term_stats_stay_exact_through_every_write(pg_uri: str) -> None:
    with TM.open(pg_uri) as tm:
        tm.add_units([unit(i) for i in range(N)])  # a bulk load: built in one pass
        assert table(tm) == rebuilt(tm)
        change(tm)
        now = table(tm)
        assert now == rebuilt(tm)
        held = {t: (df, ids) for side, t, df, ids in now if side == "en"}
        assert held["budget"][0] > KEEP and len(held["budget"][1]) == KEEP
        assert "rollback" not in held and "river" in held


def test_lookups_read_the_same_counts_and_holders_as_sqlite(tmp_path: Path,
                                                            pg_uri: str) -> None:
    answers = []
    for where in (str(tmp_path / "t.db"), pg_uri):
        with TM.open(where) as tm:
            tm.add_units([unit(i) for i in range(N)])
            change(tm)
            terms = ["budget", "report", "court3", "number7", "river", "absent"]
            answers.append((
                tm.fts_counts("en", terms, 1000), tm.fts_counts("ru", ["бюджет", "суд"], 50),
                tm.fts_most_shared("en", ["budget", "court3", "number17"], 1000, 30),
                tm.fts_ids("en", '"the budget report"', 30),
                tm.fts_ids("en", '"number17" AND "court3"', 10),
                tm.fts_ids("en", '"number17" OR "number18" OR "absent"', 10),
                tm.fts_ids("en", '"budget" AND ("court3" OR "court4")', 50),
                tm.fts_ids("en", 'NEAR("report" "number21", 3)', 10),
                tm.fts_ids("en", '"budget" AND "court3"', 150),  # more below the window
                tm.fts_ids("en", 'NEAR("the" "budget", 2)', 400),
                tm.fts_ids("en", '"report" OR "budget"', 700),
                tm.fts_ids("en", '"the" AND "budget" AND "report" AND "of"', 1100),
                tm.fts_ranked("en", '"budget"', 300, 20)))
    assert answers[0] == answers[1]


def test_the_migration_builds_term_stats_of_a_stored_memory(pg_uri: str) -> None:
    with TM.open(pg_uri) as tm:
        tm.add_units([unit(i) for i in range(60)])
        before = table(tm)
        tm.conn.execute("DROP TABLE term_stats")
        tm.conn.execute("UPDATE diptych_schema SET version = version - 1")
    with TM.open(pg_uri) as tm:
        assert table(tm) == before and len(before) > 100


def test_a_memory_not_upgraded_yet_is_read_from_the_gin_index(tmp_path: Path,
                                                             pg_uri: str) -> None:
    """A read-only open (search, a read-only desk) of a memory at schema 3 does not migrate
    it: lookups then read the GIN index, with the same units as SQLite."""
    answers = []
    for where in (str(tmp_path / "t.db"), pg_uri):
        with TM.open(where) as tm:
            tm.add_units([unit(i) for i in range(N)])
            if where == pg_uri:
                tm.conn.execute("DROP TABLE term_stats")
                tm.conn.execute("UPDATE diptych_schema SET version = version - 1")
        with TM.open(where, readonly=True) as tm:
            answers.append((
                tm.fts_counts("en", ["budget", "court3", "absent"], 1000),
                tm.fts_most_shared("en", ["budget", "court3", "number17"], 1000, 30),
                tm.fts_ids("en", '"the budget report"', 30),
                tm.fts_ids("en", '"budget" AND "court3"', 150),
                tm.fts_ranked("en", '"budget"', 300, 20)))
    assert answers[0] == answers[1]


def test_a_bulk_load_writes_what_it_gathered_as_a_build_from_units_would(
        pg_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer counts a bulk load's terms as its units go in (postings.Gathered): the
    table it writes equals the build from ``units``, through lists cut more than once and a
    load in several batches; a unit edited in the same transaction makes it build from
    ``units`` instead."""
    from tm.store.postgres.postings import PgPostings

    used: list[bool] = []
    rebuild = PgPostings.rebuild

    def spy(self: PgPostings, gathered: Any = None) -> None:
        used.append(gathered is not None and not gathered.broken)
        rebuild(self, gathered)

    monkeypatch.setattr(PgPostings, "rebuild", spy)
    with TM.open(pg_uri) as tm:
        tm.add_units([unit(i) for i in range(5 * KEEP // 2)], batch=2 * KEEP // 3)
        assert used == [True]
        table_now = table(tm)
        assert table_now == rebuilt(tm)
        held = {t: (df, ids) for side, t, df, ids in table_now if side == "ru"}
        assert held["бюджет"][0] > 2 * KEEP and len(held["бюджет"][1]) == KEEP
        with tm.transaction():  # an empty memory again
            tm.conn.execute("DELETE FROM units")
            tm.conn.execute("TRUNCATE term_stats")
        used.clear()
        with tm.transaction():
            tm.add_units([unit(i) for i in range(KEEP)])
            tm.edit_unit(2, en="A sentence about rivers.")  # unit(1), which held budget
        assert used == [False]
        assert table(tm) == rebuilt(tm)
