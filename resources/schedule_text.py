"""Schedules in plain words ("毎週土曜 10:00〜12:00") and the next dates a listing is held.

Residents read schedules, not RRULEs; older readers especially need the whole rule in one short
line. Wording lives in the message catalogue so another language can be added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models.schedules import WEEKDAY_CHOICES, ScheduleException, ScheduleRule

WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)
# Far enough ahead that a monthly rule yields five dates, near enough to stay cheap.
OCCURRENCE_HORIZON = dt.timedelta(days=200)


def time_text(value: dt.time) -> str:
    """9:00 rather than 09:00: how times are written on Japanese notices."""
    return f"{value.hour}:{value.minute:02d}"


def period_text(opens_at: dt.time, closes_at: dt.time) -> str:
    """From–until in the notation of the current language (10:00〜12:00 in Japanese)."""
    return _("%(start)s–%(end)s") % {"start": time_text(opens_at), "end": time_text(closes_at)}


def _week_text(week: int) -> str:
    if week < 0:
        return _("last week of the month")
    return _("week %(number)s of the month") % {"number": week}


def rule_text(rule: ScheduleRule) -> str:
    """One rule as a resident would say it: 毎週土曜 10:00〜12:00, 第2・第4水曜 13:30〜15:00."""
    values = {
        "weekday": WEEKDAY_NAMES[rule.weekday],
        "period": period_text(rule.opens_at, rule.closes_at),
    }
    if not rule.weeks:
        text = _("Every %(weekday)s %(period)s") % values
    else:
        weeks = reduce(
            lambda done, week: _("%(weeks)s, %(week)s") % {"weeks": done, "week": week},
            [_week_text(week) for week in rule.weeks],
        )
        text = _("%(weeks)s %(weekday)s %(period)s") % {**values, "weeks": weeks}
    if rule.valid_from and rule.valid_until:
        return _("%(rule)s (%(start)s to %(end)s)") % {
            "rule": text,
            "start": date_format(rule.valid_from),
            "end": date_format(rule.valid_until),
        }
    if rule.valid_from:
        return _("%(rule)s (from %(start)s)") % {
            "rule": text,
            "start": date_format(rule.valid_from),
        }
    if rule.valid_until:
        return _("%(rule)s (until %(end)s)") % {"rule": text, "end": date_format(rule.valid_until)}
    return text


def current_rules(rules: Iterable[ScheduleRule], today: dt.date) -> list[ScheduleRule]:
    """Rules not yet over, in weekday and time order (works on prefetched rules: no query)."""
    return sorted(
        (rule for rule in rules if rule.valid_until is None or rule.valid_until >= today),
        key=lambda rule: (rule.weekday, rule.opens_at),
    )


@dataclass(frozen=True)
class Occurrence:
    """One date a listing is held; ``changed`` when an exception moved its times."""

    date: dt.date
    opens_at: dt.time
    closes_at: dt.time
    changed: bool = False
    note: str = ""

    @property
    def period(self) -> str:
        return period_text(self.opens_at, self.closes_at)


def next_occurrences(
    rules: Iterable[ScheduleRule],
    exceptions: Iterable[ScheduleException],
    *,
    start: dt.date,
    count: int = 5,
) -> list[Occurrence]:
    """The next ``count`` dates from ``start``: closed days left out, changed times shown.

    An exception that is not closed replaces that day's sessions with its own times (and adds
    the day when no rule falls on it), since that is how operators announce a one-off change.
    """
    until = start + OCCURRENCE_HORIZON
    by_date: dict[dt.date, list[Occurrence]] = {}
    for rule in rules:
        for day in rule.occurrences(start, until):
            by_date.setdefault(day, []).append(
                Occurrence(day, rule.opens_at, rule.closes_at, note=rule.note)
            )
    for exception in exceptions:
        if not start <= exception.date <= until:
            continue
        if exception.closed:
            by_date.pop(exception.date, None)
        elif exception.opens_at and exception.closes_at:
            by_date[exception.date] = [
                Occurrence(
                    exception.date,
                    exception.opens_at,
                    exception.closes_at,
                    changed=True,
                    note=exception.note,
                )
            ]
    occurrences = sorted(
        (occurrence for day in by_date.values() for occurrence in day),
        key=lambda occurrence: (occurrence.date, occurrence.opens_at),
    )
    return occurrences[:count]
