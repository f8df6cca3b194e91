"""A team on one memory, at the store and the command line: who made and changed a unit, a
change based on an older version refused with who and when (nothing changed), TMX keeps the
names, an older memory migrated with its units."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tm.cli import app
from tm.errors import Conflict
from tm.store import TM, DocumentIn, UnitIn
from tm.store.actor import acting_as


@pytest.fixture()
def db(memory_at: str) -> str:
    """A memory on each backend, made by ana."""
    with TM.open(memory_at) as tm, acting_as("ana"):
        doc, _ = tm.add_document(DocumentIn(title="A", fingerprint="a"))
        tm.add_units([UnitIn("The port reopened.", "Порт снова открылся."),
                      UnitIn("Ships left at dawn.", "Суда ушли на рассвете.")], document=doc,
                     origin="aligned")
    return memory_at


def test_a_change_based_on_an_older_version_is_refused(db: str) -> None:
    with TM.open(db) as tm:
        unit = tm.get_unit(1)
        assert unit is not None and (unit.created_by, unit.changed_by, unit.version) == \
            ("ana", "ana", 1)
        with acting_as("ben"):
            now = tm.edit_unit(1, en="The port opened again.", version=1)
        assert (now.changed_by, now.version, now.created_by) == ("ben", 2, "ana")
        with acting_as("ana"), pytest.raises(Conflict) as refused:
            tm.edit_unit(1, en="The harbour reopened.", version=1)
        assert f"unit 1 was changed by ben at {now.changed}" in str(refused.value)
        with pytest.raises(Conflict):
            tm.delete_unit(1, version=1)
        with pytest.raises(Conflict):
            tm.undo_edit(1, version=1)
        kept = tm.get_unit(1)
        assert kept is not None and kept.en == "The port opened again." and kept.version == 2
        (earlier,) = tm.history(1)
        assert (earlier.changed_by, earlier.edited_by, earlier.version) == ("ana", "ben", 1)
        with acting_as("ana"):
            back = tm.undo_edit(1, version=2)
        assert (back.en, back.version, back.changed_by) == ("The port reopened.", 3, "ana")


def test_confirming_a_unit_is_a_change_a_stale_save_is_refused_after(db: str) -> None:
    """Confirmed, the unit no longer says "unreviewed alignment": a colleague who read it
    before must not save over that unawares, so its version goes up, changed by who confirmed."""
    runner = CliRunner()
    done = runner.invoke(app, ["edit", "1", "--confirm", "--version", "1", "--db", db],
                         env={"DIPTYCH_USER": "ben"})
    assert done.exit_code == 0, done.output
    with TM.open(db) as tm:
        unit = tm.get_unit(1)
        assert unit is not None and (unit.version, unit.changed_by) == (2, "ben")
        assert unit.en == "The port reopened." and unit.origin == "aligned"
        with acting_as("ana"), pytest.raises(Conflict) as refused:
            tm.edit_unit(1, en="The harbour reopened.", version=1)
        assert f"unit 1 was changed by ben at {unit.changed}" in str(refused.value)
        with pytest.raises(Conflict):
            tm.replace_document(1, [(UnitIn("The harbour reopened.", "Порт снова открылся."),
                                     "edited")], seen={1: 1, 2: 1})
        assert [u.en for u in tm.iter_units(doc=1)] == ["The port reopened.",
                                                        "Ships left at dawn."]
    late = runner.invoke(app, ["edit", "1", "--confirm", "--version", "1", "--db", db])
    assert late.exit_code == 1 and "unit 1 was changed by ben" in late.output


def test_a_unit_added_to_a_document_refuses_a_save_of_the_document_as_read(db: str) -> None:
    """``add-unit --document`` (the desk's add-unit): the document's version goes up, so an
    editor holding the story as read is refused instead of saving the new unit away."""
    from tm import service

    with TM.open(db) as tm:
        read = tm.get_document(1)
        assert read is not None
        with acting_as("ben"):
            unit, new = service.add_unit(tm, "Trade resumed.", "Торговля возобновилась.",
                                         doc_id=1)
        assert new and unit.docs == ((1, 2),)
        now = tm.get_document(1)
        assert now is not None and (now.version, now.changed_by) == (read.version + 1, "ben")
        with pytest.raises(Conflict) as refused:
            tm.replace_document(1, [(UnitIn("The port reopened.", "Порт снова открылся."),
                                     "edited")], version=read.version)
        assert "changed by ben" in str(refused.value)
        assert [u.en for u in tm.iter_units(doc=1)][-1] == "Trade resumed."
        alone, _ = service.add_unit(tm, "No story.", "Без статьи.")  # no document: none bumped
        assert alone.docs == () and tm.get_document(1) == now


def test_a_unit_deleted_from_a_document_is_not_saved_back_by_a_stale_editor(db: str) -> None:
    """The editor names the document's version and its units' as read; a unit deleted since
    is in neither, so the delete takes the document's version up: the save is refused."""
    with TM.open(db) as tm:
        read = tm.get_document(1)
        assert read is not None
        seen = {u.id: u.version for u in tm.iter_units(doc=1)}
        with acting_as("ben"):
            tm.delete_unit(2)
        with pytest.raises(Conflict) as refused:
            tm.replace_document(1, [(UnitIn("The port reopened.", "Порт снова открылся."),
                                     "aligned"), (UnitIn("Ships left at dawn.",
                                                         "Суда ушли на рассвете."), "aligned")],
                                version=read.version, seen=seen)
        assert "document 1 was changed by ben" in str(refused.value)
        assert [u.en for u in tm.iter_units(doc=1)] == ["The port reopened."]


def test_edit_and_delete_commands_name_who_changed_it(db: str) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["edit", "2", "--en", "Ships sailed at dawn.", "--version", "1",
                             "--db", str(db)], env={"DIPTYCH_USER": "ben"})
    assert ok.exit_code == 0, ok.output
    late = runner.invoke(app, ["edit", "2", "--en", "Ships left early.", "--version", "1",
                               "--db", str(db)], env={"DIPTYCH_USER": "ana"})
    assert late.exit_code == 1
    assert "unit 2 was changed by ben at" in late.output
    gone = runner.invoke(app, ["delete", "--unit", "2", "--version", "1", "--db", str(db)])
    assert gone.exit_code == 1 and "changed by ben" in gone.output
    listed = runner.invoke(app, ["documents", "--units", "1", "--db", str(db)],
                           env={"COLUMNS": "250"})
    assert "by ben" in listed.output and "by ana" in listed.output
    with TM.open(db) as tm:
        unit = tm.get_unit(2)
        assert unit is not None and unit.en == "Ships sailed at dawn."


def test_tmx_carries_who_made_and_changed_each_unit(db: str, tmp_path: Path) -> None:
    from tm.tmx import export_tmx, import_tmx

    with TM.open(db) as tm, acting_as("ben"):
        tm.edit_unit(1, en="The port opened again.")
        export_tmx(tm, tmp_path / "out.tmx")
    text = (tmp_path / "out.tmx").read_text(encoding="utf-8")
    assert 'creationid="ana" changeid="ben"' in text and 'changeid="ana"' in text
    with TM.open(tmp_path / "copy.db") as tm, acting_as("cleo"):
        import_tmx(tm, tmp_path / "out.tmx")
        units = {u.en: u for u in tm.iter_units()}
    assert (units["The port opened again."].created_by,
            units["The port opened again."].changed_by) == ("ana", "ben")
    assert units["Ships left at dawn."].changed_by == "ana"


def test_people_are_added_listed_and_removed_by_the_command(memory_at: str) -> None:
    runner = CliRunner()
    db = memory_at
    made = runner.invoke(app, ["users", "add", "ana", "--role", "admin", "--db", db])
    assert made.exit_code == 0, made.output
    token = made.output.split()[-1]
    with TM.open(db) as tm:
        assert tm.user_for_token(token).name == "ana"  # type: ignore[union-attr]
    again = runner.invoke(app, ["users", "add", "ana", "--db", db])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = runner.invoke(app, ["users", "add", "bo", "--role", "owner", "--db", db])
    assert bad.exit_code == 2
    renewed = runner.invoke(app, ["users", "token", "ana", "--db", db])
    with TM.open(db) as tm:
        assert tm.user_for_token(token) is None
        assert tm.user_for_token(renewed.output.split()[-1]) is not None
    assert runner.invoke(app, ["users", "remove", "ana", "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--json", "--db", db])
    assert listed.output.strip() == "[]"
