"""A ``diptych add --batch`` pair list written from WMT23 documents, for the batch tests of
both backends (tests/tm/test_batch.py, tests/tm/test_backends.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def write_pairs(folder: Path, shared: Path, n: int,
                confidence: Callable[[int], float] = lambda k: 0.95) -> Path:
    """The first ``n`` WMT23 news documents as ``k.en.txt``/``k.ru.txt`` in ``folder`` (one
    paragraph a block) and their list ``pairs.tsv``, the ``k``-th pair at ``confidence(k)``."""
    with open(shared / "corpora" / "wmt23-ru-en" / "news.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line, _ in zip(f, range(n))]
    lines = []
    for k, d in enumerate(docs):
        for lang in ("en", "ru"):
            (folder / f"{k}.{lang}.txt").write_text(
                "\n\n".join(" ".join(p) for p in d[lang]), encoding="utf-8")
        lines.append(f"{folder / f'{k}.en.txt'}\t{folder / f'{k}.ru.txt'}\t{confidence(k):.2f}")
    listing = folder / "pairs.tsv"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing
