"""tm.ingest.pairs: a pair's fingerprint, its document row, the units its beads give, one transaction."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from align.sources import SourceText, read_source
from align.types import Alignment, Bead, Sentence
from tm.ingest.pairs import content_hash, document_for, fingerprint_of, prepare, store_prepared
from tm.store import TM


def source(text: str, src: str, **page: str) -> SourceText:
    return SourceText(text=text, title=page.get("title"), author=None, date=page.get("date"),
                      canonical_url=page.get("url"), source=src,
                      content_hash=hashlib.sha256(text.encode()).hexdigest())


def test_fingerprint_is_the_files_hash_for_files_and_the_texts_for_urls(tmp_path: Path) -> None:
    f = tmp_path / "en.txt"
    f.write_bytes(b"\xef\xbb\xbfStory.")  # a BOM: the file's hash is not the text's
    file_hash = hashlib.sha256(f.read_bytes()).hexdigest()
    assert content_hash(str(f)) == file_hash and content_hash("https://x.example/a") is None
    en, ru = read_source(f), source("История.", "https://x.example/ru")
    assert fingerprint_of(en, ru) == f"{file_hash}:{ru.content_hash}"
    assert en.content_hash != file_hash


def test_content_hash_is_bounded_and_never_reads_a_stream(tmp_path: Path) -> None:
    f = tmp_path / "en.txt"
    f.write_text("A story of forty-odd bytes, give or take.")
    assert content_hash(str(f), max_bytes=10) is None  # too large: known once read (refused)
    assert content_hash(str(tmp_path / "missing.txt")) is None
    assert content_hash(str(tmp_path)) is None
    assert content_hash("/dev/zero") is None  # would never end
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert content_hash(str(fifo)) is None  # opening it would block until a writer came


def test_document_prefers_given_metadata_then_the_pages() -> None:
    en = source("Ferry.", "https://x.example/en", title="Ferry sinks", date="2024-03-04",
                url="https://x.example/en/canonical")
    ru = source("Паром.", "https://x.example/ru", title="Паром затонул")
    doc = document_for(en, ru, fingerprint="a:b")
    assert (doc.title, doc.date, doc.url) == ("Ferry sinks", "2024-03-04",
                                              "https://x.example/en/canonical")
    assert (doc.en_sha256, doc.ru_sha256, doc.fingerprint) == ("a", "b", "a:b")
    given = document_for(en, ru, fingerprint="a:b", title="T", date="2025-01-01", url="u")
    assert (given.title, given.date, given.url) == ("T", "2025-01-01", "u")


ALIGNMENT = Alignment(
    src=(Sentence(0, 5, "One."), Sentence(6, 11, "Two."), Sentence(12, 19, "Extra.")),
    tgt=(Sentence(0, 5, "Один."), Sentence(6, 10, "Два.")),
    beads=(Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.3), Bead((2,), (), 0.8)))


@pytest.mark.parametrize(("min_score", "kept", "weak"), [(0.5, ["One."], 1), (0.1, ["One.", "Two."],
                                                                              0)])
def test_prepare_leaves_weak_and_one_sided_beads_out(min_score: float, kept: list[str],
                                                     weak: int) -> None:
    doc = document_for(source("x", "en.txt"), source("y", "ru.txt"), fingerprint="a:b")
    p = prepare(ALIGNMENT, doc, min_score=min_score, encoder=None)
    assert [u.en for u in p.units] == kept and (p.weak, p.one_sided) == (weak, 1)
    assert p.vectors is None


def test_store_prepared_once(tmp_path: Path) -> None:
    doc = document_for(source("x", "en.txt"), source("y", "ru.txt"), fingerprint="a:b")
    p = prepare(ALIGNMENT, doc, min_score=0.1, encoder=None)
    with TM.open(tmp_path / "t.db") as tm:
        first = store_prepared(tm, p, model="use-m3")
        assert (first.new_document, first.added, first.existing) == (True, 2, 0)
        assert not store_prepared(tm, p, model="use-m3").new_document
        assert [u.en for u in tm.iter_units(doc=first.doc_id)] == ["One.", "Two."]


def test_beads_without_letters_on_either_side_are_not_stored(tmp_path: Path) -> None:
    """A date line alone in both editions ("14.10.2024"), a score ("2:1") is nothing to look up;
    a side with letters ("Глава 1." beside "1.") keeps the pair."""
    src = ("14.10.2024", "2:1", "1.", "One.")
    tgt = ("14.10.2024", "2:1", "Глава 1.", "Один.")
    al = Alignment(
        src=tuple(Sentence(0, len(t), t) for t in src), tgt=tuple(Sentence(0, len(t), t) for t in tgt),
        beads=tuple(Bead((k,), (k,), 0.95) for k in range(4)))
    doc = document_for(source("x", "en.txt"), source("y", "ru.txt"), fingerprint="a:b")
    p = prepare(al, doc, min_score=0.5, encoder=None)
    assert [(u.en, u.ru) for u in p.units] == [("1.", "Глава 1."), ("One.", "Один.")]
    assert (p.letterless, p.one_sided, p.weak) == (2, 0, 0)
    with TM.open(tmp_path / "t.db") as tm:
        res = store_prepared(tm, p, model="use-m3")
        assert (res.added, res.letterless) == (2, 2)
        assert "2 without letters skipped" in res.summary(tmp_path / "t.db")
        assert [u.en for u in tm.iter_units(doc=res.doc_id)] == ["1.", "One."]
