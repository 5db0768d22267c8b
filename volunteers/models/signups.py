"""Sign-ups to shifts: a place, or a place on the waiting list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignUpQuerySet(models.QuerySet):
    def active(self) -> "SignUpQuerySet":
        """Confirmed or waiting: the ones that still hold, or wait for, a place."""
        return self.filter(status__in=SignUp.ACTIVE_STATUSES)

    def confirmed(self) -> "SignUpQuerySet":
        return self.filter(status=SignUp.Status.CONFIRMED)


class SignUp(models.Model):
    """A volunteer's place on a shift, or on its waiting list."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    shift = models.ForeignKey(
        "volunteers.Shift",
        verbose_name=_("shift"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    promoted_at = models.DateTimeField(
        _("moved up from the waiting list at"), null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Set by the sweep after the shift, in the transaction that logs the hours and queues the
    # thank-you: it is what says "done once", even if staff later remove the hours entry.
    hours_logged_at = models.DateTimeField(_("hours logged at"), null=True, blank=True)
    # Who signed up, as a keyed hash of the volunteer's normalised email address (or telephone
    # number and reading), written by the service: one person on a shift once, even when they
    # are on the register twice. Blanked when the volunteer withdraws.
    person_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = SignUpQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        indexes = [models.Index(fields=["shift", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="signup_one_active_per_shift",
            ),
            models.UniqueConstraint(
                fields=["shift", "person_key"],
                condition=Q(status__in=["confirmed", "waitlisted"]) & ~Q(person_key=""),
                name="signup_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift} — {self.volunteer}"
