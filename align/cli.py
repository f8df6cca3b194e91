"""The ``align`` and ``eval`` commands (Typer), registered on the root app by ``tm.cli``.

``align`` knows nothing of storage: ``diptych align ... --tm`` calls a store hook that the
translation-memory layer installs with :func:`set_store_hook` (dependency inversion keeps
``align`` importable without ``tm``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import typer

from align.types import Alignment


@dataclass(frozen=True)
class StoreRequest:
    """What ``align --tm`` hands to the store hook."""

    alignment: Alignment
    src_path: Path
    tgt_path: Path
    db: Optional[Path]
    title: Optional[str]
    url: Optional[str]
    date: Optional[str]
    min_score: float
    model: str


StoreHook = Callable[[StoreRequest], str]
"""Stores the alignment and returns a one-line summary for stderr."""

_store_hook: Optional[StoreHook] = None


def set_store_hook(hook: StoreHook) -> None:
    """Install the function ``align --tm`` calls (done by ``tm.cli``)."""
    global _store_hook
    _store_hook = hook


def register(app: typer.Typer) -> None:
    """Add align's commands to the root app."""
