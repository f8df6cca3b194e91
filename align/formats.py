"""Reading and writing alignments: ladder, TSV, JSONL, text, TMX and an HTML review page."""

from __future__ import annotations

import re

from align.errors import InputError
from align.types import Bead

_LADDER_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*(?::\s*([-+0-9.eE]+))?\s*$")


def _ids(field: str) -> tuple[int, ...]:
    return tuple(int(x) for x in field.replace(",", " ").split())


def parse_ladder(text: str) -> list[Bead]:
    """Parse Vecalign's ladder format, one bead a line: ``[0, 1]:[2]`` or ``[0, 1]:[2]:0.870``."""
    beads = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LADDER_LINE.match(line)
        if not m:
            raise InputError(f"line {no} is not a ladder line like '[0, 1]:[2]': {line[:60]!r}")
        score = float(m.group(3)) if m.group(3) is not None else 1.0
        beads.append(Bead(_ids(m.group(1)), _ids(m.group(2)), score))
    return beads


def format_ladder(beads: list[Bead]) -> str:
    """One bead a line, ``[0, 1]:[2]:0.870``, 0-based indices, ``[]`` for an empty side."""
    return "".join(
        f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.3f}\n"
        for b in beads
    )
