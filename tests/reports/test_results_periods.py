"""Fiscal years (April to March) and their months; bounds in Japan time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reports.results.periods import Period, fiscal_year_of

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "year"),
    [("2027-03-31", 2026), ("2027-04-01", 2027), ("2026-12-31", 2026), ("2027-01-01", 2026)],
)
def test_a_day_belongs_to_the_fiscal_year_that_began_the_april_before(day, year):
    assert fiscal_year_of(dt.date.fromisoformat(day)) == year


def test_a_fiscal_year_runs_from_1_april_to_31_march():
    year = Period(2026)
    assert (year.start, year.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert year.label == "2026年度"
    assert [m.month for m in year.months()] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    assert year.months()[-1] == dt.date(2027, 3, 1)


def test_a_month_of_the_year_is_in_the_right_calendar_year():
    # January to March belong to the year after the fiscal year's number; Feb 2028 is a leap month
    assert (Period(2026, 5).start, Period(2026, 5).end) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
    )
    assert (Period(2026, 2).start, Period(2026, 2).end) == (
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 28),
    )
    assert Period(2027, 2).end == dt.date(2028, 2, 29)
    assert Period(2026, 12).end == dt.date(2026, 12, 31)
    assert Period(2026, 3).label == "2026年度 2027年3月"
    assert Period(2026, 3).months() == [dt.date(2027, 3, 1)]


def test_timestamps_are_bounded_by_midnight_in_japan():
    since, until = Period(2026).moments()
    assert since == dt.datetime(2026, 4, 1, tzinfo=TOKYO)
    assert until == dt.datetime(2027, 4, 1, tzinfo=TOKYO)
    # 00:30 on 1 April in Japan is still 31 March in UTC, and in the year
    assert since <= dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC) < until
