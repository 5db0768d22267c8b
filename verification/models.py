"""Verification reminders: one row per listing (or operator) and reminder cycle.

The cycle is the date the reminder is about — the listing's ``assured_date``, or the date it
was last published when nobody has verified it yet. The unique row is what makes "never twice"
hold across repeated sweeps and concurrent workers; a confirmation moves the listing to a new
cycle, so the next reminder six months later gets a row of its own.

The row is the domain record ("this cycle was reminded, by this route"); sending is the
outbox's job. Every reminder a sweep routes to one recipient points at that recipient's outbox
message, which is what the message is composed from and what the stale report reads its state
from.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VerificationReminder(models.Model):
    class Route(models.TextChoices):
        """Who the reminder goes to, decided when it is claimed."""

        OPERATOR = "operator", _("Email to the operator")
        TOWN = "town", _("Email to the town office")
        CALL = "call", _("Telephone call to the operator")
        NONE = "none", _("No address: report only")

    page = models.ForeignKey(
        "resources.ListingPage",
        verbose_name=_("listing"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="verification_reminders",
    )
    organization = models.ForeignKey(
        "resources.Organization",
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="verification_reminders",
    )
    cycle = models.DateField(_("last verified (cycle)"))
    # The sweep that inserted this row: a sweep reports only the rows it claimed itself.
    claim = models.UUIDField(null=True, editable=False, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    route = models.CharField(_("sent to"), max_length=10, choices=Route.choices)
    # The recipient's message (None: nobody to reach, or reminded before the outbox existed).
    message = models.ForeignKey(
        "outbox.Message",
        verbose_name=_("outgoing message"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("verification reminder")
        verbose_name_plural = _("verification reminders")
        constraints = [
            models.CheckConstraint(
                condition=Q(page__isnull=False, organization__isnull=True)
                | Q(page__isnull=True, organization__isnull=False),
                name="verification_reminder_one_target",
            ),
            models.UniqueConstraint(
                fields=["page", "cycle"],
                condition=Q(page__isnull=False),
                name="verification_reminder_once_per_page_cycle",
            ),
            models.UniqueConstraint(
                fields=["organization", "cycle"],
                condition=Q(organization__isnull=False),
                name="verification_reminder_once_per_organization_cycle",
            ),
        ]
        permissions = [("view_stale_report", _("Can view the report of stale listings"))]

    def __str__(self) -> str:
        return f"{self.page_id or self.organization_id} @ {self.cycle}"
