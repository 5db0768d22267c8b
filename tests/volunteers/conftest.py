"""Every volunteers test: tasks run in-process (even when REDIS_URL is set), a fresh cache; and
clocks for the tests that care when the day-before reminder falls due; a coordinator."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.utils import timezone

from outbox import services as outbox
from tsunagu.celery import app
from volunteers.services import REMINDER_AT


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    # With REDIS_URL set the suite would otherwise publish to a broker nobody consumes; the one
    # test that needs a real worker switches this back itself. Shared tasks run on the *current*
    # Celery app, and any Celery() made elsewhere (a worker probe) may have become current.
    app.set_current()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The link-email throttle counts in the cache; one test's emails must not throttle the next.
    cache.clear()


@pytest.fixture
def coordinator(django_user_model):
    """A volunteer coordinator: the register's, sign-ups' and hours' permissions, in no team."""
    group = Group.objects.create(name="ボランティア担当")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="volunteers",
            codename__in=[
                "add_volunteer",
                "change_volunteer",
                "view_volunteer",
                "view_signup",
                "change_signup",
                "add_hoursentry",
                "change_hoursentry",
                "view_hoursentry",
            ],
        ),
    )
    user = django_user_model.objects.create_user("coord", "coord@example.jp", "pw")
    user.groups.add(group)
    return user


def local(day: dt.date, time: dt.time) -> dt.datetime:
    """An aware datetime at ``time`` on ``day``, in the town's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, time))


@pytest.fixture
def morning() -> Iterator[dt.datetime]:
    """Today before the reminder hour (the clock ticks on): tomorrow's reminders are not due
    yet, so a sign-up sends its confirmation alone, whatever time the suite runs."""
    at = local(timezone.localdate(), dt.time(REMINDER_AT.hour - 2))
    with time_machine.travel(at, tick=True):
        yield at


@pytest.fixture
def evening() -> Iterator[dt.datetime]:
    """Today after the reminder hour: a sign-up for tomorrow is reminded at once."""
    at = local(timezone.localdate(), dt.time(20))
    with time_machine.travel(at, tick=True):
        yield at


def send_due(at: dt.datetime) -> dict[str, int]:
    """Run the outbox's sweep as it would run at ``at``: what is due then is sent."""
    with time_machine.travel(at, tick=True):
        return dict(outbox.sweep())
