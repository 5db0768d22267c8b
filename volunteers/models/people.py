"""Volunteers: personal data, so a plain model (never a page) that can be erased on request."""

import secrets

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from resources.contact_keys import phone_key

from ..availability import AvailabilityField

# Bumped when the privacy notice shown with the consent box changes; stored with each consent.
PRIVACY_NOTICE_VERSION = "2026-01"


def new_calendar_token() -> str:
    """The secret part of a volunteer's iCal feed URL; replacing it revokes the old URL."""
    return secrets.token_urlsafe(24)


class Volunteer(models.Model):
    """A registered volunteer: contact, skills, availability, consent and an opt-in profile."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class AgeBand(models.TextChoices):
        UNDER_20 = "under20", _("Under 20")
        TWENTIES = "20s", _("20s")
        THIRTIES = "30s", _("30s")
        FORTIES = "40s", _("40s")
        FIFTIES = "50s", _("50s")
        SIXTIES = "60s", _("60s")
        SEVENTIES = "70s", _("70s")
        EIGHTY_PLUS = "80plus", _("80 or over")

    class Travel(models.TextChoices):
        DISTRICT = "district", _("Within my own district")
        TOWN = "town", _("Anywhere in the town")
        ISLAND = "island", _("Anywhere on the island")

    name = models.CharField(_("full name"), max_length=100)
    kana = models.CharField(_("name in kana"), max_length=100)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("telephone number"), max_length=30, blank=True)
    area = models.ForeignKey(
        "resources.Area",
        verbose_name=_("district where you live"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    age_band = models.CharField(_("age group"), max_length=10, choices=AgeBand.choices, blank=True)
    skills = models.ManyToManyField(
        "resources.Term",
        verbose_name=_("skills and interests"),
        blank=True,
        limit_choices_to={"kind": "interest"},
        related_name="volunteers",
    )
    availability = AvailabilityField(_("when you can help"), default=0, blank=True)
    travel_range = models.CharField(
        _("how far you can go"), max_length=10, choices=Travel.choices, default=Travel.TOWN
    )
    has_car = models.BooleanField(_("can drive a car"), default=False)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Languages other than Japanese you can help in, if any."),
    )
    willing_to_accompany = models.BooleanField(
        _("willing to accompany someone"),
        default=False,
        help_text=_(
            "Going along with a person who is starting to take part in the community, "
            "at their pace."
        ),
    )
    notes = models.TextField(_("notes for the coordinator"), blank=True)

    public_profile = models.BooleanField(_("show a public profile"), default=False)
    display_name = models.CharField(
        _("display name"),
        max_length=40,
        blank=True,
        help_text=_("A nickname is fine. Shown instead of your name."),
    )
    show_skills = models.BooleanField(_("show my skills and interests"), default=False)
    show_district = models.BooleanField(_("show my district"), default=False)
    show_message = models.BooleanField(_("show my message"), default=False)
    public_message = models.CharField(_("message"), max_length=300, blank=True)

    consent_at = models.DateTimeField(
        _("consented at"),
        null=True,
        blank=True,
        help_text=_(
            "When the person agreed to the privacy notice. For a registration taken by "
            "telephone or on paper, enter when they agreed."
        ),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=20, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Part of every magic link; bumping it revokes all links sent so far.
    token_version = models.PositiveIntegerField(default=1, editable=False)
    # Part of every sign-in link; using one bumps it, so each sign-in link works once.
    sign_in_version = models.PositiveIntegerField(default=0, editable=False)
    calendar_token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    # The telephone number's digits (``resources.contact_keys``), kept by ``save``: how someone
    # without email is found when they sign up with their number and code.
    phone_key = models.CharField(
        max_length=20, blank=True, default="", db_index=True, editable=False
    )
    # A short code for signing up and cancelling without email (``volunteers.codes``): stored
    # hashed, shown once; too many wrong tries void it until staff issue a new one.
    signup_code = models.CharField(max_length=128, blank=True, default="", editable=False)
    signup_code_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    signup_code_issued_at = models.DateTimeField(
        _("sign-up code issued at"), null=True, blank=True, editable=False
    )
    is_sample = models.BooleanField(_("sample data"), default=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Personal data must not surface in the usage listings of areas and terms.
    wagtail_reference_index_ignore = True

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("name"), FieldPanel("kana")]),
                FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                FieldRowPanel([FieldPanel("area"), FieldPanel("age_band")]),
            ],
            heading=_("contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
                FieldPanel("availability"),
                FieldRowPanel([FieldPanel("travel_range"), FieldPanel("has_car")]),
                FieldPanel("languages"),
                FieldPanel("willing_to_accompany"),
                FieldPanel("notes"),
            ],
            heading=_("what they can do"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("public_profile"),
                FieldPanel("display_name"),
                FieldRowPanel(
                    [
                        FieldPanel("show_skills"),
                        FieldPanel("show_district"),
                        FieldPanel("show_message"),
                    ]
                ),
                FieldPanel("public_message"),
            ],
            heading=_("public profile"),
        ),
        MultiFieldPanel(
            [FieldPanel("consent_at"), FieldPanel("is_sample")], heading=_("consent and data")
        ),
    ]

    class Meta:
        ordering = ["kana", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteer register")
        indexes = [models.Index(fields=["status", "willing_to_accompany"])]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~Q(email=""),
                name="volunteer_unique_email",
                violation_error_message=_("This email address is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn") | ~Q(email="") | ~Q(phone=""),
                name="volunteer_has_contact",
                violation_error_message=_("Please give an email address or a telephone number."),
            ),
        ]

    def __str__(self) -> str:
        if self.status == self.Status.WITHDRAWN:
            return _("Withdrawn volunteer #%(id)s") % {"id": self.pk}
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def save(self, *args, **kwargs):
        self.phone_key = phone_key(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_key"}
        return super().save(*args, **kwargs)
