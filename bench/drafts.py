"""Drafts that never carry a stale number: pre-translate sentences whose number changed.

    python bench/drafts.py
    python bench/drafts.py --parts      # part matches: how many, how many right

Memory: every sentence pair of ../shared/corpora (wmt23-ru-en news + other, wmt-en-ru). Cases:
each stored unit whose source side holds a number (not part of a date) that its other side holds
too, by value; the new sentence is the source side with that number changed (+1..+9, or its
last digit before the decimal point, the format kept). Both directions (EN -> RU, RU -> EN). A
case passes when the draft segment holds the new value and not the old one (read back by value,
in the target's conventions). Also counted: segments of any draft format that are not 100%
matches and carry no mark (must be 0).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import backend
from terms import corpus_units

from tm.drafts.pretranslate import pretranslate
from tm.search.fragments import sentences
from tm.search.searcher import Searcher
from tm.store import TM, UnitIn
from tm.text.numbers import Amount, amounts, format_number, parse_number


def changed(text: str, a: Amount, lang: str, rng: random.Random) -> tuple[str, str]:
    """``text`` with amount ``a``'s number changed (its format kept), and the new key."""
    digits = text[a.num_start:a.num_stop]
    value = parse_number(digits, lang)
    decimals = len(digits.rpartition("." if lang == "en" else ",")[2]) if (
        ("." if lang == "en" else ",") in digits) else 0
    new = value + rng.randint(1, 9)
    grouped = a.grouped
    out = format_number(new, lang, decimals=decimals, grouped=grouped)
    new_amount = amounts(out + text[a.num_stop:a.stop], lang)
    key = new_amount[0].key if new_amount else out
    return text[:a.num_start] + out + text[a.num_stop:], key


def cases(units: list[tuple[str, str]], n: int) -> list[tuple[str, str, str, str, str]]:
    """``(lang, new sentence, old key, new key, stored target)`` for up to ``n`` per direction."""
    rng = random.Random(17)
    out: list[tuple[str, str, str, str, str]] = []
    for lang in ("en", "ru"):
        tgt_lang = "ru" if lang == "en" else "en"
        picked = 0
        for en, ru in rng.sample(units, len(units)):
            src, tgt = (en, ru) if lang == "en" else (ru, en)
            tgt_keys = [t.key for t in amounts(tgt, tgt_lang)]
            nums = [a for a in amounts(src, lang) if a.date is None and tgt_keys.count(a.key) == 1
                    and sum(b.key == a.key for b in amounts(src, lang)) == 1]
            if not nums or picked >= n:
                continue
            a = rng.choice(nums)
            new_text, new_key = changed(src, a, lang, rng)
            if new_key in tgt_keys:
                continue
            out.append((lang, new_text, a.key, new_key, tgt))
            picked += 1
    return out


def measure(units: list[tuple[str, str]], n: int) -> tuple[dict[str, list[int]], int]:
    """``({lang: [cases, new in & old out, filled]}, unmarked non-100% segments)``."""
    todo = cases(units, n)
    results = {"en": [0, 0, 0], "ru": [0, 0, 0]}
    unmarked = 0
    with backend.memory("d.db") as scratch, TM.open(scratch) as tm:
        tm.add_units([UnitIn(e, r) for e, r in units])
        searcher = Searcher(tm)
        for lang, text, old_key, new_key, _ in todo:
            result = pretranslate(searcher, text, lang=lang)
            keys = [a.key for a in amounts(result.draft_text(), result.target_lang)]
            r = results[lang]
            r[0] += 1
            r[1] += new_key in keys and old_key not in keys
            r[2] += any(s.fill.filled for s in result.segments)
            unmarked += sum(s.percent < 100 and not s.fill.marked for s in result.segments)
            unmarked += sum(row["match"] < 100 and not row["marked"] for row in map(
                json.loads, result.draft_jsonl().splitlines()))
    return results, unmarked


def merged(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
           n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str, str, bool]]]:
    """The memory with ``n`` pairs of neighbouring sentence pairs merged into one unit each,
    and the queries ``(lang, first sentence, its true translation, both sides split)``.
    Half the merged units keep two sentences a side (2-2: the first sentence's translation
    is the other side's first sentence); half join the target's two into one with a dash
    (2-1: no sentence of the target translates the query alone, only the whole unit does)."""
    rng = random.Random(23)
    pairs = [(i, where[(c, d, p, s + 1)]) for (c, d, p, s), i in where.items()
             if (c, d, p, s + 1) in where]
    taken: set[int] = set()
    out: list[tuple[str, str, str, bool]] = []
    extra: list[tuple[str, str]] = []
    for i, j in rng.sample(pairs, len(pairs)):
        (e1, r1), (e2, r2) = units[i], units[j]
        if i in taken or j in taken or len(out) >= 2 * n or not e1.endswith(".") or not (
                r1.endswith(".")) or len(e1.split()) < 5 or len(r1.split()) < 5:
            continue
        taken |= {i, j}
        lang = "en" if len(out) % 4 < 2 else "ru"
        split_both = len(out) % 2 == 0
        src1, tgt1, src2, tgt2 = (e1, r1, e2, r2) if lang == "en" else (r1, e1, r2, e2)
        tgt = f"{tgt1} {tgt2}" if split_both else f"{tgt1[:-1]} — {tgt2[:1].lower()}{tgt2[1:]}"
        src = f"{src1} {src2}"
        extra.append((src, tgt) if lang == "en" else (tgt, src))
        out.append((lang, src1, tgt1, split_both))
    kept = [u for k, u in enumerate(units) if k not in taken]
    return kept + extra, out


def parts(units: list[tuple[str, str]], where: dict[tuple[str, str, int, int], int],
          n: int) -> dict[str, list[int]]:
    """Per case kind (2-2, 2-1): ``[queries, 100% parts, right 100% parts, filled, marked]``
    (a query stored as a unit of its own elsewhere is an exact match, not a part);
    a 100% part is right when its target is the true translation (2-2) -- never for 2-1.
    "real": each sentence of the corpus's own multi-sentence units (English side), right
    when both sides hold as many sentences and the target is the one in the same place
    (the corpus has no gold below its sentence pairs: an estimate)."""
    memory, queries = merged(units, where, n)
    for en, ru in units:
        es, rs = sentences(en, "en"), sentences(ru, "ru")
        if len(es) > 1:
            same = len(es) == len(rs)
            queries += [("en", en[a:b], ru[c:d] if same else "", same)
                        for (a, b), (c, d) in zip(es, rs if same else es)]
    out = {"2-2": [0, 0, 0, 0, 0], "2-1": [0, 0, 0, 0, 0], "real": [0, 0, 0, 0, 0]}
    with backend.memory("p.db") as scratch, TM.open(scratch) as tm:
        tm.add_units([UnitIn(e, r) for e, r in memory])
        searcher = Searcher(tm)
        for k, (lang, text, truth, split_both) in enumerate(queries):
            seg = pretranslate(searcher, text, lang=lang).segments[0]
            row = out["real" if k >= 2 * n else "2-2" if split_both else "2-1"]
            row[0] += 1
            if seg.percent == 100 and seg.match is not None and seg.match.part:
                row[1] += 1
                row[2] += split_both and seg.fill.text.strip() == truth.strip()
            row[3] += seg.fill.filled
            row[4] += seg.fill.marked
    return out


def main() -> None:
    units, where = corpus_units()
    if "--parts" in sys.argv:
        for kind, (q, full, right, filled, marked) in parts(units, where, 200).items():
            print(f"{kind}: {q} queries, 100% part matches {full},"
                  f" right {right}, filled {filled}, marked {marked}")
        return
    results, unmarked = measure(units, 300)
    for lang, (n, ok, filled) in results.items():
        print(f"{lang} -> {'ru' if lang == 'en' else 'en'}: {n} cases, new number in and old"
              f" out {ok} ({100 * ok / max(n, 1):.1f}%), filled from the memory {filled}")
    print(f"non-100% segments without a mark (text, jsonl): {unmarked}")


if __name__ == "__main__":
    main()
