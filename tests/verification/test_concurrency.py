"""Two sweeps at once (two beat schedulers, or a run overlapping the next): every due listing
is claimed by exactly one of them, each operator gets one outbox message and one email, and
nothing claimed is left unsent (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from outbox import services as outbox
from outbox.models import Message
from verification import emails, services
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
    messages = Message.objects.filter(kind=emails.KIND)
    assert messages.count() == 2
    assert set(messages.values_list("status", flat=True)) == {Message.Status.SENT}
    assert not VerificationReminder.objects.filter(message__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["npo@example.jp", "salon@example.jp"]
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 2
    # And sweeps after both find nothing left to claim or to send.
    assert services.reminders_claim(today=TODAY) == []
    assert outbox.sweep()["claimed"] == 0
    assert len(mail.outbox) == 2
