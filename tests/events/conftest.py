"""Events tests run at a fixed moment in Tokyo, with a calendar page ready."""

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from tsunagu.celery import app as celery_app

from .factories import at, calendar_page

# A Tuesday morning: 2026-12-01 09:00 in Tokyo.
NOW = at("2026-12-01", "09:00")


@pytest.fixture
def now() -> dt.datetime:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def calendar(db, now):
    return calendar_page()


@contextlib.contextmanager
def eager_celery() -> Iterator[None]:
    """Run Celery tasks in-process even when REDIS_URL configures a broker (the full-stack run)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.fixture
def eager_tasks():
    with eager_celery():
        yield
