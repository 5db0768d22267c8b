"""A real Celery worker over Redis: reminders and thank-yous go out once through the outbox,
however many times the sweeps run, each with the Message-ID of its row."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox import services as outbox
from outbox import tasks as outbox_tasks
from outbox.models import Message
from tests.support.worker import celery_worker, wait_for, worker_database_url
from tsunagu.celery import app
from volunteers import emails, services, tasks
from volunteers.models import HoursEntry, SignUp

from .factories import VolunteerFactory, make_opportunity
from .mailbox import delivered

pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _sent(kind: str) -> int:
    return Message.objects.filter(kind=kind, status=Message.Status.SENT).count()


def test_the_worker_sends_each_reminder_and_thank_you_once(redis_url, tmp_path):
    upcoming = make_opportunity().shifts.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ended = make_opportunity(shifts=[{"date": yesterday}]).shifts.get()
    for shift, count in ((upcoming, 3), (ended, 2)):
        for _ in range(count):
            SignUp.objects.create(
                volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
            )
    app.conf.task_always_eager = False  # the autouse fixture restores it
    env = {
        "OUTBOX_EMAIL_BACKEND": "tests.volunteers.mailbox.FileBackend",
        "VOLUNTEERS_TEST_MAIL_DIR": str(tmp_path),
    }

    with celery_worker(redis_url=redis_url, database_url=worker_database_url(), extra_env=env):
        services.shift_reminders_schedule(shifts=[upcoming])
        reminders = Message.objects.filter(kind=emails.REMINDER)
        ten_the_day_before = max(reminders.values_list("due_at", flat=True))
        # The day before at ten: two sweeps here and two in the worker, as beat might.
        outbox.sweep(now=ten_the_day_before)
        outbox.sweep(now=ten_the_day_before)
        outbox_tasks.sweep.delay()
        tasks.send_shift_thanks.delay()
        tasks.send_shift_thanks.delay()  # beat firing twice, or a retried sweep
        outbox_tasks.sweep.delay()
        done = wait_for(lambda: _sent(emails.REMINDER) == 3 and _sent(emails.THANKS) == 2)

    rows = {str(m.pk): m for m in Message.objects.all()}
    assert done, list(Message.objects.values("kind", "status", "reason"))
    assert HoursEntry.objects.count() == 2
    mails = delivered(tmp_path)
    assert len(mails) == 5
    assert sorted(m["X-Tsunagu-Outbox"] for m in mails) == sorted(rows)
    for mail in mails:
        assert mail["Message-ID"] == rows[mail["X-Tsunagu-Outbox"]].message_id
