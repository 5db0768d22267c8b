"""Expanding events into dates: rules, exception dates, windows, and the month grid."""

import datetime as dt

import pytest

from events.models import EventExdate, EventPage
from events.occurrences import month_bounds, month_weeks

from .factories import TOKYO, at

# Building a page instance asks Wagtail for the default locale.
pytestmark = pytest.mark.django_db


def _event(**kwargs) -> EventPage:
    return EventPage(**{"title": "催し", **kwargs})


def _weekly(**kwargs) -> EventPage:
    return _event(
        start=at("2026-12-02", "17:00"), end=at("2026-12-02", "19:00"),
        frequency="weekly", weekdays="WE", **kwargs,
    )  # fmt: skip


def _dates(event: EventPage, start: str, end: str) -> list[str]:
    return [
        occ.start.strftime("%m-%d %H:%M")
        for occ in event.occurrences_between(at(start, "00:00"), at(end, "00:00"))
    ]


def test_weekly_occurrences_skip_exception_dates():
    event = _weekly()
    event.exdates = [EventExdate(date=dt.date(2026, 12, 16))]
    assert _dates(event, "2026-12-01", "2027-01-01") == [
        "12-02 17:00", "12-09 17:00", "12-23 17:00", "12-30 17:00",
    ]  # fmt: skip


def test_occurrences_keep_tokyo_wall_time_and_duration():
    occ = _weekly().occurrences_between(at("2026-12-08"), at("2026-12-10"))[0]
    assert occ.start == dt.datetime(2026, 12, 9, 17, 0, tzinfo=TOKYO)
    assert occ.start.utcoffset() == dt.timedelta(hours=9)
    assert occ.end - occ.start == dt.timedelta(hours=2)


def test_until_and_count_bound_the_series():
    until = _weekly(repeat_until=dt.date(2026, 12, 16))
    assert _dates(until, "2026-12-01", "2027-02-01") == [
        "12-02 17:00",
        "12-09 17:00",
        "12-16 17:00",
    ]
    counted = _weekly(repeat_count=2)
    assert _dates(counted, "2026-12-01", "2027-02-01") == ["12-02 17:00", "12-09 17:00"]


def test_every_other_week_on_two_days():
    event = _event(
        start=at("2026-12-01", "10:00"), frequency="weekly", interval=2, weekdays="TU,FR"
    )
    assert _dates(event, "2026-12-01", "2026-12-20") == [
        "12-01 10:00", "12-04 10:00", "12-15 10:00", "12-18 10:00",
    ]  # fmt: skip


def test_monthly_on_the_second_tuesday():
    event = _event(start=at("2026-12-08"), frequency="monthly", weekdays="TU", weeks_of_month="2")
    assert _dates(event, "2026-12-01", "2027-03-01") == [
        "12-08 10:00", "01-12 10:00", "02-09 10:00",
    ]  # fmt: skip


def test_monthly_on_the_same_date():
    event = _event(start=at("2026-12-15"), frequency="monthly")
    assert _dates(event, "2026-12-01", "2027-02-20") == [
        "12-15 10:00",
        "01-15 10:00",
        "02-15 10:00",
    ]


def test_an_occurrence_in_progress_overlaps_the_window():
    event = _event(start=at("2026-12-01", "08:00"), end=at("2026-12-01", "12:00"))
    assert len(event.occurrences_between(at("2026-12-01", "09:00"), at("2026-12-02"))) == 1
    assert event.occurrences_between(at("2026-12-01", "12:00"), at("2026-12-02")) == []


def test_all_day_events_span_their_days():
    event = _event(start=at("2026-12-30", "00:00"), end=at("2027-01-01", "00:00"), all_day=True)
    (occ,) = event.occurrences_between(at("2026-12-31", "15:00"), at("2027-01-05"))
    assert occ.days == [dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 1)]
    assert occ.finishes_at == at("2027-01-02", "00:00")


def test_next_occurrences_start_with_the_one_in_progress():
    event = _weekly()
    upcoming = event.next_occurrences(at("2026-12-09", "18:00"), 3)
    assert [occ.start.day for occ in upcoming] == [9, 16, 23]


@pytest.mark.parametrize(("year", "month"), [(2026, 12), (2027, 1), (2027, 2)])
def test_month_bounds_are_local_midnights(year, month):
    first, after = month_bounds(year, month, TOKYO)
    assert (first.day, first.hour, after.day) == (1, 0, 1)
    assert (after - first).days in {28, 31}


def test_month_grid_starts_on_sunday_and_places_each_occurrence_on_its_days():
    weekly = _weekly()
    festival = _event(
        title="祭り", start=at("2026-12-26", "00:00"), end=at("2026-12-27"), all_day=True
    )
    first, after = month_bounds(2026, 12, TOKYO)
    occurrences = [o for e in (weekly, festival) for o in e.occurrences_between(first, after)]
    weeks = month_weeks(2026, 12, occurrences, today=dt.date(2026, 12, 1), limit=1)
    assert weeks[0][0].date == dt.date(2026, 11, 29)  # a Sunday
    assert not weeks[0][0].in_month and weeks[0][0].occurrences == []
    days = {day.date: day for week in weeks for day in week}
    assert days[dt.date(2026, 12, 1)].is_today
    assert [o.event.title for o in days[dt.date(2026, 12, 9)].occurrences] == ["催し"]
    assert [o.event.title for o in days[dt.date(2026, 12, 26)].occurrences] == ["祭り"]
    assert [o.event.title for o in days[dt.date(2026, 12, 27)].occurrences] == ["祭り"]
    assert days[dt.date(2026, 12, 28)].occurrences == []
    assert (len(days[dt.date(2026, 12, 9)].shown), days[dt.date(2026, 12, 9)].more) == (1, 0)


def test_a_crowded_day_shows_the_first_few_and_counts_the_rest():
    first, after = month_bounds(2026, 12, TOKYO)
    events = [_event(title=f"催し{n}", start=at("2026-12-08", f"{8 + n:02d}:00")) for n in range(6)]
    occurrences = [o for e in events for o in e.occurrences_between(first, after)]
    weeks = month_weeks(2026, 12, occurrences, today=dt.date(2026, 12, 1), limit=4)
    (day,) = [d for week in weeks for d in week if d.date == dt.date(2026, 12, 8)]
    assert [o.event.title for o in day.shown] == ["催し0", "催し1", "催し2", "催し3"]
    assert day.more == 2
