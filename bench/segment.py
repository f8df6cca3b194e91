"""Sentence-splitting accuracy and speed: diptych's splitter beside raw razdel and nupunkt.

    python bench/segment.py [--errors N]

The rows: ``diptych`` (align.segment: razdel plus rules), ``dip+nupkt`` (the same layout and
rules over nupunkt, to justify the choice of razdel), and the raw libraries.

1. Boundary precision/recall/F1 on the WMT23 ru-en test set (news, and reviews/manuals apart):
   each paragraph's gold segments are joined with a space and split again; a predicted
   sentence start must fall on a segment start. Some WMT segments hold several sentences, so
   a correct cut inside one counts as a false positive: ``--errors`` prints them to judge.
2. Exactly solved cases of the segmentation challenge set, per language.
3. Speed in sentences per second on the news text repeated to about 1 MB.
4. The same boundary scores on our own texts in corpora/ (literary en/ru, yearbook-style de/fr),
   whose gold sentences are single sentences.
5. Layout: documents re-laid out hard-wrapped or one paragraph a line, split as the original.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"

Splitter = Callable[[str, str], list[tuple[int, int]]]


def ours(text: str, lang: str) -> list[tuple[int, int]]:
    from align.segment import split

    return [(s.start, s.stop) for s in split(text, lang)]


def razdel_spans(text: str, lang: str) -> list[tuple[int, int]]:
    import razdel  # type: ignore[import-untyped]

    return [(s.start, s.stop) for s in razdel.sentenize(text)]


def nupunkt_spans(text: str, lang: str) -> list[tuple[int, int]]:
    import nupunkt

    return list(nupunkt.sentence_spans(text))


def ours_on_nupunkt(text: str, lang: str) -> list[tuple[int, int]]:
    """diptych's layout and rules over nupunkt instead of razdel: the road not taken."""
    from align import segment

    with mock.patch.dict(segment._BASES, {lang: "nupunkt"}):
        return ours(text, lang)


SPLITTERS: dict[str, Splitter] = {
    "diptych": ours,
    "dip+nupkt": ours_on_nupunkt,
    "razdel": razdel_spans,
    "nupunkt": nupunkt_spans,
}


def paragraphs(path: Path, lang: str) -> list[list[str]]:
    """Every paragraph (a list of gold segments) of one side of a WMT jsonl file."""
    with path.open(encoding="utf-8") as f:
        return [para for line in f for para in json.loads(line)[lang]]


def ours_texts() -> list[tuple[str, str, list[list[str]]]]:
    """(set, language, paragraphs of gold sentences) of corpora/literary.jsonl (both sides, the
    free translations' Russian too) and corpora/alpine.jsonl."""
    out = []
    for name, langs in (("literary", ("en", "ru")), ("alpine", ("de", "fr"))):
        rows = [json.loads(x) for x in (ROOT / "corpora" / f"{name}.jsonl").open(encoding="utf-8")]
        for side, lang in enumerate(langs):
            keep = [r for r in rows if side or r.get("translation", "close") == "close"]
            paras = [[s for bead in par for s in bead[side]] for r in keep for par in r["paragraphs"]]
            out.append((name, lang, [p for p in paras if p]))
    return out


def boundary_scores(
    splitter: Splitter, paras: list[list[str]], lang: str, errors: list[str] | None = None
) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted sentence starts against segment starts."""
    tp = fp = fn = 0
    for para in paras:
        text = " ".join(para)
        gold, pos = set(), 0
        for seg in para[:-1]:
            pos += len(seg) + 1
            gold.add(pos)
        pred = {start for start, _ in splitter(text, lang)} - {0}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if errors is not None:
            errors += [
                f"FP {text[max(0, p - 50) : p]}|{text[p : p + 30]}" for p in sorted(pred - gold)
            ]
            errors += [
                f"FN {text[max(0, p - 50) : p]}|{text[p : p + 30]}" for p in sorted(gold - pred)
            ]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def challenge(splitter: Splitter, lang: str) -> tuple[int, int]:
    """(solved, total) challenge cases of ``lang``."""
    solved = total = 0
    with (CORPORA / "segmentation-challenge.jsonl").open(encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            if case["lang"] != lang:
                continue
            total += 1
            got = [case["text"][a:b] for a, b in splitter(case["text"], lang)]
            solved += got == case["sentences"]
    return solved, total


def speed(splitter: Splitter, lang: str) -> float:
    """Sentences per second on ~1 MB of news text in paragraphs."""
    text = "\n\n".join(" ".join(p) for p in paragraphs(CORPORA / "wmt23-ru-en/news.jsonl", lang))
    text = text * max(1, 1_000_000 // len(text))
    splitter("Warm up. Twice.", lang)
    t0 = time.perf_counter()
    n = len(splitter(text, lang))
    return n / (time.perf_counter() - t0)


def layout_checks(path: Path, lang: str) -> tuple[int, int, int, int]:
    """How often re-laid-out documents split as the original: hard-wrapped, one-a-line.

    Each document's paragraphs are joined with blank lines and split (the reference); then
    wrapped at 60, 72 and 100 characters (newlines inside sentences read as spaces), and laid
    out one paragraph a line. Returns (wrapped same, wrapped total, one-a-line same, total).
    """
    from align.segment import split

    wrapped_same = wrapped_total = line_same = line_total = 0
    with path.open(encoding="utf-8") as f:
        docs = [[" ".join(p) for p in json.loads(line)[lang]] for line in f]
    for paras in docs:
        ref = [(s.paragraph, s.text) for s in split("\n\n".join(paras), lang)]
        for width in (60, 72, 100):
            text = "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paras)
            got = [(s.paragraph, s.text.replace("\n", " ")) for s in split(text, lang)]
            wrapped_same += got == ref
            wrapped_total += 1
        got = [(s.paragraph, s.text) for s in split("\n".join(paras), lang)]
        line_same += got == ref
        line_total += 1
    return wrapped_same, wrapped_total, line_same, line_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print N boundary errors of ours")
    args = parser.parse_args()
    print(
        f"{'set':<16}{'lang':<6}{'splitter':<10}{'P':>7}{'R':>7}{'F1':>7}{'challenge':>11}{'sent/s':>10}"
    )
    for name in ("news", "other"):
        for lang in ("en", "ru"):
            paras = paragraphs(CORPORA / f"wmt23-ru-en/{name}.jsonl", lang)
            for label, splitter in SPLITTERS.items():
                errors: list[str] | None = [] if label == "diptych" and args.errors else None
                p, r, f1 = boundary_scores(splitter, paras, lang, errors)
                extra = ""
                if name == "news":
                    solved, total = challenge(splitter, lang)
                    extra = f"{solved:>5}/{total:<5}{speed(splitter, lang):>10,.0f}"
                print(f"{'wmt23 ' + name:<16}{lang:<6}{label:<10}{p:7.3f}{r:7.3f}{f1:7.3f}{extra}")
                for line in (errors or [])[: args.errors]:
                    print("    " + line)
    print("\nOur own texts (corpora/): literary en / ru (close and free translations), yearbook-style"
          " de / fr\n(the de / fr rules for dates, captions, times and quotes were written on them)")
    for name, lang, paras in ours_texts():
        for label in ("diptych", "razdel"):
            p, r, f1 = boundary_scores(SPLITTERS[label], paras, lang)
            print(f"{name:<16}{lang:<6}{label:<10}{p:7.3f}{r:7.3f}{f1:7.3f}")
    print("\nLayout: documents that split exactly as with blank lines between paragraphs")
    print(f"{'set':<16}{'lang':<6}{'hard-wrapped 60/72/100':>24}{'one paragraph a line':>22}")
    for name in ("news", "other"):
        for lang in ("en", "ru"):
            ws, wt, ls, lt = layout_checks(CORPORA / f"wmt23-ru-en/{name}.jsonl", lang)
            print(f"{'wmt23 ' + name:<16}{lang:<6}{f'{ws}/{wt}':>24}{f'{ls}/{lt}':>22}")


if __name__ == "__main__":
    main()
