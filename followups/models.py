"""Follow-up check-ins of a placement (定着支援).

The database is the schedule: a placement's check-ins are rows written in the transaction that
activates it, together with the outbox messages about them (followups/services.py), one per
check-in and kind by key; the outbox sends them when they fall due.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from matching.models import Client, Placement
from tsunagu.fields import EncryptedTextField

# The 3-item UCLA loneliness scale as worded in the Cabinet Office's 人々のつながりに関する基礎調査.
UCLA_ITEMS = (
    ("ucla_no_company", _("Do you feel that you lack companionship?")),
    ("ucla_left_out", _("Do you feel left out?")),
    ("ucla_isolated", _("Do you feel isolated from others?")),
)


class UclaAnswer(models.IntegerChoices):
    NEVER = 1, _("Never")
    HARDLY_EVER = 2, _("Hardly ever")
    SOMETIMES = 3, _("Sometimes")
    ALWAYS = 4, _("Always")


class CheckInQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> models.QuerySet:
        """Check-ins are visible exactly when their placement's client is."""
        return self.filter(placement__client__in=Client.objects.visible_to(user).values("pk"))


class CheckIn(models.Model):
    """One follow-up (or the baseline at the start) of a placement."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("At the start (baseline)")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        DONE = "done", _("Recorded")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        CONTINUING = "continuing", _("Continuing")
        IRREGULAR = "irregular", _("Irregular")
        STOPPED = "stopped", _("Stopped")

    class HostAttending(models.TextChoices):
        YES = "yes", _("Yes, regularly")
        # Its own context: the loneliness scale's "Sometimes" reads wrongly as an answer here.
        SOMETIMES = "sometimes", pgettext_lazy("host place: is the person coming", "Sometimes")
        NO = "no", _("Not lately")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Days after the start; what the schedule called for, kept when the date is moved.
    offset_days = models.PositiveIntegerField(_("days after the start"), default=0)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    with_host = models.BooleanField(_("ask the host place"), default=False)

    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True
    )
    ucla_no_company = models.PositiveSmallIntegerField(
        UCLA_ITEMS[0][1], choices=UclaAnswer.choices, null=True, blank=True
    )
    ucla_left_out = models.PositiveSmallIntegerField(
        UCLA_ITEMS[1][1], choices=UclaAnswer.choices, null=True, blank=True
    )
    ucla_isolated = models.PositiveSmallIntegerField(
        UCLA_ITEMS[2][1], choices=UclaAnswer.choices, null=True, blank=True
    )
    life_satisfaction = models.PositiveSmallIntegerField(
        _("life satisfaction (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    # The answers are encrypted at rest (tsunagu/fields.py); the scores stay plain for statistics.
    notes = EncryptedTextField(_("notes"), blank=True)
    next_action = EncryptedTextField(_("next action"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The host place's short answer through its one-time link.
    host_attending = models.CharField(
        _("attending (host place)"), max_length=20, choices=HostAttending.choices, blank=True
    )
    host_concern = models.BooleanField(_("concern (host place)"), null=True, blank=True)
    host_comment = EncryptedTextField(_("comment (host place)"), blank=True)
    host_answered_at = models.DateTimeField(_("host place answered"), null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)

    objects = CheckInQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["placement", "offset_days", "due_on"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "offset_days", "kind"], name="followups_one_checkin_per_step"
            ),
            models.CheckConstraint(
                condition=models.Q(life_satisfaction__isnull=True)
                | models.Q(life_satisfaction__gte=0, life_satisfaction__lte=10),
                name="followups_life_satisfaction_0_10",
            ),
        ]
        indexes = [
            # The dashboard: pending check-ins by due date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(status="pending"),
                name="followups_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} +{self.offset_days}d"

    @property
    def ucla_total(self) -> int | None:
        """3–12, or None unless all three items were answered."""
        values = [getattr(self, name) for name, _label in UCLA_ITEMS]
        return sum(values) if all(v is not None for v in values) else None

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.due_on < timezone.localdate()
