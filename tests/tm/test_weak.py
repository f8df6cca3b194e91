"""Weak beads at ``add``: under --min-score counted and stored only with --keep-weak (the
summary says how to correct them, ``diptych review``); stored ones under the weak threshold
shared with align and the editor counted as unreviewed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from align.sources import SourceText
from align.types import WEAK_BELOW, Alignment, Bead, Sentence
from tests.web.editor_pair import EN, RU
from tm.cli import app
from tm.ingest.batch import BatchSummary
from tm.ingest.pairs import AddResult, document_for, prepare
from tm.store import TM

ALIGNMENT = Alignment(
    src=(Sentence(0, 4, "One."), Sentence(5, 9, "Two.")),
    tgt=(Sentence(0, 5, "Один."), Sentence(6, 10, "Два.")),
    beads=(Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.3)))


def _doc() -> object:
    side = SourceText(text="x", title=None, author=None, date=None, canonical_url=None,
                      source="x.txt", content_hash="h")
    return document_for(side, side, fingerprint="a:b")


def test_weak_beads_are_counted_and_kept_only_when_asked() -> None:
    left = prepare(ALIGNMENT, _doc(), min_score=0.5, encoder=None)  # type: ignore[arg-type]
    kept = prepare(ALIGNMENT, _doc(), min_score=0.5, encoder=None,  # type: ignore[arg-type]
                   keep_weak=True)
    assert ([u.en for u in left.units], left.weak) == (["One."], 1)
    assert ([u.en for u in kept.units], kept.weak, kept.kept_weak) == (["One.", "Two."], 1, True)


def test_the_summaries_say_what_happened_to_weak_pairs() -> None:
    assert "2 pairs under --min-score left out (`diptych review EN RU` corrects them," \
        " --keep-weak" in AddResult(1, True, weak=2).summary(Path("m.db"))
    assert "0 pairs under --min-score left out," in AddResult(1, True).summary(Path("m.db"))
    assert "2 pairs under --min-score stored (--keep-weak)" in \
        AddResult(1, True, weak=2, kept_weak=True).summary(Path("m.db"))
    assert "3 pairs under --min-score stored (--keep-weak)" in \
        BatchSummary(weak=3, kept_weak=True).lines()[1]
    assert "5 new units (2 weak, under 0.85: marked 'unreviewed alignment'" in \
        AddResult(1, True, added=5, unreviewed=2).summary(Path("m.db"))
    assert "(4 weak, under 0.85: marked unreviewed)" in BatchSummary(unreviewed=4).lines()[1]


def test_stored_beads_under_the_shared_weak_threshold_are_counted_unreviewed() -> None:
    al = Alignment(src=ALIGNMENT.src, tgt=ALIGNMENT.tgt,
                   beads=(Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.62)))
    p = prepare(al, _doc(), min_score=0.5, encoder=None)  # type: ignore[arg-type]
    assert (len(p.units), p.weak, p.unreviewed) == (2, 0, 1)
    assert WEAK_BELOW == 0.85  # one threshold: align's --weak-below, the editor's, add's mark


def test_add_reports_weak_pairs_under_weak_below_and_keeps_them_when_asked(
        tmp_path: Path, encoder) -> None:
    from align.pipeline import align_texts

    en, ru = tmp_path / "s.en.txt", tmp_path / "s.ru.txt"
    en.write_text(EN, encoding="utf-8")
    ru.write_text(RU, encoding="utf-8")
    beads = [b for b in align_texts(EN, RU, encoder=encoder).beads if b.src and b.tgt]
    threshold = sorted(b.score for b in beads)[len(beads) // 2]  # about half are weak
    weak = sum(b.score < threshold for b in beads)
    assert 0 < weak < len(beads)
    runner = CliRunner()
    for keep, db, units in ((False, tmp_path / "a.db", len(beads) - weak),
                            (True, tmp_path / "b.db", len(beads))):
        args = ["add", str(en), str(ru), "--db", str(db), "--min-score", str(threshold)]
        result = runner.invoke(app, args + (["--keep-weak"] if keep else []))
        assert result.exit_code == 0, result.output
        said = f"{weak} pairs under --min-score {'stored' if keep else 'left out'}"
        assert said in result.output
        with TM.open(db, create=False) as tm:
            assert tm.count_units() == units
