"""Follow-up reminders move to the outbox: copy every ``Reminder`` row into ``outbox_message``
(pending ones to be sent by the outbox, the rest as history), then drop the table.

Each row keeps its key (one message per check-in and kind) and gets the placement as its topic,
as ``followups.services.reminders_for`` writes them. A pending row's lease is not carried over:
its Redis message named a task that no longer exists, so the outbox's sweep sends it.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone

BATCH = 2000


def to_outbox(apps, schema_editor):
    Reminder = apps.get_model("followups", "Reminder")
    Message = apps.get_model("outbox", "Message")
    now = timezone.now()
    ttl = dt.timedelta(hours=settings.OUTBOX_DEFAULT_TTL_HOURS)
    rows = []
    for reminder in Reminder.objects.select_related("checkin").order_by("pk").iterator(BATCH):
        kind = f"followups.{reminder.kind}"
        pending = reminder.status == "pending"
        rows.append(
            Message(
                kind=kind,
                object_id=str(reminder.checkin_id),
                key=f"{kind}:{reminder.checkin_id}",
                topic=f"placement:{reminder.checkin.placement_id}",
                status=reminder.status,  # pending, sent, failed and cancelled mean the same here
                due_at=reminder.due_at,
                next_attempt_at=reminder.due_at,
                expires_at=(max(reminder.due_at, now) if pending else reminder.due_at) + ttl,
                attempts=reminder.attempts,
                sent_at=reminder.sent_at,
                reason="" if pending else reminder.last_error,
                created_at=reminder.checkin.created_at,
            )
        )
        if len(rows) >= BATCH:
            Message.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Message.objects.bulk_create(rows, ignore_conflicts=True)


def from_outbox(apps, schema_editor):
    """Back to ``Reminder`` rows (states the old table lacks become their nearest)."""
    Reminder = apps.get_model("followups", "Reminder")
    CheckIn = apps.get_model("followups", "CheckIn")
    Message = apps.get_model("outbox", "Message")
    nearest = {"sending": "pending", "to_call": "failed", "called": "sent", "expired": "failed"}
    messages = Message.objects.filter(kind__startswith="followups.")
    existing = {str(pk) for pk in CheckIn.objects.values_list("pk", flat=True)}
    Reminder.objects.bulk_create(
        (
            Reminder(
                checkin_id=message.object_id,
                kind=message.kind.removeprefix("followups."),
                status=nearest.get(message.status, message.status),
                due_at=message.due_at,
                attempts=message.attempts,
                sent_at=message.sent_at,
                last_error=message.reason[:200],
            )
            for message in messages.iterator(BATCH)
            if message.object_id in existing
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    messages.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_outbox, from_outbox),
        migrations.DeleteModel(name="Reminder"),
    ]
