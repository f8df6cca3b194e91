"""Domain errors of the alignment layer. The CLI turns them into one line on stderr."""

from __future__ import annotations


class AlignError(Exception):
    """Alignment cannot go on: bad input, a missing model, an unreadable file."""


class EncoderError(AlignError):
    """The sentence encoder cannot be loaded or run (missing extra, model not available offline)."""


class InputError(AlignError):
    """An input file is missing, empty, binary, too large or in the wrong language."""
