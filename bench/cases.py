"""Benchmark and development cases for the aligner, read from ../shared/corpora.

Test sets (report, never fit on them):
- ``textberg()``: Text+Berg de-fr, 7 documents with gold ladders (the Bleualign test set);
- ``wmt(seed)``: WMT23 ru-en news (54 articles), made realistic: merges, drops, a stray line;
- ``enru("test", seed)``: adapted EN->RU editions from wmt-en-ru, the chunks whose index is
  divisible by 4 (26 of 102).
- ``reviews("test", seed)``: WMT23 ru-en product reviews and manuals (``other.jsonl``), the
  documents whose index is divisible by 4 (27 of 108), adapted like the news;
- ``dialogue("test", seed)``: our own dialogue- and quotation-heavy stories (corpora/dialogue.jsonl,
  written for the project), the ones marked "test";
- ``literary("test")``: our stories, essays and interviews in English with a translator's Russian
  (corpora/literary.jsonl, written for the project): not adapted, the translation's own merges,
  splits, omissions and additions are the gold; the texts marked "test".
Development sets (fit and choose on these):
- ``textberg(dev=True)``: the Bleualign development document (de-fr, 422 gold beads);
- ``enru("dev", seed)``: the other 76 chunks of wmt-en-ru;
- ``reviews("dev", seed)``: the other 81 documents of WMT23 ``other.jsonl``;
- ``dialogue("dev", seed)``: our stories marked "dev";
- ``literary("dev")``: our literary texts marked "dev";
- ``alpine()``: our German yearbook-style texts with their French edition (corpora/alpine.jsonl),
  more development prose of Text+Berg's kind than its one development document.

Genres: :data:`GENRES` names each case by genre and part; wmt-en-ru's chunks are newstest2021
(news) or generaltest2022 (social posts, conversation, e-commerce, some news: "general"), and
``enru_genre`` keeps the very documents of ``enru`` (the same adapted editions), split by that.

An adapted edition (:func:`adapt`) starts from 1-1 segment pairs: adjacent segments are merged
on either side (2-1, 1-2, 2-2 beads), some are dropped from one side only (1-0 / 0-1 beads: the
other edition has a sentence more), one stray line from another article lands on one side, and
with ``split`` a long sentence of the target side is cut in two at a comma (1-2 beads of parts).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from align.formats import parse_ladder
from align.types import Bead

# ../shared beside the project, or $DIPTYCH_SHARED (e.g. from a git worktree elsewhere)
SHARED = Path(os.environ.get("DIPTYCH_SHARED") or Path(__file__).resolve().parents[2] / "shared") / "corpora"
TEST_EVERY = 4  # wmt-en-ru chunks with index % TEST_EVERY == 0 are held apart as the test set

__all__ = ["GENRES", "SHARED", "UNSEEDED", "Doc", "adapt", "alpine", "dialogue", "enru", "enru_genre",
           "literary", "reviews", "textberg", "wmt"]

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Doc:
    name: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    src_par: list[int] | None = None
    tgt_par: list[int] | None = None


def textberg(dev: bool = False) -> list[Doc]:
    """Text+Berg de-fr: the 7 test documents, or (``dev``) the development document."""
    base = SHARED / ("textberg-dev" if dev else "textberg")
    docs = []
    for gold in sorted((base / "gold").iterdir()):
        src = (base / "de" / gold.name).read_text(encoding="utf-8").splitlines()
        tgt = (base / "fr" / gold.name).read_text(encoding="utf-8").splitlines()
        docs.append(Doc(gold.name, src, tgt, parse_ladder(gold.read_text(encoding="utf-8"))))
    return docs


def _groups(n: int, rng: random.Random, merge: float, drop: float) -> list[list[int]]:
    """Partition units 0..n-1 into sentences: ~merge of adjacent pairs joined, ~drop removed."""
    groups: list[list[int]] = []
    k = 0
    while k < n:
        r = rng.random()
        if r < merge and k + 1 < n:
            groups.append([k, k + 1])
            k += 2
        elif r < merge + drop:
            k += 1
        else:
            groups.append([k])
            k += 1
    return groups


def _split(text: str) -> list[str]:
    """Cut a long sentence in two at the comma nearest its middle ([text] if none fits)."""
    cuts = [k for k in range(len(text) - 1) if text[k] == "," and text[k + 1] == " "]
    cuts = [k for k in cuts if 0.25 < k / len(text) < 0.75]
    if len(text) < 80 or not cuts:
        return [text]
    k = min(cuts, key=lambda c: abs(c - len(text) / 2))
    return [text[: k + 1], text[k + 2 :]]


def adapt(rows: list[dict], rng: random.Random, merge: float, drop: float,
          split: float = 0.0) -> list[Doc]:
    """Adapted editions of parallel articles (``en`` / ``ru`` lists of paragraphs of segments)."""
    docs = []
    for no, row in enumerate(rows):
        en = [(s, p) for p, par in enumerate(row["en"]) for s in par]
        ru = [(s, p) for p, par in enumerate(row["ru"]) for s in par]
        n = len(en)
        ge, gr = _groups(n, rng, merge, drop), _groups(n, rng, merge, drop)
        src = [" ".join(en[u][0] for u in g) for g in ge]
        tgt = [" ".join(ru[u][0] for u in g) for g in gr]
        sp = [en[g[0]][1] for g in ge]
        tp = [ru[g[0]][1] for g in gr]
        # gold: connected components of units shared by source and target sentences
        parent = list(range(n))

        def find(x: int, parent: list[int] = parent) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for g in ge + gr:
            for u in g[1:]:
                parent[find(u)] = find(g[0])
        comp: dict[int, tuple[list[int], list[int]]] = {}
        for i, g in enumerate(ge):
            comp.setdefault(find(g[0]), ([], []))[0].append(i)
        for j, g in enumerate(gr):
            comp.setdefault(find(g[0]), ([], []))[1].append(j)
        # a stray line from another article on one side
        other = rows[(no + 7) % len(rows)]
        side = rng.random() < 0.5
        stray_lines = [s for par in other["en" if side else "ru"] for s in par]
        stray = rng.choice(stray_lines)
        lines, pars = (src, sp) if side else (tgt, tp)
        at = rng.randrange(len(lines) + 1)
        lines.insert(at, stray)
        pars.insert(at, pars[at - 1] if at else 0)
        beads = []
        for s_ids, t_ids in sorted(comp.values(), key=lambda c: (c[0] or [-1])[0]):
            if side:
                s_ids = [i + (i >= at) for i in s_ids]
            else:
                t_ids = [j + (j >= at) for j in t_ids]
            beads.append(Bead(tuple(s_ids), tuple(t_ids)))
        beads.append(Bead((at,), ()) if side else Bead((), (at,)))
        doc = Doc(row["id"], src, tgt, beads, sp, tp)
        docs.append(_split_target(doc, rng, split) if split else doc)
    return docs


def _split_target(doc: Doc, rng: random.Random, rate: float) -> Doc:
    """Cut about ``rate`` of the target's long sentences in two (the gold bead keeps both)."""
    new: list[str] = []
    pars: list[int] = []
    where: list[list[int]] = []
    for k, line in enumerate(doc.tgt):
        parts = _split(line) if rng.random() < rate else [line]
        where.append(list(range(len(new), len(new) + len(parts))))
        new += parts
        pars += [(doc.tgt_par or [0] * len(doc.tgt))[k]] * len(parts)
    gold = [Bead(b.src, tuple(y for j in b.tgt for y in where[j])) for b in doc.gold]
    return Doc(doc.name, doc.src, new, gold, doc.src_par, pars)


def wmt(seed: int = 13, merge: float = 0.1, drop: float = 0.05, path: Path | None = None) -> list[Doc]:
    """WMT23 news (1-1 segments) made realistic: merges, drops and one stray line per article."""
    rows = [json.loads(x) for x in (path or SHARED / "wmt23-ru-en" / "news.jsonl").open()]
    return adapt(rows, random.Random(seed), merge, drop)


def enru(part: str = "test", seed: int = 13, merge: float = 0.1, drop: float = 0.05,
         split: float = 0.05) -> list[Doc]:
    """Adapted EN->RU editions from wmt-en-ru: ``part`` "test" (chunk index % 4 == 0) or "dev"."""
    rows = [json.loads(x) for x in (SHARED / "wmt-en-ru" / "en-ru.jsonl").open()]
    keep = [r for k, r in enumerate(rows) if (k % TEST_EVERY == 0) == (part == "test")]
    docs = adapt(keep, random.Random(seed), merge, drop, split)
    for d in docs:  # two adjacent dropped units are two omissions, as in Text+Berg's gold
        d.gold = [Bead(s, t) for b in d.gold for s, t in (
            [(b.src, b.tgt)] if b.src and b.tgt else
            [((i,), ()) for i in b.src] + [((), (j,)) for j in b.tgt])]
    return docs


def enru_genre(part: str, genre: str, seed: int = 13) -> list[Doc]:
    """The documents of :func:`enru` (same seed, same editions) of one source: "news"
    (newstest2021) or "general" (generaltest2022)."""
    prefix = {"news": "newstest", "general": "generaltest"}[genre]
    return [d for d in enru(part, seed=seed) if d.name.startswith(prefix)]


def _parted(rows: list[dict], part: str) -> list[dict]:
    return [r for k, r in enumerate(rows) if (k % TEST_EVERY == 0) == (part == "test")]


def reviews(part: str = "test", seed: int = 13, merge: float = 0.1, drop: float = 0.05) -> list[Doc]:
    """WMT23 ru-en reviews and manuals (``other.jsonl``), adapted like :func:`wmt`; ``part``
    "test" (index % 4 == 0) or "dev"."""
    rows = [json.loads(x) for x in (SHARED / "wmt23-ru-en" / "other.jsonl").open()]
    return adapt(_parted(rows, part), random.Random(seed), merge, drop)


def dialogue(part: str = "test", seed: int = 13, merge: float = 0.1, drop: float = 0.05,
             split: float = 0.05) -> list[Doc]:
    """Our dialogue- and quotation-heavy stories (corpora/dialogue.jsonl), adapted like
    :func:`enru`; ``part`` "test" or "dev" (each story says which)."""
    rows = [json.loads(x) for x in (ROOT / "corpora" / "dialogue.jsonl").open()]
    return adapt([r for r in rows if r["part"] == part], random.Random(seed), merge, drop, split)


def _gold_texts(path: Path, keep: Callable[[dict], bool]) -> list[Doc]:
    """The texts of a file of ours whose gold is the translation's own (not adapted): one JSON
    object a line, ``paragraphs`` a list of paragraphs, each a list of beads
    ``[source_sentences, target_sentences]``; the ones ``keep`` accepts."""
    docs = []
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        if not keep(row):
            continue
        src: list[str] = []
        tgt: list[str] = []
        sp: list[int] = []
        tp: list[int] = []
        gold = []
        for p, par in enumerate(row["paragraphs"]):
            for ss, ts in par:
                gold.append(Bead(tuple(range(len(src), len(src) + len(ss))),
                                 tuple(range(len(tgt), len(tgt) + len(ts)))))
                src += ss
                tgt += ts
                sp += [p] * len(ss)
                tp += [p] * len(ts)
        docs.append(Doc(row["id"], src, tgt, gold, sp, tp))
    return docs


def literary(part: str = "test", translation: str = "close", path: Path | None = None) -> list[Doc]:
    """Our literary stories, essays and interviews with their translator's own cuts
    (corpora/literary.jsonl, written for the project): no adaptation, the gold is the
    translation's, merges, splits, omissions and additions as a translator made them; ``part``
    "test" or "dev" (each text says which); ``translation`` "close" (most sentences one for one)
    or "free" (a second Russian of the same English, recast as a publisher's translator would)."""
    return _gold_texts(path or ROOT / "corpora" / "literary.jsonl",
                       lambda row: row["part"] == part and row["translation"] == translation)


def alpine(path: Path | None = None) -> list[Doc]:
    """Our German yearbook-style texts with their French edition (corpora/alpine.jsonl, written
    for the project, de-fr like Text+Berg): development only, Text+Berg's test is the held-apart
    case of the genre."""
    return _gold_texts(path or ROOT / "corpora" / "alpine.jsonl", lambda row: True)


GENRES: dict[str, Callable[[int], list[Doc]]] = {
    # development: fit and choose on these
    "news-dev": lambda seed: enru_genre("dev", "news", seed),
    "general-dev": lambda seed: enru_genre("dev", "general", seed),
    "reviews-dev": lambda seed: reviews("dev", seed),
    "dialogue-dev": lambda seed: dialogue("dev", seed),
    "textberg-dev": lambda seed: textberg(dev=True),
    "literary-dev": lambda seed: literary("dev"),
    "literary-free-dev": lambda seed: literary("dev", "free"),
    "alpine-dev": lambda seed: alpine(),
    # held apart: report only
    "news": lambda seed: enru_genre("test", "news", seed),
    "general": lambda seed: enru_genre("test", "general", seed),
    "wmt23-news": lambda seed: wmt(seed=seed),
    "reviews": lambda seed: reviews("test", seed),
    "dialogue": lambda seed: dialogue("test", seed),
    "textberg": lambda seed: textberg(),
    "literary": lambda seed: literary("test"),
    "literary-free": lambda seed: literary("test", "free"),
}
"""Every genre's case, development ones ending in "-dev"; the argument is the adaptation seed."""

UNSEEDED = ("textberg", "literary", "alpine")
"""Genres (name prefixes) whose gold is the translation's own: the seed changes nothing."""
