"""The choices the service layer takes, as Enums; light to import (``diptych --help``)."""

from __future__ import annotations

from enum import Enum

# Which memory a command uses (tm.store.location.locate), in one line for --db's help.
RULE = ("--db, else $DIPTYCH_DB, else a diptych.db in the current folder or a parent, else"
        " diptych.db in your data folder")


class Mode(str, Enum):
    """How to look a query up."""

    auto = "auto"
    exact = "exact"
    fuzzy = "fuzzy"
    concordance = "concordance"
    semantic = "semantic"


class Kind(str, Enum):
    """How a hit was found."""

    exact = "exact"
    fuzzy = "fuzzy"
    concordance = "concordance"
    semantic = "semantic"


class DraftFormat(str, Enum):
    """Formats of a pre-translated draft."""

    text = "text"
    jsonl = "jsonl"
    tmx = "tmx"


class SegType(str, Enum):
    """The segtype a TMX export's header declares."""

    sentence = "sentence"
    paragraph = "paragraph"
