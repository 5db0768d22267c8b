"""Reminders are sent through the outbox: each keeps the route decided when it was claimed and
points at its recipient's outbox message; the delivery fields go.

Reminders that were claimed but never delivered (the delivery task was lost) are deleted, so
the next daily sweep claims them again and sends them through the outbox.
"""

import django.db.models.deletion
from django.db import migrations, models

ROUTE_OF_OUTCOME = {"sent": "operator", "town": "town", "none": "none"}


def outcome_to_route(apps, schema_editor):
    Reminder = apps.get_model("verification", "VerificationReminder")
    Reminder.objects.filter(outcome="pending").delete()
    for outcome, route in ROUTE_OF_OUTCOME.items():
        Reminder.objects.filter(outcome=outcome).update(route=route)


def route_to_outcome(apps, schema_editor):
    Reminder = apps.get_model("verification", "VerificationReminder")
    for outcome, route in ROUTE_OF_OUTCOME.items():
        Reminder.objects.filter(route=route).update(outcome=outcome)
    Reminder.objects.filter(route="call").update(outcome="none")
    Reminder.objects.update(delivered_at=models.F("claimed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("verification", "0002_grant_report_to_moderators"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationreminder",
            name="route",
            field=models.CharField(
                choices=[
                    ("operator", "Email to the operator"),
                    ("town", "Email to the town office"),
                    ("call", "Telephone call to the operator"),
                    ("none", "No address: report only"),
                ],
                default="none",
                max_length=10,
                verbose_name="sent to",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="verificationreminder",
            name="message",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="outbox.message",
                verbose_name="outgoing message",
            ),
        ),
        migrations.RunPython(outcome_to_route, route_to_outcome),
        migrations.RemoveField(model_name="verificationreminder", name="delivered_at"),
        migrations.RemoveField(model_name="verificationreminder", name="outcome"),
    ]
