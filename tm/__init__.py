"""diptych.tm: the translation memory (SQLite), lookups and TMX exchange."""

from tm.errors import TMError, TMXError

__all__ = ["TMError", "TMXError"]
