"""The client list's filters; none of them reveals a name or filters on free text."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from .access import visible_areas, visible_teams
from .models import Client, Consent, Team
from .models.clients import FIELD_FLAGS

NO_CONSENT = "none"


def _teams(request: Any) -> QuerySet:
    return visible_teams(request.user) if request else Team.objects.none()


def _areas(request: Any) -> QuerySet:
    """The districts of the user's towns (another town's id is an invalid choice)."""
    return visible_areas(request.user if request else None)


class ClientFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Client.Status.choices)
    team = django_filters.ModelChoiceFilter(label=_("team"), queryset=_teams)
    field = django_filters.ChoiceFilter(
        label=_("field"),
        method="filter_field",
        choices=[(flag, Client._meta.get_field(flag).verbose_name) for flag in FIELD_FLAGS],
    )
    area = django_filters.ModelChoiceFilter(label=_("district"), queryset=_areas)
    consent = django_filters.ChoiceFilter(
        label=_("consent"),
        method="filter_consent",
        choices=[*Consent.Stage.choices, (NO_CONSENT, _("Not recorded"))],
    )

    class Meta:
        model = Client
        fields: list[str] = []

    def filter_field(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{value: True}) if value in FIELD_FLAGS else queryset

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Needs ``with_consent_stage()`` on the queryset (the index view adds it)."""
        if value == NO_CONSENT:
            return queryset.filter(Q(consent_stage__isnull=True))
        return queryset.filter(consent_stage=value)
