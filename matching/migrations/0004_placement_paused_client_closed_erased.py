"""Consent withdrawal can pause a placement; a case's end starts the retention clock; erasure
is recorded on the client.

Clients already closed get their last change as the end of the case: the best date there is,
and never later than the truth, so the retention period is not extended by the upgrade.
"""

from django.db import migrations, models
from django.db.models import F

PLACEMENT_STATUSES = [
    ("proposed", "Proposed"),
    ("accepted", "Accepted"),
    ("active", "Taking part"),
    ("settled", "Settled"),
    ("ended", "Ended"),
    ("interrupted", "Interrupted"),
    ("paused", "Paused (consent withdrawn)"),
]


def closed_since_last_change(apps, schema_editor):
    Client = apps.get_model("matching", "Client")
    Client.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_proposal_emails_in_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="closed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="case closed"
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="erased_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="erased"
            ),
        ),
        migrations.RunPython(closed_since_last_change, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="placement",
            name="status",
            field=models.CharField(
                choices=PLACEMENT_STATUSES, default="proposed", max_length=20, verbose_name="status"
            ),
        ),
        migrations.AlterField(
            model_name="placementstatuschange",
            name="from_status",
            field=models.CharField(blank=True, choices=PLACEMENT_STATUSES, max_length=20),
        ),
        migrations.AlterField(
            model_name="placementstatuschange",
            name="to_status",
            field=models.CharField(choices=PLACEMENT_STATUSES, max_length=20),
        ),
        migrations.RemoveConstraint(
            model_name="placement",
            name="matching_one_open_placement_per_activity",
        ),
        migrations.AddConstraint(
            model_name="placement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["proposed", "accepted", "active", "paused"])),
                fields=("client", "activity"),
                name="matching_one_open_placement_per_activity",
            ),
        ),
    ]
