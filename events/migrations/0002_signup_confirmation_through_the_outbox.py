"""Sign-up confirmations are sent through the outbox: ``confirmation_sent_at`` was only the old
sender's bookkeeping, so it goes.

First, confirmations the old sender had not sent (a lost or given-up task) for sign-ups that
are still active, have an email address and whose event has not started are copied into the
outbox, so the outbox's sweep sends them.
"""

from django.db import migrations
from django.utils import timezone

KIND = "events.signup_confirmation"


def copy_unsent_confirmations(apps, schema_editor):
    EventSignup = apps.get_model("events", "EventSignup")
    Message = apps.get_model("outbox", "Message")
    now = timezone.now()
    unsent = EventSignup.objects.filter(
        confirmation_sent_at__isnull=True,
        cancelled_at__isnull=True,
        erased_at__isnull=True,
        event__start__gt=now,
    ).exclude(email="")
    Message.objects.bulk_create(
        [
            Message(
                kind=KIND,
                object_id=str(pk),
                key=f"{KIND}:{pk}",
                topic=f"eventsignup:{pk}",
                status="pending",
                due_at=now,
                next_attempt_at=now,
                expires_at=start,
                created_at=now,
            )
            for pk, start in unsent.values_list("pk", "event__start").order_by("pk")
        ],
        ignore_conflicts=True,
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_unsent_confirmations, migrations.RunPython.noop),
        migrations.RemoveField(model_name="eventsignup", name="confirmation_sent_at"),
    ]
