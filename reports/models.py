"""What the reports record: requests sent to places to open to participation support."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpeningRequest(models.Model):
    """One 受け入れを打診: a place asked to open to participation-support placements.

    Holds the aggregate the request told the place (how many people, which interests and needs,
    why they cannot join now), never anything about a person, so the outbox composes the
    message from this row alone. One per activity and day: a double click or a retried POST
    cannot ask twice, and the service refuses a second ask within ``REPEAT_AFTER_DAYS``.
    """

    activity = models.ForeignKey(
        "resources.ActivityPage",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Whose contact details the request gives: the requester's team.
    team = models.ForeignKey(
        "matching.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_on = models.DateField(_("asked on"), default=timezone.localdate)
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    people = models.PositiveIntegerField(_("people it would serve"))
    terms = models.JSONField(_("interests and needs"), default=list)
    # [{"code": a gaps.Constraint value, "detail": "…"}]: why those people cannot join now.
    constraints = models.JSONField(_("why not now"), default=list)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("request to open")
        verbose_name_plural = _("requests to open")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "requested_on"], name="reports_one_opening_request_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.requested_on:%Y-%m-%d}"
