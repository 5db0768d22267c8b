"""District choices across towns (issue 17): which districts a form offers, and how.

Two towns may each have a district of the same name, so a select offering several towns'
districts groups them under their town's name (an ``<optgroup>`` per town, the site's own town
first); a select of one town's districts stays the plain list it always was. The choice is
still checked against the queryset, so a district outside it is refused as an invalid choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIteratorValue

from tsunagu.island import Town, towns

from .models import Area


def island_areas(island: list[Town]) -> QuerySet[Area]:
    """The districts of the towns a site shows (``tsunagu.island.island_of``): its own town's,
    and the sharing towns' when it shares. Every district on an install of one town.

    A town served on two hostnames is one tree; its districts may hang on either site, so the
    sites are matched by their trees, not only by id."""
    every = towns()
    if len(every) <= 1:
        return Area.objects.all()
    trees = {town.root_path for town in island}
    return Area.objects.filter(site_id__in=[t.site_id for t in every if t.root_path in trees])


class _ByTownIterator(forms.models.ModelChoiceIterator):
    """The choices, grouped per town when they come from more than one town."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = list(self.queryset)
        groups: dict[int, list[Area]] = {}
        for area in rows:
            groups.setdefault(area.site_id, []).append(area)
        if len(groups) <= 1:
            yield from (self._option(area) for area in rows)
            return
        names = {town.site_id: town.name for town in towns()}
        order = [self.field.first_town, *names]
        for site_id in sorted(
            groups, key=lambda pk: order.index(pk) if pk in order else len(order)
        ):
            yield (names.get(site_id, ""), [self._option(area) for area in groups[site_id]])

    def _option(self, area: Area) -> tuple[ModelChoiceIteratorValue, str]:
        # The name alone: the group says which town.
        return (ModelChoiceIteratorValue(self.field.prepare_value(area), area), area.name)


class _ByTownFilterIterator(django_filters.fields.ModelChoiceIterator, _ByTownIterator):
    """The same for a filter (django-filter adds its "none" choice, when asked for one)."""


class TownAreaChoiceField(forms.ModelChoiceField):
    """A district select grouped by town when it offers several towns' districts.

    ``first_town`` (a site id) is the group shown first: the site's own town on a public
    form. Elsewhere (an active filter's label, an error) a district is named with its town
    whenever the install has several towns, e.g. 「中央（知名町）」."""

    iterator = _ByTownIterator

    def __init__(self, *args: Any, first_town: int | None = None, **kwargs: Any) -> None:
        self.first_town = first_town
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        every = towns()
        if len(every) <= 1:
            return obj.name
        name = next((town.name for town in every if town.site_id == obj.site_id), "")
        return f"{obj.name}（{name}）" if name else obj.name


class TownAreaFilterField(django_filters.fields.ModelChoiceField, TownAreaChoiceField):
    iterator = _ByTownFilterIterator


class TownAreaFilter(django_filters.ModelChoiceFilter):
    """A district filter whose choices are grouped by town (``TownAreaChoiceField``)."""

    field_class = TownAreaFilterField
