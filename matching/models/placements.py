"""Proposals to host places and the placements that follow.

A proposal carries a coordinator-written ``summary``: the only thing about the client a host
place ever sees. A placement moves proposed → accepted → active → settled / ended /
interrupted; accepted and active placements occupy one of the activity's places. A consent
withdrawal may pause an accepted or active placement instead of ending it: it keeps its place
but nobody contacts the host or runs the check-ins until it is resumed, which needs consent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resources.models import ActivityPage
from tsunagu.fields import EncryptedTextField

from .clients import Client, ScopedQuerySet
from .history import AppendOnlyModel, AppendOnlyQuerySet


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn by the coordinator")

    OPEN = (Status.DRAFT, Status.SENT)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="proposals")
    activity = models.ForeignKey(
        ActivityPage, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="+"
    )
    companion = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("companion volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A volunteer who will go along with the person, if any."),
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    summary = EncryptedTextField(
        _("summary for the host place"),
        blank=True,
        help_text=_(
            "The only information about the person the host place receives. Write only what the "
            "person agreed to share: no name, diagnosis, disability or financial details."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = EncryptedTextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    deadline = models.DateTimeField(_("answer by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    response_comment = EncryptedTextField(_("comment from the host place"), blank=True)

    objects = ScopedQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "activity"],
                condition=models.Q(status__in=["draft", "sent"]),
                name="matching_one_open_proposal_per_activity",
            )
        ]
        indexes = [
            models.Index(fields=["status", "sent_at"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.get_status_display()}"


class Placement(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        ACTIVE = "active", _("Taking part")
        SETTLED = "settled", _("Settled")
        ENDED = "ended", _("Ended")
        INTERRUPTED = "interrupted", _("Interrupted")
        PAUSED = "paused", _("Paused (consent withdrawn)")

    class EndReason(models.TextChoices):
        """Why an ended or interrupted placement stopped: counted in the 実績, so a choice."""

        GOAL_REACHED = "goal_reached", _("Goals reached, moved on")
        OTHER_PLACE = "other_place", _("Went on to another activity or work")
        HEALTH = "health", _("Health or hospital")
        PERSON_WISH = "person_wish", _("The person's own wish")
        NOT_A_FIT = "not_a_fit", _("Did not fit the place")
        HOST = "host", _("The host place's circumstances")
        MOVED = "moved", _("Moved away")
        CONSENT = "consent", _("Consent withdrawn")
        OTHER = "other", _("Other")

    OPEN = (Status.PROPOSED, Status.ACCEPTED, Status.ACTIVE, Status.PAUSED)
    # These take one of the activity's places (placement_capacity).
    OCCUPYING = (Status.ACCEPTED, Status.ACTIVE, Status.PAUSED)
    CLOSED = (Status.SETTLED, Status.ENDED, Status.INTERRUPTED)
    # Pausing is the consent withdrawal's choice (consent_withdraw), not a status to pick.
    PAUSABLE = (Status.ACCEPTED, Status.ACTIVE)
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PROPOSED: (Status.ACCEPTED, Status.ENDED),
        Status.ACCEPTED: (Status.ACTIVE, Status.ENDED, Status.INTERRUPTED, Status.PAUSED),
        Status.ACTIVE: (Status.SETTLED, Status.ENDED, Status.INTERRUPTED, Status.PAUSED),
        Status.PAUSED: (Status.ACTIVE, Status.ENDED, Status.INTERRUPTED),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="placements")
    activity = models.ForeignKey(
        ActivityPage, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="placement"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=EndReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "activity"],
                condition=models.Q(status__in=["proposed", "accepted", "active", "paused"]),
                name="matching_one_open_placement_per_activity",
            )
        ]
        indexes = [models.Index(fields=["activity", "status"])]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.get_status_display()}"

    def next_statuses(self) -> tuple[str, ...]:
        return self.TRANSITIONS.get(self.status, ())


class PlacementStatusChange(AppendOnlyModel):
    """A placement's status history, with the coordinator's reason (retention reports read it)."""

    ERASABLE_FIELDS = ("reason",)

    # PROTECT: history is never deleted or rewritten along with what it refers to.
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Placement.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Placement.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("placement status change")
        verbose_name_plural = _("placement status changes")
