"""A real Celery worker over Redis: the hourly sweep, run by beat, reminds once and only once."""

import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.support.worker import celery_worker
from tsunagu.celery import app
from volunteers import tasks
from volunteers.models import Notice, SignUp

from .factories import VolunteerFactory, make_opportunity

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    """DATABASE_URL pointing at the test database this process created (test_<name>)."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_sends_each_reminder_once(redis_url):
    shift = make_opportunity().shifts.get()
    for _ in range(3):
        SignUp.objects.create(
            volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
        )
    app.conf.task_always_eager = False  # the autouse fixture restores it

    with celery_worker(redis_url=redis_url, database_url=_test_database_url()):
        tasks.send_shift_reminders.delay()
        tasks.send_shift_reminders.delay()  # beat firing twice, or a retried sweep
        delivered = _wait_for(
            lambda: Notice.objects.filter(delivered_at__isnull=False).count() == 3
        )

    assert delivered, list(Notice.objects.values("signup_id", "delivered_at"))
    assert Notice.objects.count() == 3
