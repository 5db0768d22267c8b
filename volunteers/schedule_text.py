"""An opportunity's schedule in words, derived from its shifts: 毎週木曜 9:00〜12:00, or its dates.

A schedule typed into the summary goes stale and ends up contradicting the shifts (「毎週土曜」
above shifts on Thursdays). So the words come from the shifts themselves, and saving a page whose
summary or body claims a weekly day that none of its shifts falls on is refused
(``weekly_claims_without_shifts``). A shift's own note stays beside its date.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resources.schedule_text import WEEKDAY_NAMES, period_text

if TYPE_CHECKING:
    from .models import Shift

# Past this many dates an irregular run is summed up ("and N more days").
DATES_SHOWN = 5
WEEK = dt.timedelta(days=7)


def _day(value: dt.date) -> str:
    """12月3日（木）"""
    return _("%(date)s (%(weekday)s)") % {
        "date": date_format(value, "MONTH_DAY_FORMAT"),
        "weekday": date_format(value, "D"),
    }


def _is_weekly(dates: list[dt.date]) -> bool:
    return len(dates) > 1 and all(b - a == WEEK for a, b in zip(dates, dates[1:], strict=False))


def schedule_lines(shifts: Iterable[Shift]) -> list[str]:
    """The shifts as a resident reads them, soonest first: a run of the same weekday and times
    a week apart is one line (毎週木曜 9:00〜12:00（12月3日〜12月17日）); other dates with the
    same times are listed together (12月3日（木）、12月19日（土） 9:00〜12:00)."""
    runs: dict[tuple[int, dt.time, dt.time], list[dt.date]] = defaultdict(list)
    for shift in shifts:
        runs[(shift.date.weekday(), shift.starts_at, shift.ends_at)].append(shift.date)
    weekly: list[tuple[dt.date, str]] = []
    others: dict[tuple[dt.time, dt.time], list[dt.date]] = defaultdict(list)
    for (weekday, starts, ends), dates in runs.items():
        dates = sorted(set(dates))
        if not _is_weekly(dates):
            others[(starts, ends)].extend(dates)
            continue
        rule = _("Every %(weekday)s %(period)s") % {
            "weekday": WEEKDAY_NAMES[weekday],
            "period": period_text(starts, ends),
        }
        line = _("%(rule)s (%(start)s to %(end)s)") % {
            "rule": rule,
            "start": date_format(dates[0], "MONTH_DAY_FORMAT"),
            "end": date_format(dates[-1], "MONTH_DAY_FORMAT"),
        }
        weekly.append((dates[0], line))
    for (starts, ends), dates in others.items():
        dates = sorted(set(dates))
        listed = pgettext("list of dates", ", ").join(_day(day) for day in dates[:DATES_SHOWN])
        if len(dates) > DATES_SHOWN:
            listed = _("%(dates)s and %(count)d more days") % {
                "dates": listed,
                "count": len(dates) - DATES_SHOWN,
            }
        weekly.append((dates[0], f"{listed} {period_text(starts, ends)}"))
    return [line for _first, line in sorted(weekly, key=lambda pair: pair[0])]


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def weekly_claims_without_shifts(text: str, dates: Iterable[dt.date]) -> list[str]:
    """The "every <weekday>" phrases (in the active language: 毎週土曜) that ``text`` makes
    about days none of ``dates`` falls on."""
    held = {day.weekday() for day in dates}
    compact = _compact(text)
    claims = []
    for weekday, name in WEEKDAY_NAMES.items():
        claim = _("Every %(weekday)s") % {"weekday": name}
        if weekday not in held and _compact(claim) in compact:
            claims.append(claim)
    return claims
