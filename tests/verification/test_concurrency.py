"""Two sweeps at once (two beat schedulers, or a retry overlapping the next run): every due
listing is claimed by exactly one of them and its operator gets one email (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from verification import services
from verification.models import VerificationReminder

from .conftest import REMIND_CUTOFF, TODAY
from .factories import operator, place

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.fullstack
@pytest.mark.skipif(not POSTGRES, reason="row locks need PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_claim_and_send_each_reminder_once(now, monkeypatch):
    salon = operator("salon@example.jp")
    listings = [place(REMIND_CUTOFF, salon) for _ in range(5)]
    npo = operator("npo@example.jp")
    listings += [place(REMIND_CUTOFF, npo) for _ in range(3)]
    mail.outbox = []
    first_inserted = threading.Event()
    original = services._insert_claimed

    def slow_insert(rows, token):
        # The first sweep holds its row locks and uncommitted reminders while the second runs.
        ids = original(rows, token)
        if threading.current_thread().name == "first":
            first_inserted.set()
            second_done.wait(timeout=10)
        return ids

    second_done = threading.Event()
    monkeypatch.setattr(services, "_insert_claimed", slow_insert)
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def sweep(name: str) -> None:
        try:
            claimed[name] = services.reminders_claim(today=TODAY)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            if name == "second":
                second_done.set()
            connection.close()

    first = threading.Thread(target=sweep, args=("first",), name="first")
    second = threading.Thread(target=sweep, args=("second",), name="second")
    first.start()
    assert first_inserted.wait(timeout=20)
    second.start()
    second.join(timeout=30)
    first.join(timeout=30)

    assert errors == []
    assert len(claimed["first"]) == len(listings)
    assert claimed["second"] == []  # it skipped the rows the first sweep had locked
    assert VerificationReminder.objects.count() == len(listings)
    assert sorted(m.to[0] for m in mail.outbox) == ["npo@example.jp", "salon@example.jp"]
    # And a sweep after both finds nothing left to claim.
    assert services.reminders_claim(today=TODAY) == []
