"""The sample pair in corpora/: its files agree with each other and the gold ladder is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from align.formats import parse_ladder
from align.types import Bead

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
LANGS = ("en", "ru")


def _read(name: str) -> str:
    raw = (CORPORA / name).read_bytes()
    assert b"\r" not in raw, f"{name} must use LF line endings"
    return raw.decode("utf-8")


def _paragraphs(sents_text: str) -> list[list[str]]:
    """Paragraphs of a .sents file: blank-line separated blocks, one sentence a line."""
    return [block.split("\n") for block in sents_text.strip("\n").split("\n\n")]


def _sentences(lang: str) -> list[str]:
    return [s for para in _paragraphs(_read(f"sample.{lang}.sents")) for s in para]


def _gold() -> list[Bead]:
    return parse_ladder(_read("sample.gold.ladder"))


@pytest.mark.parametrize("lang", LANGS)
def test_txt_paragraphs_are_sents_paragraphs_joined(lang: str) -> None:
    txt = _read(f"sample.{lang}.txt")
    sents = _read(f"sample.{lang}.sents")
    assert txt.endswith("\n") and not txt.endswith("\n\n")
    assert txt.rstrip("\n").split("\n\n") == [" ".join(p) for p in _paragraphs(sents)]


@pytest.mark.parametrize("lang", LANGS)
def test_sents_lines_are_clean(lang: str) -> None:
    sents = _read(f"sample.{lang}.sents")
    assert "\n\n\n" not in sents, "paragraphs are separated by exactly one blank line"
    for para in _paragraphs(sents):
        for s in para:
            assert s and s == s.strip() and "  " not in s, repr(s)
    headline, standfirst = _paragraphs(sents)[:2]
    assert len(headline) == 1 and not headline[0].endswith(".")
    assert len(standfirst) == 1


def test_languages_and_typography() -> None:
    en, ru = " ".join(_sentences("en")), " ".join(_sentences("ru"))
    assert not re.search("[а-яё]", en, re.IGNORECASE)
    assert "«" in ru and "»" in ru and '"' not in ru and "“" not in ru
    assert " — " in ru and "т. е." in ru


def test_gold_covers_every_sentence_once_and_monotonically() -> None:
    n_src, n_tgt = len(_sentences("en")), len(_sentences("ru"))
    beads = _gold()
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n_src)), "every EN sentence once, in order"
    assert tgt == list(range(n_tgt)), "every RU sentence once, in order"
    for b in beads:
        assert b.src or b.tgt
        assert list(b.src) == sorted(b.src) and list(b.tgt) == sorted(b.tgt)
        for side in (b.src, b.tgt):
            assert all(k == side[0] + n for n, k in enumerate(side)), "a bead is contiguous"


def test_gold_has_the_documented_edits() -> None:
    """3 merges, 2 splits, 1 omission, 1 addition, each listed in the README."""
    kinds = [(len(b.src), len(b.tgt)) for b in _gold() if (len(b.src), len(b.tgt)) != (1, 1)]
    assert sorted(kinds) == sorted([(2, 1)] * 3 + [(1, 2)] * 2 + [(1, 0), (0, 1)])
    readme = _read("README.md")
    for line in _read("sample.gold.ladder").splitlines():
        bead = parse_ladder(line)[0]
        if (len(bead.src), len(bead.tgt)) != (1, 1):
            assert f"`{line.strip()}`" in readme, f"README does not list {line}"


def test_dialogue_editions_are_aligned_one_to_one_and_parted() -> None:
    """corpora/dialogue.jsonl: every paragraph has as many English as Russian segments (the
    1-1 alignment bench/cases.py adapts), each side in its own script, and the parts the
    README names (two stories for development, two held apart)."""
    import json

    rows = [json.loads(line) for line in (CORPORA / "dialogue.jsonl").read_text("utf-8").splitlines()]
    assert sorted((r["id"], r["part"]) for r in rows) == [
        ("council", "test"), ("interview-baker", "dev"), ("letters", "test"), ("lighthouse", "dev")]
    for r in rows:
        assert [len(p) for p in r["en"]] == [len(p) for p in r["ru"]]
        en = " ".join(s for p in r["en"] for s in p)
        ru = " ".join(s for p in r["ru"] for s in p)
        assert not re.search("[а-яё]", en, re.IGNORECASE) and re.search("[а-яё]", ru, re.IGNORECASE)
        assert all(s.strip() == s and s for p in r["en"] + r["ru"] for s in p)


def test_literary_texts_are_parted_scripted_and_cut_like_translations() -> None:
    """corpora/literary.jsonl: the texts and parts the README lists, each side in its own script,
    gold with a translator's cuts (joins, splits, omissions, additions; the free translations
    more of them), each free translation of the very English sentences of its close twin, in
    the same part; the README's tables give each text's bead count."""
    import json
    from collections import Counter

    rows = [json.loads(line) for line in (CORPORA / "literary.jsonl").read_text("utf-8").splitlines()]
    readme = _read("README.md")
    assert Counter((r["translation"], r["part"]) for r in rows) == {
        ("close", "dev"): 4, ("close", "test"): 4, ("free", "dev"): 4, ("free", "test"): 4}
    close = {r["id"]: r for r in rows if r["translation"] == "close"}
    for r in rows:
        beads = [b for p in r["paragraphs"] for b in p]
        shapes = Counter((len(en), len(ru)) for en, ru in beads)
        assert all(len(b) == 2 and (b[0] or b[1]) for b in beads)
        assert all(s.strip() == s and s for b in beads for side in b for s in side)
        assert all(not re.search("[а-яё]", s, re.IGNORECASE) for en, _ in beads for s in en)
        assert all(re.search("[а-яё]", s, re.IGNORECASE) for _, ru in beads for s in ru)
        one = shapes[(1, 1)] / len(beads)
        assert shapes[(1, 0)] and shapes[(0, 1)], r["id"]
        assert sum(n for (a, b), n in shapes.items() if a > 1 or b > 1) >= 10, r["id"]
        if r["translation"] == "close":
            assert 0.7 <= one <= 0.85, r["id"]
        else:
            assert 0.5 <= one <= 0.65, r["id"]
            twin = close[r["id"].removesuffix("-free")]
            assert twin["part"] == r["part"]
            assert [[s for en, _ in p for s in en] for p in r["paragraphs"]] == [
                [s for en, _ in p for s in en] for p in twin["paragraphs"]]
            assert sum(n for (a, b), n in shapes.items() if a > 1 and b > 1) >= 4, r["id"]
        assert re.search(rf"\| `{r['id']}` \| {r['part']} \|( [^|]+ \|)? {len(beads)} \|", readme), r["id"]


def test_alpine_texts_are_german_and_french_with_their_gold() -> None:
    """corpora/alpine.jsonl: German and French sides, gold with joins, splits, omissions and
    additions, each text in the README's table with its bead count."""
    import json
    from collections import Counter

    rows = [json.loads(line) for line in (CORPORA / "alpine.jsonl").read_text("utf-8").splitlines()]
    readme = _read("README.md")
    assert len(rows) == 6 and {r["part"] for r in rows} == {"dev"}
    for r in rows:
        beads = [b for p in r["paragraphs"] for b in p]
        shapes = Counter((len(de), len(fr)) for de, fr in beads)
        de = " ".join(s for b in beads for s in b[0])
        fr = " ".join(s for b in beads for s in b[1])
        assert len(re.findall(r"\b(?:der|die|das|und)\b", de)) > 20, r["id"]
        assert len(re.findall(r"\b(?:le|la|les|et|des)\b", fr)) > 20, r["id"]
        assert all(s.strip() == s and s for b in beads for side in b for s in side)
        assert 0.75 <= shapes[(1, 1)] / len(beads) <= 0.88 and shapes[(1, 0)] and shapes[(0, 1)], r["id"]
        assert re.search(rf"\| `{r['id']}` \| [^|]+ \| {len(beads)} \|", readme), r["id"]
