"""Races on PostgreSQL: the last slot, and two reminder sweeps at once.

Real threads with their own connections and transactions; SQLite serialises writers, so these
prove nothing there and are skipped (``fullstack``) unless DATABASE_URL selects PostgreSQL.
"""

import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from volunteers import services
from volunteers.models import Notice, SignUp, Volunteer

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


def test_concurrent_sweeps_claim_each_sign_up_once():
    shift = make_opportunity(shifts=[{"slots": 50}]).shifts.get()
    for _ in range(40):
        SignUp.objects.create(
            volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
        )

    results = _race(lambda i: services.signup_reminders_claim(), n=4)

    assert not [r for r in results if isinstance(r, (Exception, ValidationError))], results
    assert sum(results) == 40
    assert Notice.objects.count() == 40
    # Deliveries were queued on commit and ran in-process: one email per volunteer.
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(
        Volunteer.objects.filter(signups__shift=shift).values_list("email", flat=True)
    )


def test_sweeps_racing_batch_by_batch_never_claim_twice(monkeypatch):
    """Small batches make sweeps meet often: one may be granted a row's lock only after another
    committed that row's notice, which its locking statement's snapshot predates."""
    monkeypatch.setattr(services, "CLAIM_BATCH", 3)
    shift = make_opportunity(shifts=[{"slots": 200}]).shifts.get()
    SignUp.objects.bulk_create(
        SignUp(volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED)
        for _ in range(120)
    )

    results = _race(lambda i: services.signup_reminders_claim(), n=RACERS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 120
    assert Notice.objects.count() == 120
    assert len(mail.outbox) == 120
