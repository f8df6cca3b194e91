"""diptych.tm: the translation memory (SQLite), lookups and TMX exchange."""

from tm.errors import TMError, TMXError
from tm.search import Match, Mode, Searcher, match_percent
from tm.store import TM, AddCounts, Document, DocumentIn, Unit, UnitIn

__all__ = [
    "TM", "AddCounts", "Document", "DocumentIn", "Match", "Mode", "Searcher", "TMError",
    "TMXError", "Unit", "UnitIn", "match_percent",
]
