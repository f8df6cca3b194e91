"""diptych.tm: the translation memory (SQLite), lookups and TMX exchange.

Names load on first use (PEP 562), so ``import tm`` (and ``diptych --help``) stays light.
The service layer the CLI and the web server share is :mod:`tm.service`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from tm.errors import TMError, TMXError

_LAZY = {
    "add_pair": "tm.ingest.pairs",
    "Kind": "tm.choices", "Mode": "tm.choices",
    "Match": "tm.search.searcher", "Searcher": "tm.search.searcher",
    "match_percent": "tm.search.fuzzy",
    "TM": "tm.store", "AddCounts": "tm.store", "Document": "tm.store",
    "DocumentIn": "tm.store", "Unit": "tm.store", "UnitIn": "tm.store",
    "export_tmx": "tm.tmx", "import_tmx": "tm.tmx",
}

__all__ = [
    "TM", "AddCounts", "Document", "DocumentIn", "Kind", "Match", "Mode", "Searcher", "TMError",
    "TMXError", "Unit", "UnitIn", "add_pair", "export_tmx", "import_tmx", "match_percent",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tm' has no attribute {name!r}")
