"""Report periods: a fiscal year (年度, April to March) or one month of it.

A period is a closed range of dates. Timestamps (a proposal's ``sent_at``, a plan's
``created_at``) are compared with the period's bounds as midnight in the town's time zone, so a
proposal sent at 23:30 on 31 March belongs to the year it was sent in, Japan time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from tsunagu.dates import MAX_YEAR, MIN_YEAR

FIRST_MONTH = 4  # 年度 starts in April
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a day belongs to: 31 March 2027 is in 2026年度, 1 April 2027 in 2027."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def is_plausible_fiscal_year(year: int) -> bool:
    """A year whose April and following March both lie in the years served."""
    return MIN_YEAR <= year < MAX_YEAR


@dataclass(frozen=True)
class Period:
    """``start`` to ``end`` inclusive, in a fiscal year; ``month`` is set for a one-month period."""

    fiscal_year: int
    month: int | None = None

    @property
    def start(self) -> dt.date:
        if self.month is None:
            return dt.date(self.fiscal_year, FIRST_MONTH, 1)
        return dt.date(self._calendar_year(self.month), self.month, 1)

    @property
    def end(self) -> dt.date:
        if self.month is None:
            return dt.date(self.fiscal_year + 1, FIRST_MONTH, 1) - dt.timedelta(days=1)
        following = self.start.replace(day=28) + dt.timedelta(days=4)
        return following.replace(day=1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        year = _("FY%(year)d") % {"year": self.fiscal_year}
        if self.month is None:
            return year
        month = formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        return _("%(fiscal_year)s, %(month)s") % {"fiscal_year": year, "month": month}

    def months(self) -> list[dt.date]:
        """The first day of each month in the period, in order."""
        if self.month is not None:
            return [self.start]
        return [dt.date(self._calendar_year(month), month, 1) for month in FISCAL_MONTHS]

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: midnight starting the first day and after the last."""
        zone = ZoneInfo(settings.TIME_ZONE)
        first = dt.datetime.combine(self.start, dt.time(), zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), zone)
        return first, after

    def _calendar_year(self, month: int) -> int:
        return self.fiscal_year if month >= FIRST_MONTH else self.fiscal_year + 1
