"""Sign-ups for events that take online applications.

Personal data: a plain model, shown to staff through an admin viewset, never a page (no revision
keeps a copy), and anonymised by a scheduled task once the event is long over.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

MAX_PARTY_SIZE = 20
_PHONE = re.compile(r"^\+?[0-9]+(-[0-9]+)*$")
_KANA = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u309d\u309e\u30fd\u30fe ]+$")


ALREADY_SIGNED_UP = _(
    "An application with this telephone number or email address has already been received for "
    "this event. To change the number of people or to cancel, use the link in your "
    "confirmation or call the organiser. A family applies once, with the number of people."
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class EventSignupQuerySet(models.QuerySet):
    def active(self) -> "EventSignupQuerySet":
        """Neither cancelled nor anonymised."""
        return self.filter(cancelled_at__isnull=True, erased_at__isnull=True)

    def seats_taken(self, *, event: models.Model) -> int:
        taken = self.filter(event=event, cancelled_at__isnull=True).aggregate(n=Sum("party_size"))
        return taken["n"] or 0


class EventSignup(models.Model):
    """One application for an event: who, how to reach them, how many people."""

    event = models.ForeignKey(
        "events.EventPage",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    name = models.CharField(_("Name"), max_length=100)
    kana = models.CharField(_("Name in kana"), max_length=100, blank=True)
    phone = models.CharField(_("Telephone"), max_length=40, blank=True)
    email = models.EmailField(_("Email"), blank=True)
    party_size = models.PositiveSmallIntegerField(
        _("Number of people"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTY_SIZE)],
    )
    note = models.TextField(_("Anything we should know"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    token = models.CharField(
        max_length=64, unique=True, null=True, editable=False, default=new_token
    )
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, editable=False)
    # The telephone number and email address normalised (``resources.contact_keys``), written by
    # the service that takes sign-ups: one active sign-up per person and event, whatever the
    # spelling. Blanked with the contact details on erasure.
    phone_key = models.CharField(max_length=20, blank=True, default="", editable=False)
    email_key = models.CharField(max_length=254, blank=True, default="", editable=False)

    objects = EventSignupQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event sign-up")
        verbose_name_plural = _("event sign-ups")
        indexes = [models.Index(fields=["event", "cancelled_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", key],
                condition=Q(cancelled_at__isnull=True) & ~Q(**{key: ""}),
                name=f"eventsignup_one_active_per_{key}",
            )
            for key in ("phone_key", "email_key")
        ]

    def __str__(self) -> str:
        # Admin messages and Wagtail's audit log use this: an id, never the person's name.
        return _("Sign-up #%(number)s") % {"number": self.pk}

    def clean(self) -> None:
        errors = {}
        if not (self.phone or self.email):
            errors["phone"] = _("Enter a telephone number or an email address.")
        if self.phone and not (
            _PHONE.match(self.phone) and 10 <= sum(c.isdigit() for c in self.phone) <= 13
        ):
            errors["phone"] = _("Enter the telephone number in digits, e.g. 0997-84-0000.")
        if self.kana and not _KANA.match(self.kana):
            errors["kana"] = _("Enter the reading in hiragana or katakana.")
        if errors:
            raise ValidationError(errors)
