"""Store-level edits: history kept, undo restores text, markup and origin, deletes cascade;
and the migration that added the history table to a version-1 memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tm.errors import TMError
from tm.store import MIGRATIONS, TM, DocumentIn, UnitIn
from tm.store.sqlite.schema import split_sql


@pytest.fixture()
def tm(memory_at: str):
    with TM.open(memory_at) as store:
        doc, _ = store.add_document(DocumentIn(title="A", fingerprint="a"))
        store.add_units([UnitIn("Press Enter.", "Нажмите Enter.", score=0.9,
                                en_markup="Press <ph x='1'/>Enter.")], document=doc,
                        origin="aligned")
        yield store


def test_edits_stack_and_undo_unwinds_them_in_order(tm: TM) -> None:
    first = tm.edit_unit(1, en="Press Return.")
    assert (first.en, first.ru, first.origin) == ("Press Return.", "Нажмите Enter.", "edited")
    assert first.en_markup is None  # the old inline tags belong to the old text
    tm.edit_unit(1, ru="Нажмите Return.")
    assert tm.edits(1) == 2
    assert tm.undo_edit(1).ru == "Нажмите Enter."
    back = tm.undo_edit(1)
    assert (back.en, back.origin, back.en_markup) == ("Press Enter.", "aligned",
                                                       "Press <ph x='1'/>Enter.")
    assert tm.edits(1) == 0 and tm.find_exact("Press Enter.", "en") == [1]
    assert tm.fts_ids("en", '"return"', 5) == []


def test_an_edit_drops_the_stale_vector(tm: TM) -> None:
    tm.store_vectors([(1, bytes(4))])
    tm.edit_unit(1, en="Press Return.")
    assert tm.count_vectors() == 0


def everything(tm: TM) -> object:
    """What a memory holds, read through its public API (both backends)."""
    units = list(tm.iter_units(with_docs=True))
    return (units, tm.documents(), [tm.history(u.id) for u in units], tm.counts(),
            tm.vectors_after(0), [tm.fts_ids("en", '"press"', 10)])


def test_a_failed_edit_changes_nothing(tm: TM) -> None:
    tm.add_units([UnitIn("Other.", "Другое.")])
    before = everything(tm)
    with pytest.raises(TMError, match="already holds"):
        tm.edit_unit(1, en="Other.", ru="Другое.")  # the edited text drops unit 1's tags
    assert everything(tm) == before
    # the same words without unit 1's inline tags are another unit (markup is identity)
    assert tm.edit_unit(2, en="Press Enter.", ru="Нажмите Enter.").en_markup is None


def test_deleting_a_unit_takes_its_links_history_and_vector(tm: TM) -> None:
    tm.edit_unit(1, en="Press Return.")
    tm.store_vectors([(1, bytes(4))])
    gone = tm.delete_unit(1)
    assert gone.en == "Press Return." and tm.count_units() == 0
    assert tm.counts().links == 0 and tm.count_vectors() == 0 and tm.edits(1) == 0
    with pytest.raises(TMError, match="no unit 1"):
        tm.delete_unit(1)


def test_a_version_1_memory_is_migrated_with_its_units(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    for statement in split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO units (en, ru, origin, created, changed, en_key, ru_key) VALUES"
                 " ('Hi.', 'Привет.', 'aligned', 't', 't', 1, 2)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with TM.open(old) as tm:
        assert tm.schema_version == len(MIGRATIONS) >= 3
        assert tm.get_unit(1) is not None and tm.edits(1) == 0


def test_a_version_4_memory_takes_the_translated_origin(tmp_path: Path) -> None:
    """Migration 5 loosens the origin CHECK in place: old units stay, 'translated' is taken on
    the connection that migrated as on a new one, and the file passes integrity_check."""
    old = tmp_path / "v4.db"
    conn = sqlite3.connect(old)
    for script in MIGRATIONS[:4]:
        for statement in split_sql(script):
            conn.execute(statement)
    conn.execute("INSERT INTO units (en, ru, origin, created, changed, en_key, ru_key) VALUES"
                 " ('Hi.', 'Привет.', 'aligned', 't', 't', 1, 2)")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO units (en, ru, origin, created, changed, en_key, ru_key)"
                     " VALUES ('A.', 'Б.', 'translated', 't', 't', 3, 4)")
    conn.close()
    with TM.open(old) as tm:
        assert tm.schema_version == len(MIGRATIONS) >= 5
        tm.add_unit(UnitIn("Bye.", "Пока."), origin="translated")
        assert tm.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with TM.open(old) as tm:
        assert sorted(u.origin for u in tm.iter_units()) == ["aligned", "translated"]


def test_a_version_5_memory_takes_the_team_columns_after_the_translated_origin(
        tmp_path: Path) -> None:
    """Main released migration 5 (origin 'translated') before the team's versions and names:
    a memory at 5 reads as before without being written, and a write upgrades it to 6, whose
    units carry a version that refuses a stale edit."""
    from tm.errors import Conflict

    old = tmp_path / "v5.db"
    with TM.open(old) as tm:
        unit_id, _ = tm.add_unit(UnitIn("Hi there.", "Привет."), origin="translated")
    assert unit_id is not None
    conn = sqlite3.connect(old)  # back to 5: as main's diptych left it
    for column in ("version", "created_by", "changed_by"):
        conn.execute(f"ALTER TABLE units DROP COLUMN {column}")
    for column in ("changed_by", "edited_by", "version"):
        conn.execute(f"ALTER TABLE history DROP COLUMN {column}")
    for column in ("version", "changed", "changed_by"):
        conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    conn.execute("DROP TABLE users")
    conn.execute("DROP TABLE batch_items")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with TM.open(old, readonly=True) as tm:
        unit = tm.get_unit(unit_id)
        assert tm.schema_version == 5 and unit is not None
        assert (unit.origin, unit.version) == ("translated", 1)
    with TM.open(old) as tm:
        tm.edit_unit(unit_id, en="Hello there.", version=1)
        assert tm.schema_version == len(MIGRATIONS) == 6
        with pytest.raises(Conflict):
            tm.edit_unit(unit_id, en="Hey there.", version=1)
        assert tm.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
