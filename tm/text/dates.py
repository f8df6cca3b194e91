"""Dates typed by people (``--date``, ``--since``, a document's date in a TMX prop or the desk)."""

from __future__ import annotations

import re

from tm.errors import TMError

_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def check_date(value: str | None, option: str) -> str | None:
    """``value`` if it is a real YYYY-MM-DD date, else a :class:`TMError` naming ``option``."""
    if value is None:
        return None
    from datetime import date

    try:
        if _DATE.fullmatch(value):
            date.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise TMError(f"{option} {value!r} is not a date: use YYYY-MM-DD")
