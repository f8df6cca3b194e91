"""Drafts that never carry a stale number: pre-translate sentences whose number changed.

    python bench/drafts.py

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
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from terms import corpus_units

from tm.numbers import Amount, amounts, format_number, parse_number
from tm.pretranslate import pretranslate
from tm.search import Searcher
from tm.store import TM, UnitIn


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
    with tempfile.TemporaryDirectory() as tmp, TM.open(Path(tmp) / "d.db") as tm:
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


def main() -> None:
    units, _ = corpus_units()
    results, unmarked = measure(units, 300)
    for lang, (n, ok, filled) in results.items():
        print(f"{lang} -> {'ru' if lang == 'en' else 'en'}: {n} cases, new number in and old"
              f" out {ok} ({100 * ok / max(n, 1):.1f}%), filled from the memory {filled}")
    print(f"non-100% segments without a mark (text, jsonl): {unmarked}")


if __name__ == "__main__":
    main()
