"""Which database file a command uses, the same rule from any folder.

1. ``--db PATH``; 2. ``$DIPTYCH_DB``; either may be a PostgreSQL URI (``postgresql://...``); 3. a ``diptych.db`` in the current folder or a parent;
4. ``diptych.db`` in the user's data folder (``platformdirs``, e.g. ``~/.local/share/diptych``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tm.store.types import DbLocation, DbSource

DEFAULT_DB = "diptych.db"  # the rule in one line, for help texts: tm.choices.RULE (light to import)


def user_db_path() -> Path:
    """The default database in the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("diptych", appauthor=False) / DEFAULT_DB


def is_uri(db: str | Path | None) -> bool:
    """Whether ``db`` names a PostgreSQL database (a libpq URI) rather than a file."""
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def shown(uri: str) -> str:
    """A URI without its password, for messages."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@/]*@", r"\1@", uri)


def _named(db: str | Path, source: DbSource) -> DbLocation:
    if is_uri(db):
        return DbLocation(Path(shown(str(db))), source, uri=str(db))
    return DbLocation(Path(db).expanduser(), source)


def locate(db: str | Path | None = None, *, cwd: Path | None = None) -> DbLocation:
    """The database to use (see the module docstring)."""
    if db is not None and str(db):
        return _named(db, DbSource.option)
    env = os.environ.get("DIPTYCH_DB")
    if env:
        return _named(env, DbSource.env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_DB
        if candidate.is_file():
            return DbLocation(candidate if folder != here else Path(DEFAULT_DB), DbSource.folder)
    return DbLocation(user_db_path(), DbSource.default)
