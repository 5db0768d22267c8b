"""An opportunity's schedule is derived from its shifts, and typed text may not contradict them.

Measured before: the demo's 子ども食堂 opportunity said 「毎週土曜のお昼」 in its summary while its
shifts fell on whatever weekday the demo was loaded (Thursdays that week).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from volunteers.models import Shift
from volunteers.schedule_text import schedule_lines, weekly_claims_without_shifts

from .factories import make_opportunity, volunteer_index
from .test_pages import _edit_data, _shift_form, editor_client  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026; the Thursdays after it are 3, 10 and 17 December.
TODAY = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
THURSDAYS = [dt.date(2026, 12, 3), dt.date(2026, 12, 10), dt.date(2026, 12, 17)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _shifts(dates, starts="09:00", ends="12:00") -> list[Shift]:
    return [
        Shift(
            date=day, starts_at=dt.time.fromisoformat(starts), ends_at=dt.time.fromisoformat(ends)
        )
        for day in dates
    ]


def test_shifts_a_week_apart_read_as_every_weekday():
    assert schedule_lines(_shifts(THURSDAYS)) == ["毎週木曜 9:00〜12:00（12月3日〜12月17日）"]


def test_irregular_dates_are_listed_with_their_times():
    dates = [dt.date(2026, 12, 3), dt.date(2026, 12, 19)]
    assert schedule_lines(_shifts(dates, "10:00", "13:00")) == [
        "12月3日（木）、12月19日（土） 10:00〜13:00"
    ]


def test_a_gap_in_the_weeks_is_not_called_weekly():
    dates = [dt.date(2026, 12, 3), dt.date(2026, 12, 17)]
    assert schedule_lines(_shifts(dates)) == ["12月3日（木）、12月17日（木） 9:00〜12:00"]


def test_weekly_runs_and_other_dates_are_in_date_order_and_long_lists_are_summed_up():
    weekly = _shifts(THURSDAYS)
    once = _shifts([dt.date(2026, 12, 2)], "13:00", "15:00")
    assert schedule_lines([*weekly, *once]) == [
        "12月2日（水） 13:00〜15:00",
        "毎週木曜 9:00〜12:00（12月3日〜12月17日）",
    ]
    many = [dt.date(2026, 12, 1) + dt.timedelta(days=3 * n) for n in range(7)]
    (line,) = schedule_lines(_shifts(many))
    assert line.endswith("12月13日（日） ほか2日 9:00〜12:00")
    assert schedule_lines([]) == []


def test_weekly_claims_are_checked_against_the_shifts_weekdays():
    assert weekly_claims_without_shifts("毎週土曜のお昼に", THURSDAYS) == ["毎週土曜"]
    assert weekly_claims_without_shifts("毎週　土曜日の朝", THURSDAYS) == ["毎週土曜"]
    assert weekly_claims_without_shifts("毎週木曜の朝に", THURSDAYS) == []
    assert weekly_claims_without_shifts("土曜はお休みです", THURSDAYS) == []


def test_the_page_and_the_section_show_the_schedule_from_the_shifts(client):
    page = make_opportunity(
        title="子ども食堂の配膳",
        shifts=[
            {"date": day, "starts_at": dt.time(10), "ends_at": dt.time(13)} for day in THURSDAYS
        ],
    )
    expected = "毎週木曜 10:00〜13:00（12月3日〜12月17日）"
    assert expected in client.get(page.url).content.decode()
    assert expected in client.get(volunteer_index().url).content.decode()


def test_past_shifts_do_not_count(client):
    page = make_opportunity(
        shifts=[
            {"date": dt.date(2026, 11, 26)},
            {"date": dt.date(2026, 12, 3)},
        ]
    )
    html = client.get(page.url).content.decode()
    assert "12月3日（木） 10:00〜12:00" in html and "11月26日" not in html


def test_a_summary_claiming_a_day_without_shifts_is_refused(editor_client):  # noqa: F811
    page = make_opportunity(shifts=[{"date": day} for day in THURSDAYS])
    shifts = [_shift_form(shift) for shift in page.shifts.order_by("date")]
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    refused = editor_client.post(url, {**_edit_data(page, shifts), "summary": "毎週土曜のお昼です"})

    assert refused.status_code == 200
    assert "「毎週土曜」とありますが" in refused.content.decode()
    page.refresh_from_db()
    assert page.summary == ""

    accepted = editor_client.post(
        url, {**_edit_data(page, shifts), "summary": "毎週木曜のお昼です"}
    )

    assert accepted.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().summary == "毎週木曜のお昼です"
