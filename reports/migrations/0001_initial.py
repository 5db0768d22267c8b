import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # Team exists since matching's first migration; 0008 is the last one this app has seen.
        ("matching", "0008_client_referred_on_end_reason_plan_decision"),
        ("resources", "0002_schedule_rule_listing_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OpeningRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "requested_on",
                    models.DateField(
                        default=django.utils.timezone.localdate, verbose_name="asked on"
                    ),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="asked at"
                    ),
                ),
                ("people", models.PositiveIntegerField(verbose_name="people it would serve")),
                ("terms", models.JSONField(default=list, verbose_name="interests and needs")),
                ("constraints", models.JSONField(default=list, verbose_name="why not now")),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="resources.activitypage",
                        verbose_name="activity",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="asked by",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="matching.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "request to open",
                "verbose_name_plural": "requests to open",
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "requested_on"),
                        name="reports_one_opening_request_a_day",
                    )
                ],
            },
        ),
    ]
