"""Schedules in as few lines as a notice board uses: 「月〜金 9:00〜17:00」, not one line a day."""

import datetime as dt

import pytest

from resources.models import ScheduleRule
from resources.schedule_text import schedule_lines

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = (MON, TUE, WED, THU, FRI)


def rules(days, opens: str, closes: str, **extra) -> list[ScheduleRule]:
    return [
        ScheduleRule(
            weekday=day,
            opens_at=dt.time.fromisoformat(opens),
            closes_at=dt.time.fromisoformat(closes),
            **extra,
        )
        for day in days
    ]


@pytest.mark.parametrize(
    ("schedule", "lines"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(rules([SAT], "10:00", "12:00"), ["毎週土曜 10:00〜12:00"], id="one rule"),
        pytest.param(rules(WEEKDAYS, "09:00", "17:00"), ["月〜金 9:00〜17:00"], id="weekdays"),
        pytest.param(
            rules(WEEKDAYS, "08:30", "12:00") + rules(WEEKDAYS, "13:00", "17:15"),
            ["月〜金 8:30〜12:00、13:00〜17:15"],
            id="two sessions a day, ten rules, one line",
        ),
        pytest.param(
            rules(WEEKDAYS, "09:00", "17:00") + rules([SAT], "09:00", "12:00"),
            ["月〜金 9:00〜17:00", "毎週土曜 9:00〜12:00"],
            id="saturday mornings apart",
        ),
        pytest.param(rules([SAT, SUN], "10:00", "15:00"), ["土・日 10:00〜15:00"], id="two days"),
        pytest.param(
            rules([MON, WED, FRI], "10:00", "11:00"), ["月・水・金 10:00〜11:00"], id="no run"
        ),
        pytest.param(
            rules([MON, TUE, WED, FRI, SAT], "10:00", "11:00"),
            ["月〜水・金・土 10:00〜11:00"],
            id="a run and two days",
        ),
        pytest.param(
            rules([TUE, FRI], "10:00", "12:00") + rules([TUE], "13:00", "15:00"),
            ["毎週火曜 10:00〜12:00、13:00〜15:00", "毎週金曜 10:00〜12:00"],
            id="different periods stay apart",
        ),
        pytest.param(
            rules([SAT], "13:00", "15:00") + rules([SAT], "10:00", "12:00"),
            ["毎週土曜 10:00〜12:00、13:00〜15:00"],
            id="periods in time order",
        ),
        pytest.param(
            rules([TUE, THU], "13:30", "15:00", weeks_of_month="2,4"),
            ["第2・第4 火・木 13:30〜15:00"],
            id="monthly days merged",
        ),
        pytest.param(
            rules([WED], "13:30", "15:00", weeks_of_month="2,4") + rules([WED], "13:30", "15:00"),
            ["毎週水曜 13:30〜15:00", "第2・第4水曜 13:30〜15:00"],
            id="weekly and monthly never merged",
        ),
        pytest.param(
            rules([MON, TUE, WED], "10:00", "11:00", valid_until=dt.date(2027, 3, 31))
            + rules([THU], "10:00", "11:00"),
            ["月〜水 10:00〜11:00（2027年3月31日まで）", "毎週木曜 10:00〜11:00"],
            id="a validity period keeps its rules apart",
        ),
        pytest.param(
            rules([SAT, FRI, THU], "18:00", "20:00"), ["木〜土 18:00〜20:00"], id="order given"
        ),
        pytest.param(
            rules([SUN], "10:00", "12:00") + rules(WEEKDAYS, "09:00", "17:00"),
            ["月〜金 9:00〜17:00", "毎週日曜 10:00〜12:00"],
            id="lines in weekday order",
        ),
        pytest.param(
            rules([MON], "09:00", "17:00") + rules([MON], "09:00", "17:00"),
            ["毎週月曜 9:00〜17:00"],
            id="duplicates once",
        ),
    ],
)
def test_schedule_lines(schedule: list[ScheduleRule], lines: list[str]) -> None:
    assert schedule_lines(schedule) == lines


def test_thirteen_rules_become_two_lines() -> None:
    """What the issue measured: an office open weekdays and Saturday morning took 13 lines."""
    schedule = (
        rules(WEEKDAYS, "08:30", "12:00")
        + rules(WEEKDAYS, "13:00", "17:15")
        + rules([SAT], "09:00", "12:00")
        + rules([SUN], "09:00", "12:00")
        + rules([SUN], "13:00", "15:00")
    )
    assert len(schedule) == 13
    assert schedule_lines(schedule) == [
        "月〜金 8:30〜12:00、13:00〜17:15",
        "毎週土曜 9:00〜12:00",
        "毎週日曜 9:00〜12:00、13:00〜15:00",
    ]
