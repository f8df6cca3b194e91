"""A TMX file read by a second process (tm.tmx.ahead, what a big file gets) imports exactly as
when it is read by the importing process: the same units, documents, links, report and
header; a file the reader refuses half-way raises the same error and leaves nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tm.errors import TMXError
from tm.store import TM, DocumentIn, UnitIn
from tm.tmx import ahead, export_tmx, import_tmx

BATCHES = 3 * ahead.BATCH + 17
"""Units enough for several of the child's messages and a short last one."""


def _tmx(tmp_path: Path) -> Path:
    """A diptych export with two documents, a unit in both, units in none, then TUs that are
    no unit (a draft, one without Russian, one with an empty side) and several variants."""
    with TM.open(tmp_path / "src.db") as src:
        a, _ = src.add_document(DocumentIn(title="A", fingerprint="sha:a"))
        b, _ = src.add_document(DocumentIn(title="B", fingerprint="sha:b"))
        src.add_units([UnitIn(f"Sentence {i} of the first story.", f"Предложение {i}.",
                              score=0.5 + i % 3 / 10) for i in range(BATCHES)], document=a)
        src.add_units([UnitIn("Sentence 3 of the first story.", "Предложение 3."),
                       UnitIn("Only in B.", "Только в B.")], document=b)
        src.add_units([UnitIn(f"Loose {i}.", f"Без документа {i}.") for i in range(40)])
        buf = io.BytesIO()
        export_tmx(src, buf, version="test")
    extra = (
        '<tu><prop type="x-diptych-draft">yes</prop><tuv xml:lang="en"><seg>Draft.</seg>'
        '</tuv><tuv xml:lang="ru"><seg>Черновик.</seg></tuv></tu>'
        '<tu><tuv xml:lang="en"><seg>No Russian.</seg></tuv></tu>'
        '<tu><tuv xml:lang="en"><seg> </seg></tuv><tuv xml:lang="ru"><seg>Пусто.</seg></tuv></tu>'
        '<tu tuid="7"><note>kept</note><tuv xml:lang="en-GB"><seg>Two <hi>English</hi>.</seg>'
        '</tuv><tuv xml:lang="en-US"><seg>Two English (US).</seg></tuv><tuv xml:lang="ru">'
        '<seg>Два английских.</seg></tuv><tuv xml:lang="de"><seg>Zwei.</seg></tuv></tu>')
    data = buf.getvalue().replace(b"</body>", extra.encode() + b"</body>")
    path = tmp_path / "big.tmx"
    path.write_bytes(data)
    return path


def _state(tm: TM) -> tuple[object, ...]:
    units = [(u.id, u.en, u.ru, u.score, u.origin, u.en_lang, u.ru_lang, u.en_markup,
              u.ru_markup, u.meta, u.docs) + (() if u.meta.get("undated") else (
                  u.created, u.changed)) for u in tm.iter_units(with_docs=True)]
    docs = [(d.id, d.title, d.fingerprint, d.units) for d in tm.documents()]
    buf = io.BytesIO()
    export_tmx(tm, buf, version="test")
    return units, docs, tm.get_setting("tmx.header"), buf.getvalue()


class _Undo(Exception):
    """Raised to roll an import back once its result has been read."""


def test_the_second_process_imports_what_this_one_does(memory_at: str, tmp_path: Path) -> None:
    path = _tmx(tmp_path)
    seen: list[list[int]] = [[], []]
    results = []
    with TM.open(memory_at) as tm:
        for k, second in enumerate((False, True)):
            with pytest.raises(_Undo), tm.transaction():  # each import into the empty memory
                report = import_tmx(tm, path, on_progress=seen[k].append, second_process=second)
                results.append((str(report), report.skipped, report.variants, _state(tm)))
                raise _Undo
        assert tm.count_units() == 0
    assert results[0] == results[1]
    assert "1 draft TUs" in results[0][0] and "several" in results[0][0]
    assert len(results[0][3][0]) == BATCHES + 41 + 1  # the first story's, B's, loose, "Two"
    assert sum(seen[0]) == sum(seen[1]) == path.stat().st_size  # the progress bar's bytes


def test_a_file_refused_half_way_leaves_nothing_either_way(memory_at: str,
                                                           tmp_path: Path) -> None:
    path = _tmx(tmp_path)
    data = path.read_bytes()
    cut = data.index(b"<tu", len(data) // 2)
    broken = tmp_path / "broken.tmx"
    broken.write_bytes(data[:cut] + b"<tu><tuv xml:lang='en'><seg>x</tuv></tu>" + data[cut:])
    errors = []
    with TM.open(memory_at) as tm:
        tm.add_units([UnitIn("Kept.", "Осталось.")])
        for second in (False, True):
            with pytest.raises(TMXError) as caught:
                import_tmx(tm, broken, second_process=second)
            errors.append(str(caught.value))
            assert [u.en for u in tm.iter_units()] == ["Kept."]
            assert len(tm.documents()) == 0
    assert errors[0] == errors[1] and "not well-formed" in errors[0]


def test_big_files_go_to_a_second_process(tmp_path: Path) -> None:
    small, big = tmp_path / "small.tmx", tmp_path / "big.tmx"
    small.write_bytes(b"x" * 100)
    with open(big, "wb") as f:
        f.truncate(ahead.AHEAD_BYTES)
    assert not ahead.use_second_process(small, None) and ahead.use_second_process(small, True)
    assert ahead.use_second_process(big, None) == ((__import__("os").cpu_count() or 1) > 1)
    assert not ahead.use_second_process(big, False)


def test_no_interpreter_to_start_reads_here(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("no python")

    monkeypatch.setattr(ahead.subprocess, "Popen", refuse)
    path = _tmx(tmp_path)
    with TM.open(tmp_path / "t.db") as tm:
        assert import_tmx(tm, path, second_process=True).added == BATCHES + 41 + 1
