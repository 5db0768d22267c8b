"""The move of ``Reminder`` rows into the outbox (followups/migrations/0002): what was waiting
is sent by the outbox, what was sent or failed stays as history, and the way back works."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followups import emails
from outbox.models import Message
from tests.support.migrations import latest_schema_afterwards  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("latest_schema_afterwards"),
]

BEFORE = ("followups", "0001_initial")
AFTER = ("followups", "0002_reminders_to_outbox")
FIELDS = ("kind", "object_id", "key", "topic", "due_at")


def migrate(target: tuple[str, str]):
    """Migrate followups to ``target``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


def followup_rows() -> dict[str, Message]:
    return {m.key: m for m in Message.objects.filter(kind__in=list(emails.KINDS))}


def test_reminders_move_into_the_outbox_and_back(placement):
    checkin = placement.checkins.get(offset_days=14)
    key = {kind: f"{kind}:{checkin.pk}" for kind in emails.KINDS}
    now = timezone.now()
    before = {k: tuple(getattr(m, f) for f in FIELDS) for k, m in followup_rows().items()}
    assert len(before) == 12
    try:
        old = migrate(BEFORE)
        Reminder = old.get_model("followups", "Reminder")
        assert Reminder.objects.count() == 12 and not followup_rows()
        mine = Reminder.objects.filter(checkin_id=checkin.pk)
        mine.filter(kind="coordinator").update(status="sent", sent_at=now, attempts=1)
        mine.filter(kind="host").update(
            status="failed", attempts=5, last_error="SMTPServerDisconnected"
        )
        leased = now + dt.timedelta(hours=1)
        mine.filter(kind="escalation").update(leased_until=leased, attempts=2)
    finally:
        migrate(AFTER)

    rows = followup_rows()
    assert {k: tuple(getattr(m, f) for f in FIELDS) for k, m in rows.items()} == before
    sent, failed = rows[key[emails.COORDINATOR]], rows[key[emails.HOST]]
    assert (sent.status, sent.sent_at, sent.attempts) == ("sent", now, 1)
    assert (failed.status, failed.reason) == ("failed", "SMTPServerDisconnected")
    waiting = rows[key[emails.ESCALATION]]
    # The lease is not carried over: the old task is gone, the outbox's sweep sends it.
    assert (waiting.status, waiting.next_attempt_at) == ("pending", waiting.due_at)
    assert waiting.expires_at > waiting.due_at and waiting.attempts == 2
    pending = [m for m in rows.values() if m.status == "pending"]
    assert len(pending) == 10 and all(m.next_attempt_at == m.due_at for m in pending)
