"""Issue 18 finding 2: a memory whose file is deleted, replaced or loses its -wal while open
refuses every later write with one line; what was confirmed before stays in the file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tm.store import TM, DocumentIn, MemoryGone, UnitIn


def make(path: Path) -> TM:
    tm = TM.open(path)
    doc, _ = tm.add_document(DocumentIn(title="Prices", fingerprint="p"))
    tm.add_units([UnitIn("Oil prices rose.", "Цены на нефть выросли.")], document=doc)
    return tm


def units(path: Path) -> list[str]:
    with TM.open(path, readonly=True) as tm:
        return [u.en for u in tm.iter_units()]


def edit(tm: TM, text: str) -> None:
    tm.edit_unit(1, en=text)


@pytest.mark.parametrize("how", ["delete", "replace", "overwrite", "wal"])
def test_every_write_after_the_file_went_is_refused(tmp_path: Path, how: str) -> None:
    path = tmp_path / "m.db"
    tm = make(path)
    edit(tm, "Confirmed before.")
    wal = path.with_name("m.db-wal")
    assert wal.exists()
    if how == "delete":
        path.unlink()
    elif how == "replace":  # mv another memory over it
        make(tmp_path / "other.db").close()
        os.replace(tmp_path / "other.db", path)
    elif how == "overwrite":  # something that is not SQLite written over it in place
        with open(path, "r+b") as f:
            f.write(b"not a database at all" * 10)
    else:
        wal.unlink()
    for attempt in ("Lost 1.", "Lost 2."):
        with pytest.raises(MemoryGone) as info:
            edit(tm, attempt)
        assert "nothing was written" in str(info.value) and "\n" not in str(info.value)
    tm.close()
    if how == "wal":
        assert units(path) == ["Confirmed before."]  # checkpointed: it survived the -wal


def test_a_memory_left_alone_keeps_writing(tmp_path: Path) -> None:
    """Other processes' writes and checkpoints are not a replacement."""
    path = tmp_path / "m.db"
    tm = make(path)
    other = TM.open(path)
    for n in range(5):
        edit(tm, f"Mine {n}.")
        other.edit_unit(1, en=f"Theirs {n}.")
    other.close()
    edit(tm, "Last.")
    tm.close()
    assert units(path) == ["Last."]
    shutil.copy(path, tmp_path / "copy.db")


def test_backup_copies_a_live_memory_into_one_file(tmp_path: Path) -> None:
    """`diptych backup DEST`: SQLite's online backup while another connection writes; the copy
    is one self-contained file (no -wal) that opens as the same memory."""
    from typer.testing import CliRunner

    from tm.cli import app

    path = tmp_path / "m.db"
    tm = make(path)
    edit(tm, "Only in the -wal so far?")  # a writer holds the memory open meanwhile
    dest = tmp_path / "backups" / "m-copy.db"
    dest.parent.mkdir()
    res = CliRunner().invoke(app, ["backup", str(dest), "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert "backed up" in res.stderr
    assert not dest.with_name(dest.name + "-wal").exists()
    assert units(dest) == ["Only in the -wal so far?"]
    assert [p.name for p in dest.parent.iterdir() if p.name != dest.name] == [] or all(
        p.name.endswith(("-wal", "-shm")) for p in dest.parent.iterdir() if p != dest)
    for bad, why in ((tmp_path, "is a folder"), (path, "the memory itself"),
                     (tmp_path / "no" / "x.db", "does not exist")):
        res = CliRunner().invoke(app, ["backup", str(bad), "--db", str(path)])
        assert res.exit_code == 1 and why in res.stderr, res.output
    res = CliRunner().invoke(app, ["backup", str(dest), "--db", "postgresql://u@h/db"])
    assert res.exit_code == 1 and "pg_dump" in res.stderr
    tm.close()


def side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


@pytest.mark.parametrize("medium", ["writable", "read-only"])
def test_read_commands_leave_no_side_files(tmp_path: Path, monkeypatch, medium: str) -> None:
    """Issue 18 finding 8: stats/search/export left -wal/-shm behind, and on a read-only
    medium failed with 'unable to open database file'. (Tests run as root, whom no folder
    refuses: the read-only medium is what `writable` answers.)"""
    from typer.testing import CliRunner

    from tm.cli import app
    from tm.store.sqlite import store as base

    path = tmp_path / "m.db"
    make(path).close()
    assert side_files(path) == []
    if medium == "read-only":
        monkeypatch.setattr(base, "writable", lambda p: False)
    opened: list[bool] = []
    real = base.connect
    monkeypatch.setattr(base, "connect", lambda p, **kw: opened.append(
        kw.get("immutable", False)) or real(p, **kw))
    for args in (["stats"], ["search", "Oil prices"], ["documents"], ["export", "-"]):
        res = CliRunner().invoke(app, [*args, "--db", str(path)])
        assert res.exit_code == 0, (args, res.output)
        assert side_files(path) == [], args
    if medium == "read-only":
        assert all(opened)  # every connection immutable: no side file can be needed


def test_a_read_only_desk_on_a_read_only_medium_serves(tmp_path: Path, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from tm.store.sqlite import store as base
    from tm.web.app import create_app
    from tm.web.common import Settings

    path = tmp_path / "m.db"
    make(path).close()
    monkeypatch.setattr(base, "writable", lambda p: False)
    with TestClient(create_app(Settings(db=path, read_only=True)),  # type: ignore[arg-type]
                    base_url="http://127.0.0.1:8765") as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/units/1").json()["en"] == "Oil prices rose."
    assert side_files(path) == []
