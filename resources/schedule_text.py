"""Schedules in plain words ("毎週土曜 10:00〜12:00") and the next dates a listing is held.

Residents read schedules, not RRULEs; older readers especially need the whole rule in one short
line. Wording lives in the message catalogue so another language can be added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
        text = _("%(weeks)s %(weekday)s %(period)s") % {**values, "weeks": _weeks_text(rule.weeks)}
    return _with_validity(text, rule.valid_from, rule.valid_until)


def _with_validity(text: str, valid_from: dt.date | None, valid_until: dt.date | None) -> str:
    if valid_from and valid_until:
        return _("%(rule)s (%(start)s to %(end)s)") % {
            "rule": text,
            "start": date_format(valid_from),
            "end": date_format(valid_until),
        }
    if valid_from:
        return _("%(rule)s (from %(start)s)") % {"rule": text, "start": date_format(valid_from)}
    if valid_until:
        return _("%(rule)s (until %(end)s)") % {"rule": text, "end": date_format(valid_until)}
    return text


def _days_text(weekdays: list[int]) -> str:
    """月〜金, 土・日, 月・水・金: three or more days in a row become a range."""
    runs: list[list[int]] = []
    for day in weekdays:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        names = [str(WEEKDAYS_ABBR[day]) for day in run]
        if len(run) >= 3:
            parts.append(_("%(start)s–%(end)s") % {"start": names[0], "end": names[-1]})
        else:
            parts.extend(names)
    return pgettext("list of weekdays", ", ").join(parts)


def _weeks_text(weeks: list[int]) -> str:
    return reduce(
        lambda done, week: _("%(weeks)s, %(week)s") % {"weeks": done, "week": week},
        [_week_text(week) for week in weeks],
    )


def schedule_lines(rules: Iterable[ScheduleRule]) -> list[str]:
    """The rules in as few lines as a notice board would use: 「月〜金 9:00〜17:00」.

    Rules that share their weeks of the month and validity are merged: days with the same
    periods form one line (consecutive days as a range), a day's several periods are listed
    together. A line that is one rule reads exactly as ``rule_text`` says it.
    """
    groups: dict[tuple, dict[int, list[ScheduleRule]]] = {}
    for rule in rules:
        key = (tuple(rule.weeks), rule.valid_from, rule.valid_until)
        groups.setdefault(key, {}).setdefault(rule.weekday, []).append(rule)
    lines: list[tuple[tuple[int, dt.time, int, str], str]] = []
    for (weeks, valid_from, valid_until), by_day in groups.items():
        by_periods: dict[tuple[tuple[dt.time, dt.time], ...], list[int]] = {}
        for weekday, day_rules in by_day.items():
            periods = tuple(sorted({(r.opens_at, r.closes_at) for r in day_rules}))
            by_periods.setdefault(periods, []).append(weekday)
        for periods, weekdays in by_periods.items():
            weekdays.sort()
            first = by_day[weekdays[0]][0]
            if len(weekdays) == 1 and len(periods) == 1:
                text = rule_text(first)
            else:
                text = _line_text(weekdays, periods, list(weeks))
                text = _with_validity(text, valid_from, valid_until)
            # Weekly before monthly, then by validity, where the first two are equal.
            lines.append(((weekdays[0], periods[0][0], len(weeks), str(valid_from)), text))
    return [text for _key, text in sorted(lines, key=lambda line: line[0])]


def _line_text(
    weekdays: list[int], periods: tuple[tuple[dt.time, dt.time], ...], weeks: list[int]
) -> str:
    period = pgettext("list of periods", ", ").join(
        period_text(opens_at, closes_at) for opens_at, closes_at in periods
    )
    if len(weekdays) == 1:
        values = {"weekday": WEEKDAY_NAMES[weekdays[0]], "period": period}
        if weeks:
            return _("%(weeks)s %(weekday)s %(period)s") % {**values, "weeks": _weeks_text(weeks)}
        return _("Every %(weekday)s %(period)s") % values
    values = {"days": _days_text(weekdays), "period": period}
    if weeks:
        return pgettext("schedule", "%(weeks)s %(days)s %(period)s") % {
            **values,
            "weeks": _weeks_text(weeks),
        }
    return pgettext("schedule", "%(days)s %(period)s") % values


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
