"""diptych.align: split, embed and align two editions of a text. Knows nothing of storage.

The lower layer: imports nothing of tm.

>>> from align import align_files, load_encoder
>>> al = align_files("story.en.txt", "story.ru.txt", encoder=load_encoder())  # doctest: +SKIP
>>> for en, ru, bead in al.pairs(): ...                                       # doctest: +SKIP

Heavy modules (numpy, the encoder) load on first use of a name, not at ``import align``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from align.errors import AlignError, EncoderError, InputError
from align.types import Alignment, Bead, Sentence

_LAZY = {
    "align_files": "align.pipeline",
    "align_texts": "align.pipeline",
    "read_edition": "align.pipeline",
    "align_sentences": "align.aligner",
    "Encoder": "align.embed",
    "load_encoder": "align.embed",
    "split": "align.segment",
    "split_presplit": "align.segment",
    "score": "align.evaluate",
    "parse_ladder": "align.formats",
    "format_ladder": "align.formats",
    "read_source": "align.sources",
    "SourceText": "align.sources",
    "pair_sources": "align.pair_io",
}

__all__ = [
    "AlignError", "Alignment", "Bead", "Encoder", "EncoderError", "InputError", "Sentence",
    "SourceText", "align_files", "align_sentences", "align_texts", "format_ladder", "load_encoder",
    "pair_sources", "parse_ladder", "read_edition", "read_source", "score", "split",
    "split_presplit",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'align' has no attribute {name!r}")
