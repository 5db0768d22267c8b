"""Dates typed into URLs and query strings: impossible or absurd ones are refused (404/400).

Python's dates stop at year 9999 and the databases' somewhere else; a day or a time zone added
to a date near either end overflows. A town's calendar and open data need neither end, so
anything outside ``MIN_YEAR``–``MAX_YEAR`` is treated like 2 月 30 日: not a date at all.
"""

from __future__ import annotations

import datetime as dt

MIN_YEAR = 1900
MAX_YEAR = 2200


def plausible_date(year: int, month: int, day: int = 1) -> dt.date | None:
    """The date, or None when it does not exist or lies outside the years served."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def is_plausible(moment: dt.date) -> bool:
    """A parsed date or datetime within the years served."""
    return MIN_YEAR <= moment.year <= MAX_YEAR
