"""Schedules read the way a notice on a community board would put them."""

import datetime as dt

import pytest

from resources.models import ScheduleException, ScheduleRule
from resources.schedule_text import current_rules, next_occurrences, rule_text

SAT, WED = 5, 2


def rule(weekday: int, opens: str, closes: str, **extra) -> ScheduleRule:
    return ScheduleRule(
        weekday=weekday,
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        **extra,
    )


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (rule(SAT, "10:00", "12:00"), "毎週土曜 10:00〜12:00"),
        (rule(WED, "13:30", "15:00", weeks_of_month="2,4"), "第2・第4水曜 13:30〜15:00"),
        (rule(0, "09:00", "11:30", weeks_of_month="1"), "第1月曜 9:00〜11:30"),
        (rule(4, "18:00", "20:00", weeks_of_month="-1"), "最終金曜 18:00〜20:00"),
        (rule(6, "10:00", "11:00", weeks_of_month="4、2"), "第2・第4日曜 10:00〜11:00"),
    ],
)
def test_rule_in_plain_japanese(schedule: ScheduleRule, text: str) -> None:
    assert rule_text(schedule) == text


def test_rule_with_a_validity_period_says_so() -> None:
    schedule = rule(
        SAT, "10:00", "12:00", valid_from=dt.date(2026, 4, 1), valid_until=dt.date(2027, 3, 31)
    )
    assert rule_text(schedule) == "毎週土曜 10:00〜12:00（2026年4月1日〜2027年3月31日）"
    assert rule_text(rule(SAT, "10:00", "12:00", valid_until=dt.date(2027, 3, 31))) == (
        "毎週土曜 10:00〜12:00（2027年3月31日まで）"
    )


def test_current_rules_drop_ended_ones_and_sort_by_day() -> None:
    today = dt.date(2026, 11, 27)
    ended = rule(0, "10:00", "11:00", valid_until=dt.date(2026, 11, 1))
    saturday, monday = rule(SAT, "10:00", "12:00"), rule(0, "13:00", "14:00")
    assert current_rules([saturday, ended, monday], today) == [monday, saturday]


def test_next_occurrences_skip_closed_days_and_show_changed_times() -> None:
    start = dt.date(2026, 11, 27)  # a Friday
    exceptions = [
        ScheduleException(date=dt.date(2026, 12, 5), closed=True),
        ScheduleException(
            date=dt.date(2026, 12, 12),
            closed=False,
            opens_at=dt.time(13, 0),
            closes_at=dt.time(15, 0),
            note="午後に変更",
        ),
    ]
    dates = next_occurrences([rule(SAT, "10:00", "12:00")], exceptions, start=start)
    assert [o.date for o in dates] == [
        dt.date(2026, 11, 28),
        dt.date(2026, 12, 12),
        dt.date(2026, 12, 19),
        dt.date(2026, 12, 26),
        dt.date(2027, 1, 2),
    ]
    changed = dates[1]
    assert changed.changed and changed.period == "13:00〜15:00" and changed.note == "午後に変更"
    assert not dates[0].changed and dates[0].period == "10:00〜12:00"


def test_next_occurrences_of_a_monthly_rule_follow_the_weeks() -> None:
    dates = next_occurrences(
        [rule(WED, "13:30", "15:00", weeks_of_month="2,4")], [], start=dt.date(2026, 11, 27)
    )
    assert [o.date for o in dates] == [
        dt.date(2026, 12, 9),
        dt.date(2026, 12, 23),
        dt.date(2027, 1, 13),
        dt.date(2027, 1, 27),
        dt.date(2027, 2, 10),
    ]


def test_no_rules_no_dates() -> None:
    assert next_occurrences([], [], start=dt.date(2026, 11, 27)) == []
