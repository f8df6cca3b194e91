"""The ONE place tm loads a sentence encoder (``add``, ``index``, semantic search, batch workers).

TM work runs the encoder single-threaded: its BLAS threads gain little and, on a busy machine,
cost up to 6x the CPU time (measured on 2 shared cores: 640 vs 100 sentences per CPU-second);
``add --batch`` gets its parallelism from processes instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from align.embed import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "load_encoder"]

if TYPE_CHECKING:
    from align.embed import Encoder



def load_encoder(model: str = DEFAULT_MODEL, *, cache: bool = False) -> Encoder:
    """The encoder ``model`` names, single-threaded. ``cache`` keeps align's on-disk embedding
    cache (batch workers re-read pages; TM sentences otherwise are embedded once, and caching
    millions would only fill the disk)."""
    from align import embed

    return embed.load_encoder(model, threads=1, use_cache=cache)
