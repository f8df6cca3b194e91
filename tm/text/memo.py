"""A memo for the text analyses bulk work repeats: stems, index terms.

A million-unit import analyses tens of millions of words, a few hundred thousand distinct, so a
dict lookup replaces most Snowball calls and term builds. The memo is forgotten wholesale past
its limit (500,000 entries by default) rather than kept in recency order: a hit stays one
dict subscript, with no bookkeeping an LRU would add to every hit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["Memo"]


class Memo(dict[K, V], Generic[K, V]):
    """``memo[key]`` is ``make(key)``, computed once (until the memo passes ``limit``)."""

    def __init__(self, make: Callable[[K], V], limit: int = 500_000) -> None:
        super().__init__()
        self.make = make
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) > self.limit:
            self.clear()
        value = self[key] = self.make(key)
        return value
