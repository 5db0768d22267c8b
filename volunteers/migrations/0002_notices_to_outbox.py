"""Reminders and thank-yous move to the outbox; ``Notice`` goes.

Before the table is dropped: a sign-up that was already thanked (or had its hours logged) is
marked ``hours_logged_at``, so the sweep never thanks it again; notices claimed but not sent
become pending outbox rows; a reminder already sent for a shift still ahead becomes a ``sent``
row, so its key stops the app queuing it again; and confirmed sign-ups of shifts after today
that have no reminder yet get one due the day before, as new sign-ups do (the hourly reminder
sweep is gone).

The hour and keys are copied here, not imported, so this migration stays as it was written.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

REMINDER_AT = dt.time(10)
THANKS_USEFUL_FOR = dt.timedelta(days=5)


def _reminder_key(signup_id, shift):
    return f"volunteers.reminder:{signup_id}:{shift.date:%Y%m%d}T{shift.starts_at:%H%M}"


def _message(Message, *, kind, signup_id, key, due_at, expires_at, now, sent_at=None):
    return Message(
        kind=kind,
        object_id=str(signup_id),
        key=key,
        topic=f"signup:{signup_id}",
        status="sent" if sent_at else "pending",
        due_at=due_at,
        next_attempt_at=max(due_at, now),
        expires_at=expires_at,
        sent_at=sent_at,
        created_at=now,
    )


def notices_to_outbox(apps, schema_editor):
    Notice = apps.get_model("volunteers", "Notice")
    SignUp = apps.get_model("volunteers", "SignUp")
    HoursEntry = apps.get_model("volunteers", "HoursEntry")
    Message = apps.get_model("outbox", "Message")
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()

    thanked = Notice.objects.filter(signup=OuterRef("pk"), kind="thanks")
    SignUp.objects.filter(Exists(thanked)).update(
        hours_logged_at=Subquery(thanked.values("claimed_at")[:1])
    )
    logged = HoursEntry.objects.filter(signup=OuterRef("pk"))
    SignUp.objects.filter(Exists(logged), hours_logged_at__isnull=True).update(
        hours_logged_at=Subquery(logged.values("created_at")[:1])
    )

    rows = []
    today = timezone.localdate(now)
    carried = Notice.objects.filter(
        Q(delivered_at__isnull=True) | Q(kind="reminder", signup__shift__date__gte=today)
    )
    for notice in carried.select_related("signup__shift").iterator():
        shift = notice.signup.shift
        if notice.kind == "reminder":
            key = _reminder_key(notice.signup_id, shift)
            expires_at = dt.datetime.combine(shift.date, shift.starts_at, tzinfo=zone)
        else:
            key = f"volunteers.thanks:{notice.signup_id}"
            ends = dt.datetime.combine(shift.date, shift.ends_at, tzinfo=zone)
            expires_at = ends + THANKS_USEFUL_FOR
        rows.append(
            _message(
                Message,
                kind=f"volunteers.{notice.kind}",
                signup_id=notice.signup_id,
                key=key,
                due_at=notice.claimed_at,
                expires_at=expires_at,
                now=now,
                sent_at=notice.delivered_at,
            )
        )

    reminded = Notice.objects.filter(signup=OuterRef("pk"), kind="reminder")
    upcoming = (
        SignUp.objects.filter(status="confirmed", shift__date__gt=today)
        .exclude(Exists(reminded))
        .select_related("shift")
    )
    for signup in upcoming.iterator():
        shift = signup.shift
        due_at = dt.datetime.combine(shift.date - dt.timedelta(days=1), REMINDER_AT, tzinfo=zone)
        rows.append(
            _message(
                Message,
                kind="volunteers.reminder",
                signup_id=signup.pk,
                key=_reminder_key(signup.pk, shift),
                due_at=max(due_at, now),
                expires_at=dt.datetime.combine(shift.date, shift.starts_at, tzinfo=zone),
                now=now,
            )
        )
    Message.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("volunteers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="signup",
            name="hours_logged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hours logged at"),
        ),
        migrations.RunPython(notices_to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notice"),
    ]
