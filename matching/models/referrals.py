"""Consented referrals (紹介): the one way a client's record is read outside their own team's
town (issue 17).

A referral names the team the client was introduced to, and records the consent that allows it
(date, how it was obtained, what may be shared). While it is open, that team's members read the
client (``Client.objects.visible_to``); writing stays with the home team. Ending it closes the
row once (``ended_at``) and the access ends with it, in the same query that grants it. Like the
consent history, the rows are never changed otherwise or deleted: ``close()`` and erasure's
``erase_free_text()`` are the only updates the ORM lets through.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clients import Client, Consent, ScopedQuerySet
from .history import AppendOnlyModel, AppendOnlyQuerySet
from .teams import Team


class ReferralQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    def active(self) -> ReferralQuerySet:
        """The referrals that grant access now."""
        return self.filter(ended_at__isnull=True)


class Referral(AppendOnlyModel):
    """A client introduced, with their consent, to a team (usually of another town)."""

    ERASABLE_FIELDS = ("scope",)
    CLOSING_FIELDS = ("ended_at", "ended_by")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: the evidence of who was told about whom is never deleted with what it names.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    to_team = models.ForeignKey(
        Team,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    consent_on = models.DateField(_("consent date"))
    method = models.CharField(
        _("how consent was obtained"), max_length=20, choices=Consent.Method.choices
    )
    scope = models.TextField(
        _("what may be shared"),
        help_text=_("What the person agreed the other team may know and do."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReferralQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["to_team", "ended_at"])]
        constraints = [
            # One open referral per client and team: a second would end separately, confusingly.
            models.UniqueConstraint(
                fields=["client", "to_team"],
                condition=models.Q(ended_at__isnull=True),
                name="matching_one_open_referral_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.to_team}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
