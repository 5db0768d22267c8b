"""Verification tests run at a fixed moment in Tokyo: 2026-12-01 09:00."""

import datetime as dt

import pytest
import time_machine

TOKYO = dt.timezone(dt.timedelta(hours=9), "JST")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
TODAY = NOW.date()
# Six months before TODAY: verified on this day or earlier means a reminder is due.
REMIND_CUTOFF = dt.date(2026, 6, 1)
# Seven months before TODAY: verified on this day or earlier means the listing is stale.
STALE_CUTOFF = dt.date(2026, 5, 1)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
