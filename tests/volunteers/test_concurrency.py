"""Races on PostgreSQL: the last slot, thank-you sweeps at once, reminders queued at once.

Real threads with their own connections and transactions; SQLite serialises writers, so these
prove nothing there and are skipped (``fullstack``) unless DATABASE_URL selects PostgreSQL.
"""

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from outbox.models import Message
from volunteers import emails, services
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

# Transactional: the racing threads need committed rows (tests/conftest.py restores migration data).
pytestmark = [
    pytest.mark.fullstack,
    pytest.mark.django_db(transaction=True),
]

RACERS = 8


def _race(work: Callable[[int], object], n: int = RACERS) -> list[object]:
    """Run ``work(i)`` in n threads released together; return results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — reported to the test, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_racing_for_the_last_slot_confirms_exactly_one():
    shift = make_opportunity(shifts=[{"slots": 1}]).shifts.get()
    volunteers = [VolunteerFactory() for _ in range(RACERS)]

    results = _race(lambda i: services.signup_create(volunteer=volunteers[i], shift=shift))

    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(SignUp.objects.filter(shift=shift).values_list("status", flat=True))
    assert statuses.count(SignUp.Status.CONFIRMED) == 1
    assert statuses.count(SignUp.Status.WAITLISTED) == RACERS - 1


def test_the_same_volunteer_clicking_twice_at_once_gets_one_sign_up():
    shift = make_opportunity(shifts=[{"slots": 5}]).shifts.get()
    volunteer = VolunteerFactory()

    _race(lambda i: services.signup_create(volunteer=volunteer, shift=shift), n=4)

    assert SignUp.objects.filter(volunteer=volunteer).count() == 1


def _ended_shift(slots: int):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return make_opportunity(shifts=[{"slots": slots, "date": yesterday}]).shifts.get()


def test_concurrent_thanks_sweeps_log_and_thank_each_sign_up_once():
    shift = _ended_shift(50)
    for _ in range(40):
        SignUp.objects.create(
            volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
        )

    results = _race(lambda i: services.signup_thanks_claim(), n=4)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 40
    assert HoursEntry.objects.count() == 40
    assert Message.objects.filter(kind=emails.THANKS).count() == 40
    # Each sweep rang the outbox after commit, in-process: one email per volunteer.
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(
        Volunteer.objects.filter(signups__shift=shift).values_list("email", flat=True)
    )


def test_thanks_sweeps_racing_batch_by_batch_never_claim_twice(monkeypatch):
    """Small batches make sweeps meet often: one may be granted a row's lock only after another
    committed that row as logged, which PostgreSQL re-checks before handing it over."""
    monkeypatch.setattr(services, "CLAIM_BATCH", 3)
    shift = _ended_shift(200)
    SignUp.objects.bulk_create(
        SignUp(volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED)
        for _ in range(120)
    )

    results = _race(lambda i: services.signup_thanks_claim(), n=RACERS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 120
    assert HoursEntry.objects.count() == 120
    assert Message.objects.filter(kind=emails.THANKS).count() == 120
    assert len(mail.outbox) == 120


def test_racing_sign_ups_and_republishing_queue_one_reminder_each():
    shift = make_opportunity(
        shifts=[{"slots": RACERS, "date": timezone.localdate() + dt.timedelta(days=5)}]
    ).shifts.get()
    volunteers = [VolunteerFactory() for _ in range(RACERS)]

    _race(lambda i: services.signup_create(volunteer=volunteers[i], shift=shift))
    results = _race(lambda i: services.shift_reminders_schedule(shifts=[shift]))

    assert not [r for r in results if isinstance(r, Exception)], results
    reminders = Message.objects.filter(kind=emails.REMINDER)
    assert reminders.count() == RACERS
    assert sorted(reminders.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in SignUp.objects.filter(shift=shift).values_list("pk", flat=True)
    )
    assert set(reminders.values_list("status", flat=True)) == {Message.Status.PENDING}
