"""Clients (参加支援対象者), their consent history and support plans.

A client's ``__str__`` is the reference code: it is what lists, the audit log and Wagtail's log
labels show. Name and kana are only rendered on the client page.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from resources.models import Area, Term
from resources.models.schedules import TIME_BANDS, WEEKDAY_CHOICES
from tsunagu.fields import EncryptedCharField, EncryptedTextField, KeyedHashField
from tsunagu.text import reading_key

from ..access import client_access
from .history import AppendOnlyModel, AppendOnlyQuerySet
from .teams import Team

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
WEEKDAYS = range(7)
BANDS = tuple(TIME_BANDS)  # morning, afternoon, evening (朝・昼・夕)
FIELD_FLAGS = (
    "field_elderly",
    "field_disability",
    "field_children",
    "field_poverty",
    "field_other",
)
PREFERENCE_FLAGS = (
    "prefers_small_group",
    "same_gender_only",
    "wants_visit_first",
    "wants_short_time",
    "wants_companion",
)


def new_reference_code() -> str:
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def availability_slot(weekday: int, band: str) -> str:
    """One availability slot as stored: '2-morning' is Wednesday morning."""
    return f"{weekday}-{band}"


BAND_LABELS = {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}
AVAILABILITY_CHOICES = [
    (availability_slot(day, band), format_lazy("{} {}", label, BAND_LABELS[band]))
    for day, label in WEEKDAY_CHOICES
    for band in BANDS
]
ALL_SLOTS = tuple(slot for slot, _label in AVAILABILITY_CHOICES)


class AgeBand(models.IntegerChoices):
    UNDER_10 = 0, _("under 10")
    TEENS = 10, _("teens")
    TWENTIES = 20, _("20s")
    THIRTIES = 30, _("30s")
    FORTIES = 40, _("40s")
    FIFTIES = 50, _("50s")
    SIXTIES = 60, _("60s")
    SEVENTIES = 70, _("70s")
    EIGHTIES = 80, _("80s")
    NINETIES = 90, _("90 and over")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user: Any, *, referred: bool = True) -> ClientQuerySet:
        """The one gate to client records; every view, export, command and selector uses it.

        ``referred=False`` leaves out the clients only an open referral shows (another town's
        people): the reports count the user's own town only. One query either way.
        """
        access = client_access(user)
        if access.sees_every_town:
            return self.all()
        scope = Q(team_id__in=access.team_ids) if access.team_ids else Q()
        if access.sees_all:
            scope |= Q(team__site_id__in=access.town_ids)
        if referred and access.team_ids:
            from .referrals import Referral  # referrals.py builds on this module

            open_referrals = Referral.objects.active().filter(to_team_id__in=access.team_ids)
            scope |= Q(pk__in=open_referrals.values("client_id"))
        return self.filter(scope) if scope else self.none()

    def writable_by(self, user: Any) -> ClientQuerySet:
        """The clients the user may change (``access.can_write_client`` as a queryset)."""
        access = client_access(user)
        if access.writes_all:
            return self.all()
        return self.filter(team_id__in=access.team_ids)

    def search_pks(self, text: str) -> tuple[list[uuid.UUID], int]:
        """(the clients in this queryset matching ``text``, how many were looked into).

        A client matches when ``text`` is part of their reference code, external ID, name or
        reading, compared after folding width, kana script (ひらがな/カタカナ/ｶﾀｶﾅ), case, ー
        look-alikes and spaces (``reading_key``): 「ウメ」 finds うめだ, 「山田花」 finds 山田 花子.

        Name and kana are encrypted, so the database cannot compare them: they are decrypted
        here, in one query over this queryset — scope it first (``visible_to``): that is what
        bounds the work to one team's few thousand clients and keeps other teams' names shut.
        """
        needle = reading_key(text)
        if not needle:
            return [], 0
        rows = self.order_by().values_list("pk", "reference_code", "external_id", "name", "kana")
        found, searched = [], 0
        for pk, *values in rows:
            searched += 1
            if any(needle in reading_key(value) for value in values if value):
                found.append(pk)
        return found, searched

    def search(self, text: str) -> ClientQuerySet:
        """The clients matching ``text`` (``search_pks``)."""
        return self.filter(pk__in=self.search_pks(text)[0])

    def with_consent_stage(self) -> ClientQuerySet:
        """Annotate ``consent_stage``: the stage of the latest consent record (None if none)."""
        latest = Consent.objects.filter(client=OuterRef("pk")).order_by("-recorded_at", "-seq")
        return self.annotate(consent_stage=Subquery(latest.values("stage")[:1]))


class Client(models.Model):
    """A participation-support client (要配慮個人情報)."""

    class Status(models.TextChoices):
        CONSULTING = "consulting", _("Consulting")
        SUPPORTING = "supporting", _("Being supported")
        CLOSED = "closed", _("Closed")
        SUSPENDED = "suspended", _("Suspended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference_code = models.CharField(
        _("reference code"),
        max_length=30,
        unique=True,
        blank=True,
        help_text=_("Shown in lists instead of the name. Left empty, one is generated."),
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        blank=True,
        help_text=_("The identifier in the team's own records, kept across imports."),
    )
    # Encrypted at rest (tsunagu/fields.py): the database can neither search nor sort them.
    name = EncryptedCharField(_("full name"), max_length=100)
    kana = EncryptedCharField(_("kana"), max_length=200, blank=True)
    # Finds a client by the exact reading, typed in hiragana, katakana or half-width kana.
    kana_hash = KeyedHashField(source="kana", normalize=reading_key)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    age_band = models.PositiveSmallIntegerField(
        _("age band"),
        choices=AgeBand.choices,
        null=True,
        blank=True,
        help_text=_("When the year of birth is not known."),
    )
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_("Only used for women-only or men-only groups and the same-gender wish."),
    )

    field_elderly = models.BooleanField(_("elderly"), default=False)
    field_disability = models.BooleanField(_("disability"), default=False)
    field_children = models.BooleanField(_("children"), default=False)
    field_poverty = models.BooleanField(_("financial hardship"), default=False)
    field_other = models.BooleanField(_("other"), default=False)

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interests = models.ManyToManyField(
        Term,
        verbose_name=_("interests"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Term.Kind.INTEREST},
    )
    needs = models.ManyToManyField(
        Term,
        verbose_name=_("support needs"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Term.Kind.NEED},
    )
    accommodations = models.ManyToManyField(
        Term,
        verbose_name=_("accommodations needed"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Term.Kind.ACCOMMODATION},
    )
    availability = models.JSONField(
        _("availability"),
        default=list,
        blank=True,
        help_text=_("Weekdays and times of day the person can take part."),
    )
    max_distance_km = models.DecimalField(
        _("maximum distance (km)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    has_transport = models.BooleanField(_("has own transport"), default=False)
    needs_pickup = models.BooleanField(_("needs to be picked up"), default=False)

    prefers_small_group = models.BooleanField(_("small groups"), default=False)
    same_gender_only = models.BooleanField(_("same gender only"), default=False)
    wants_visit_first = models.BooleanField(_("a visit first"), default=False)
    wants_short_time = models.BooleanField(_("short stays at first"), default=False)
    wants_companion = models.BooleanField(_("with a companion"), default=False)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONSULTING
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="clients"
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned coordinators"),
        blank=True,
        related_name="+",
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    # The 実績 count a case from the day it was referred, not from the day it was typed in.
    referred_on = models.DateField(
        _("referred on"),
        default=timezone.localdate,
        help_text=_("The day the team took the case on (受付日)."),
    )
    is_sample = models.BooleanField(_("sample data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When the case ended (status closed); the retention period runs from here.
    closed_at = models.DateTimeField(_("case closed"), null=True, blank=True, editable=False)
    # Set by matching/erasure.py: the personal data is gone, the statistics stay.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    # Never in Wagtail's reference index: a district's "usage" page would list clients.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["reference_code"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        default_permissions = ()
        permissions = [("view_all_clients", _("Can see every team's clients"))]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="matching_client_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["team", "status"])]

    def __str__(self) -> str:
        return self.reference_code

    def clean(self) -> None:
        unknown = set(self.availability or []) - set(ALL_SLOTS)
        if unknown:
            raise ValidationError({"availability": _("Unknown availability slot.")})
        this_year = timezone.localdate().year
        if self.birth_year is not None and not this_year - 110 <= self.birth_year <= this_year:
            raise ValidationError({"birth_year": _("Enter a year of birth in the last 110 years.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.reference_code:
            self.reference_code = new_reference_code()
        # Here, not in a form: every way of closing a case (admin, import, service) starts the
        # retention clock, and reopening it stops the clock.
        if self.status == self.Status.CLOSED and self.closed_at is None:
            self.closed_at = timezone.now()
        elif self.status != self.Status.CLOSED:
            self.closed_at = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "closed_at"}
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "kana" in update_fields:
            kwargs["update_fields"] = {*update_fields, "kana_hash"}  # kept in step with the kana
        super().save(*args, **kwargs)

    def approximate_age(self, today: dt.date | None = None) -> int | None:
        """Age from the year of birth, or the middle of the age band."""
        if self.birth_year is not None:
            return (today or timezone.localdate()).year - self.birth_year
        if self.age_band is not None:
            return self.age_band + 5
        return None

    def availability_slots(self) -> set[tuple[int, str]]:
        return {(int(day), band) for day, band in (s.split("-", 1) for s in self.availability)}

    def availability_labels(self) -> list[str]:
        chosen = set(self.availability)
        return [str(label) for slot, label in AVAILABILITY_CHOICES if slot in chosen]

    def field_labels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in FIELD_FLAGS if getattr(self, f)]

    def preference_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name) for f in PREFERENCE_FLAGS if getattr(self, f)
        ]

    def latest_consent(self) -> Consent | None:
        return self.consents.order_by("-recorded_at", "-seq").first()

    def current_plan(self) -> SupportPlan | None:
        """The draft or agreed plan (ended, interrupted and superseded ones are history)."""
        return self.plans.filter(status__in=SupportPlan.CURRENT).order_by("-created_at").first()


class ScopedQuerySet(models.QuerySet):
    """Records hanging off a client are visible exactly when their client is."""

    client_path = "client"

    def visible_to(self, user: Any) -> models.QuerySet:
        clients = Client.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.client_path}__in": clients})


class ScopedPlanQuerySet(ScopedQuerySet):
    """Records hanging off a plan are visible exactly when the plan's client is."""

    client_path = "plan__client"


class ConsentQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    pass


class Consent(AppendOnlyModel):
    """One entry of a client's consent history; the latest decides (``latest_consent``)."""

    class Stage(models.TextChoices):
        SUPPORT_MEETING = "support_meeting", _("Support meeting only (no consent)")
        CONSENTED = "consented", _("Consent given")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    class Method(models.TextChoices):
        INTERVIEW = "interview", _("In person")
        WRITTEN = "written", _("In writing")
        PHONE = "phone", _("By telephone")
        PROXY = "proxy", _("Through a representative")
        OTHER = "other", _("Other")

    ERASABLE_FIELDS = ("scope", "note")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Orders records made within the same clock tick; UUIDs do not sort by time.
    seq = models.BigIntegerField(default=0, editable=False)
    # PROTECT: history is never deleted along with what it is about (erasure blanks, keeps rows).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    scope = models.TextField(
        _("scope"),
        blank=True,
        help_text=_("What the person agreed to: which information may be shared, with whom."),
    )
    obtained_on = models.DateField(_("date"))
    method = models.CharField(
        _("how it was obtained"), max_length=20, choices=Method.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-recorded_at", "-seq"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["client", "-recorded_at", "-seq"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} ({self.obtained_on:%Y-%m-%d})"

    @property
    def allows_placement(self) -> bool:
        return self.stage == self.Stage.CONSENTED


class SupportPlan(models.Model):
    """An individual support plan (個別支援計画); a revision is a new row, the old one kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        SUPERSEDED = "superseded", _("Replaced by a revision")
        ENDED = "ended", _("Ended")
        INTERRUPTED = "interrupted", _("Interrupted")

    CURRENT = (Status.DRAFT, Status.AGREED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    goals = EncryptedTextField(_("goals"))
    support_details = EncryptedTextField(_("support and roles"), blank=True)
    meeting_date = models.DateField(
        _("agreed at the support meeting on"),
        null=True,
        blank=True,
        help_text=_("The date of the multi-agency support meeting that agreed the plan."),
    )
    meeting_organisations = EncryptedTextField(
        _("organisations at the meeting"), blank=True, help_text=_("One per line.")
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    closed_on = models.DateField(_("ended on"), null=True, blank=True)
    close_reason = EncryptedTextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    def organisation_list(self) -> list[str]:
        return [line.strip() for line in self.meeting_organisations.splitlines() if line.strip()]


class PlanDecision(models.Model):
    """What a meeting decided about a plan, with its evaluation (the meeting papers record it).

    A correction is a new decision; the plan's own status follows the latest one.
    """

    class Meeting(models.TextChoices):
        SUPPORT_MEETING = "juso", _("Multi-agency support meeting (重層的支援会議)")
        CONFIDENTIAL = "shien", _("Support meeting without consent (支援会議)")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve the plan")
        CONTINUE = "continue", _("Continue")
        REVISE = "revise", _("Revise the plan")
        END = "end", _("End (goals reached)")
        INTERRUPT = "interrupt", _("Interrupt")

    ERASABLE_FIELDS = ("evaluation",)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.CharField(
        _("meeting"), max_length=10, choices=Meeting.choices, default=Meeting.SUPPORT_MEETING
    )
    meeting_date = models.DateField(_("meeting date"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    evaluation = EncryptedTextField(_("evaluation"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedPlanQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-meeting_date", "-recorded_at"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.meeting_date:%Y-%m-%d})"
