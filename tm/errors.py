"""Domain errors of the translation-memory layer. The CLI turns them into one line on stderr."""

from __future__ import annotations


class TMError(Exception):
    """A translation-memory operation cannot go on."""


class TMXError(TMError):
    """A TMX file is malformed, hostile or not TMX at all; nothing was imported."""


class NotFound(TMError):
    """A unit or document that is not in the memory (the web answers 404). The message is the
    CLI's line; ``what`` and ``key`` let a server answer without naming its files."""

    def __init__(self, what: str, key: int, message: str) -> None:
        super().__init__(message)
        self.what = what
        self.key = key
