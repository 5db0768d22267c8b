"""Volunteer hours: from shifts automatically, or logged by the volunteer; counted once approved."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class HoursEntry(models.Model):
    class Source(models.TextChoices):
        SHIFT = "shift", _("From a shift")
        SELF = "self", _("Logged by the volunteer")
        STAFF = "staff", _("Entered by staff")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="hours_entries",
    )
    signup = models.OneToOneField(
        "volunteers.SignUp",
        verbose_name=_("shift sign-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hours_entry",
    )
    organization = models.ForeignKey(
        "resources.Organization",
        verbose_name=_("for which group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_hours",
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    description = models.CharField(_("what you did"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.STAFF
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    volunteer_confirmed = models.BooleanField(_("confirmed by the volunteer"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    wagtail_reference_index_ignore = True

    panels = [
        FieldPanel("volunteer"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("hours")]),
        FieldPanel("organization"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["organization", "date"]),
        ]

    def __str__(self) -> str:
        return _("%(volunteer)s, %(date)s, %(hours)s hours") % {
            "volunteer": self.volunteer,
            "date": f"{self.date:%Y-%m-%d}",
            "hours": floatformat(self.hours, -2),
        }
