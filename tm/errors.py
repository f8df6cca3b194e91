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


class Conflict(TMError):
    """A change based on an older version of a unit or document than the stored one: refused,
    nothing changed (the web answers 409). ``who``/``when`` made the stored version."""

    def __init__(self, what: str, key: int, version: int, who: str | None,
                 when: str | None) -> None:
        self.what, self.key, self.version, self.who, self.when = what, key, version, who, when
        super().__init__(f"{what} {key} was changed by {who or 'someone'} at {when or '?'}"
                         f" (now version {version}): reload it, or save again over it")


class Unavailable(TMError):
    """The memory's database server gave no connection in time, or the connection was lost
    mid-request (the web answers 503: try again; nothing was changed)."""
