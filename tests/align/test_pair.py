"""Pairing English with Russian editions: evidence functions, matching, library and command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from align.cli import app as align_app
from align.errors import InputError
from align.pair import (
    DocText,
    anchors,
    confidence,
    link_key,
    match,
    order_score,
    pair_texts,
    units,
)
from align.pair_io import list_sources

NEWS = Path(__file__).resolve().parent.parent / "data" / "news"


def test_units_split_lower_case_sentences_and_keep_emoticons() -> None:
    text = "больше сюда ни ногой. покупали машинку ; сказали да. ))\n\nВторой абзац!"
    assert units(text) == ["больше сюда ни ногой.", "покупали машинку ;", "сказали да. ))",
                           "Второй абзац!"]
    assert len(units("Один. " * 100, limit=7)) == 7


def test_anchors_normalise_numbers_and_keep_latin_names() -> None:
    en_marks, en_words = anchors("Tickets cost 1,500 soms; 2.4 million euros; see "
                                 "https://karakol.example/ferry. iPhone users", "en")
    ru_marks, ru_words = anchors("Билет стоит 1 500 сомов; 2,4 млн евро; см. "
                                 "https://karakol.example/ferry. Пользователи iPhone", "ru")
    assert {"#1500", "#2.4", "@karakol.example/ferry"} <= en_marks & ru_marks
    assert ru_words == {"iphone"} and "iphone" in en_words
    assert anchors("в 3 часа", "ru")[0] == frozenset()  # one-digit numbers are noise
    page_links = ("https://www.petitions.example.ge/night-transport/?utm_source=x#top",)
    assert anchors("", "ru", page_links)[0] == {"@petitions.example.ge/night-transport"}
    assert link_key("http://petitions.example.ge/night-transport?id=7") == \
        "@petitions.example.ge/night-transport?id=7"


def test_order_score() -> None:
    eye = np.eye(5, dtype=np.float32)
    assert order_score(eye) == pytest.approx(1.0)
    assert order_score(eye[::-1]) == pytest.approx(0.2)  # same sentences, reversed order
    assert order_score(np.full((4, 6), 0.25)) == 0.0  # below the base similarity: nothing
    assert order_score(np.eye(3, 6)) == pytest.approx(0.5)  # half the longer side matched
    assert order_score(np.zeros((0, 3))) == 0.0


@given(st.dictionaries(st.tuples(st.integers(0, 6), st.integers(0, 6)),
                       st.floats(0, 1, allow_nan=False)))
def test_match_is_one_to_one_and_greedy(scores: dict[tuple[int, int], float]) -> None:
    pairs = match(scores)
    assert len({i for i, _ in pairs}) == len({j for _, j in pairs}) == len(pairs)
    assert set(pairs) <= set(scores)
    chosen = set(pairs)
    for (i, j), s in scores.items():  # every unchosen candidate lost to a better (or equal) one
        if (i, j) not in chosen:
            rivals = [scores[p] for p in chosen if p[0] == i or p[1] == j]
            assert rivals and max(rivals) >= s


def test_confidence_grows_with_score_and_margin() -> None:
    assert confidence(0.6, 0.1) > 0.99
    assert confidence(0.15, 0.0) < 0.2
    assert confidence(0.5, 0.49) < 0.2  # a near tie is not trusted
    assert confidence(0.3, 0.1) < confidence(0.4, 0.1) < confidence(0.4, 0.0) + 1e-9


def _wmt_docs(shared: Path, n: int) -> list[dict]:
    with open(shared / "corpora" / "wmt23-ru-en" / "news.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line, _ in zip(f, range(n))]


def _text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


@pytest.fixture(scope="module")
def corpus(shared: Path) -> tuple[list[str], list[str]]:
    """English and Russian texts of 8 news stories: index k of one side translates index k."""
    docs = _wmt_docs(shared, 8)
    return [_text(d["en"]) for d in docs], [_text(d["ru"]) for d in docs]


def test_pair_texts_finds_partners_and_leaves_orphans(encoder, corpus) -> None:
    en, ru = corpus
    # English story 0 lost its Russian edition, Russian story 7 its English one; shuffled sides
    en_ids, ru_ids = [5, 0, 3, 1, 6, 2, 4], [2, 7, 4, 6, 1, 3, 5]
    result = pair_texts([DocText(en[k]) for k in en_ids], [DocText(ru[k]) for k in ru_ids],
                        encoder=encoder)
    got = {(en_ids[p.en], ru_ids[p.ru]) for p in result.pairs}
    assert got == {(k, k) for k in range(1, 7)}
    assert all(0.5 <= p.confidence <= 1 for p in result.pairs)
    assert [en_ids[k] for k, _, _ in result.unmatched_en] == [0]
    assert [ru_ids[k] for k, _, _ in result.unmatched_ru] == [7]
    assert all(conf < 0.5 for _, _, conf in result.unmatched_en + result.unmatched_ru)


def test_order_is_evidence(encoder, corpus) -> None:
    """The same Russian sentences scrambled score lower than the real edition."""
    en, ru = corpus
    story = units(ru[1])
    scrambled = "\n\n".join(story[::2] + story[1::2])
    result = pair_texts([DocText(en[1])], [DocText(scrambled), DocText(ru[1])],
                        encoder=encoder)
    assert [(p.en, p.ru) for p in result.pairs] == [(0, 1)]


def test_dates_break_a_tie(encoder) -> None:
    """Two copies of one Russian story: the one published the same day wins (but not surely)."""
    en = DocText("The ferry returns on June 1. Tickets cost 1,500 soms.", "2024-03-04")
    ru = "Паром вернётся 1 июня. Билет стоит 1500 сомов."
    result = pair_texts([en], [DocText(ru, "2023-01-10"), DocText(ru, "2024-03-05")],
                        encoder=encoder, min_confidence=0.0)
    assert [(p.en, p.ru) for p in result.pairs] == [(0, 1)]
    assert result.pairs[0].confidence < 0.9


def test_list_sources(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.html").write_text("a")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / "pairs.tsv").write_text("x")
    assert list_sources(tmp_path) == [str(tmp_path / "a.html"), str(tmp_path / "b.txt")]
    listing = tmp_path / "list.txt"
    listing.write_text("# archive\nb.txt\n\nhttps://example.org/story\n/abs/c.md\n")
    assert list_sources(listing) == [str(tmp_path / "b.txt"), "https://example.org/story",
                                     "/abs/c.md"]
    with pytest.raises(InputError, match="does not exist"):
        list_sources(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no text"):
        list_sources(tmp_path / "empty")




def _app() -> typer.Typer:
    return align_app  # align's own commands, without tm's


def test_pair_command(tmp_path: Path, corpus, news_site: str) -> None:
    en, ru = corpus
    en_dir, ru_dir = tmp_path / "en", tmp_path / "ru"
    en_dir.mkdir()
    ru_dir.mkdir()
    for k in range(4):
        (en_dir / f"e{k}.txt").write_text(en[k], encoding="utf-8")
        (ru_dir / f"r{3 - k}.md").write_text(ru[k], encoding="utf-8")
    (ru_dir / "broken.txt").write_bytes(b"\x00\x01binary")
    # lists mix relative paths and URLs
    en_list = [f"en/e{k}.txt" for k in range(4)] + [f"{news_site}/lake-ferry.en.html"]
    ru_list = [f"{news_site}/lake-ferry.ru.html"] + [f"ru/r{k}.md" for k in range(4)]
    (tmp_path / "en.list").write_text("\n".join(en_list) + "\n")
    (tmp_path / "ru.list").write_text("\n".join(ru_list + ["ru/broken.txt"]) + "\n")
    out = tmp_path / "pairs.tsv"
    res = CliRunner().invoke(_app(), ["pair", str(tmp_path / "en.list"),
                                      str(tmp_path / "ru.list"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    got = {(Path(e).name, Path(r).name) for e, r, _ in rows}
    assert got == {(f"e{k}.txt", f"r{3 - k}.md") for k in range(4)} | {
        ("lake-ferry.en.html", "lake-ferry.ru.html")}
    assert all(len(c) == 5 and 0.5 <= float(c) <= 1 for _, _, c in rows)  # 3 decimals
    assert "unmatched ru: " in res.stderr and "broken.txt (unreadable:" in res.stderr
    assert "5 pairs of 5 English and 6 Russian sources" in res.stderr


def test_pair_command_unmatched_file_and_errors(tmp_path: Path, corpus) -> None:
    en, ru = corpus
    for name, text in (("en/a.txt", en[0]), ("en/b.txt", en[1]), ("ru/a.txt", ru[0])):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    left = tmp_path / "left.tsv"
    res = CliRunner().invoke(_app(), ["pair", str(tmp_path / "en"), str(tmp_path / "ru"),
                                      "--unmatched", str(left)])
    assert res.exit_code == 0
    assert res.stdout.count("\n") == 1 and res.stdout.startswith(str(tmp_path / "en/a.txt"))
    lang, src, why = left.read_text().rstrip("\n").split("\t")
    assert (lang, src) == ("en", str(tmp_path / "en/b.txt")) and "confidence" in why
    res = CliRunner().invoke(_app(), ["pair", str(tmp_path / "nope"), str(tmp_path / "ru")])
    assert res.exit_code != 0 and isinstance(res.exception, InputError)


class _StoryEncoder:
    """A stand-in encoder: sentences ``"story:k ..."`` of one story share a direction, plus noise
    (so pairing mechanics can be tested on hundreds of documents without a model)."""

    name, dim = "fake", 64

    def __init__(self) -> None:
        self.rng = np.random.default_rng(7)
        self.stories: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            key = text.split()[0]
            if key not in self.stories:
                self.stories[key] = self.rng.standard_normal(self.dim)
            v = self.stories[key] + 0.9 * self.rng.standard_normal(self.dim)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)


def test_pairing_hundreds_of_documents_with_orphans() -> None:
    def doc(k: int, side: str) -> DocText:
        return DocText(" ".join(f"story:{k} {side} sentence {j}." for j in range(8)))

    n = 300
    en_ids = [k for k in range(n) if k % 10 != 3]  # 30 stories have no English edition
    ru_ids = [k for k in reversed(range(n)) if k % 10 != 7]  # and 30 no Russian one
    result = pair_texts([doc(k, "en") for k in en_ids], [doc(k, "ru") for k in ru_ids],
                        encoder=_StoryEncoder(), shortlist=5)
    got = {(en_ids[p.en], ru_ids[p.ru]) for p in result.pairs}
    assert got == {(k, k) for k in range(n) if k % 10 not in (3, 7)}
    assert {en_ids[k] for k, _, _ in result.unmatched_en} == {k for k in range(n) if k % 10 == 7}
    assert {ru_ids[k] for k, _, _ in result.unmatched_ru} == {k for k in range(n) if k % 10 == 3}
