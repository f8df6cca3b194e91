"""``diptych copy SRC DST``: a whole memory from one backend to another (or the same), row for
row (documents, units with their ids, origins and dates, links, history, corrections, term
links, vectors, settings), in ONE transaction on the target: an interrupted copy leaves it as
it was. The target must hold nothing yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tm.errors import TMError
from tm.store.memory import TM
from tm.store.rows import TABLES

BATCH = 2000
"""Rows inserted at a time (the same batch as ``add_units``)."""


def copy_memory(src: TM, dst: TM, progress: Callable[[int, int], None] | None = None) -> int:
    """Copy everything ``src`` holds into the empty ``dst``; returns the rows copied.
    ``progress(done, total)`` after each batch."""
    held = dst.counts()
    if held.units or held.documents:
        raise TMError(f"{dst.shown} already holds {held.units} units and {held.documents}"
                      " documents: copy into a new memory")
    counts = src.counts()
    total = counts.units * 2 + counts.links + counts.embedded + counts.documents
    done = 0
    with dst.transaction():
        for table in TABLES:
            buf: list[tuple[Any, ...]] = []
            for row in src.store.rows(table):
                buf.append(tuple(row))
                if len(buf) >= BATCH:
                    dst.store.put(table, buf)
                    done += len(buf)
                    buf = []
                    if progress is not None:
                        progress(min(done, total), total)
            dst.store.put(table, buf)
            done += len(buf)
        dst.store.finish_copy()
    if progress is not None:
        progress(total, total)
    return done
