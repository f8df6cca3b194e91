"""How far a long alignment has got, for whoever shows it (the CLI's spinner on a terminal).

The aligner cuts a long input into blocks of about ``Params.chunk`` sentences and calls
:func:`report` after each block; :func:`listening` sets the one listener for the duration of a
``with`` (the CLI's :func:`align.cli.working`). Without a listener a report costs one test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Listener = Callable[[int, int], None]
"""Called with (sentences aligned so far, sentences in all), both sides counted."""

_listener: Listener | None = None


def report(done: int, total: int) -> None:
    """Tell the listener, if any, that ``done`` of ``total`` sentences are aligned."""
    if _listener is not None:
        _listener(done, total)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send the reports made inside the ``with`` to ``listener``."""
    global _listener
    before, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = before
