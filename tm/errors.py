"""Domain errors of the translation-memory layer. The CLI turns them into one line on stderr."""

from __future__ import annotations


class TMError(Exception):
    """A translation-memory operation cannot go on."""


class TMXError(TMError):
    """A TMX file is malformed, hostile or not TMX at all; nothing was imported."""
