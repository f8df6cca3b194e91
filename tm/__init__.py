"""diptych.tm: the translation memory (SQLite), lookups and TMX exchange."""

from tm.errors import TMError, TMXError
from tm.ingest import add_pair
from tm.search import Match, Mode, Searcher, match_percent
from tm.store import TM, AddCounts, Document, DocumentIn, Unit, UnitIn
from tm.tmx import export_tmx, import_tmx

__all__ = [
    "TM", "AddCounts", "Document", "DocumentIn", "Match", "Mode", "Searcher", "TMError",
    "TMXError", "Unit", "UnitIn", "add_pair", "export_tmx", "import_tmx", "match_percent",
]
