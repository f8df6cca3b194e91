"""Which database file a command uses, the same rule from any folder.

1. ``--db PATH``; 2. ``$DIPTYCH_DB``; 3. a ``diptych.db`` in the current folder or a parent;
4. ``diptych.db`` in the user's data folder (``platformdirs``, e.g. ``~/.local/share/diptych``).
"""

from __future__ import annotations

import os
from pathlib import Path

from tm.store.types import DbLocation, DbSource

DEFAULT_DB = "diptych.db"  # the rule in one line, for help texts: tm.choices.RULE (light to import)


def user_db_path() -> Path:
    """The default database in the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("diptych", appauthor=False) / DEFAULT_DB


def locate(db: str | Path | None = None, *, cwd: Path | None = None) -> DbLocation:
    """The database to use (see the module docstring)."""
    if db is not None and str(db):
        return DbLocation(Path(db).expanduser(), DbSource.option)
    env = os.environ.get("DIPTYCH_DB")
    if env:
        return DbLocation(Path(env).expanduser(), DbSource.env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_DB
        if candidate.is_file():
            return DbLocation(candidate if folder != here else Path(DEFAULT_DB), DbSource.folder)
    return DbLocation(user_db_path(), DbSource.default)
