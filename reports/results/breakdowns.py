"""The rows a report is broken down into: support field, district, age band or team.

Each group is a ``Q`` on the client, so one query counts every group at once (a conditional
``COUNT`` per group) and the same condition serves queries on proposals, placements and
check-ins once prefixed with the path to their client. District, age band and team split the
clients (each is in exactly one group, "not recorded" included), so the groups add up to the
total; support fields do not: a client with two fields is counted in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.access import visible_areas, visible_teams
from matching.models import AgeBand, Client
from matching.models.clients import FIELD_FLAGS

INT = IntegerField()


class Breakdown(models.TextChoices):
    NONE = "", gettext_lazy("No breakdown")
    FIELD = "field", gettext_lazy("Support field")
    AREA = "area", gettext_lazy("District")
    AGE = "age", gettext_lazy("Age band")
    TEAM = "team", gettext_lazy("Team")


@dataclass(frozen=True)
class Group:
    """One row of a broken-down table: ``q`` selects its clients."""

    key: str
    label: str
    q: Q

    def on(self, path: str) -> Q:
        """This group's condition on a model that reaches the client through ``path``."""
        return prefixed(self.q, path)


def prefixed(q: Q, path: str) -> Q:
    """``q`` with every lookup moved under ``path`` ("client" → ``client__area_id``)."""
    if not path:
        return q
    copy = Q()
    copy.connector, copy.negated = q.connector, q.negated
    copy.children = [
        prefixed(child, path) if isinstance(child, Q) else (f"{path}__{child[0]}", child[1])
        for child in q.children
    ]
    return copy


def is_partition(breakdown: str) -> bool:
    """Whether the groups split the clients, so that they add up to the total."""
    return breakdown not in (Breakdown.NONE, Breakdown.FIELD)


def field_choices() -> list[tuple[str, str]]:
    """(flag name, label) of the five support fields (高齢・障害・子ども・生活困窮・その他)."""
    return [(flag, str(Client._meta.get_field(flag).verbose_name)) for flag in FIELD_FLAGS]


def groups(breakdown: str, *, user: Any, age_on_year: int) -> list[Group]:
    """The groups of a breakdown, in display order (none for no breakdown).

    Ages are reckoned from the year of birth in ``age_on_year`` (the period's first year), else
    from the recorded age band.
    """
    if breakdown == Breakdown.FIELD:
        return _field_groups()
    if breakdown == Breakdown.AREA:
        areas = [
            Group(str(pk), name, Q(area_id=pk))
            for pk, name in visible_areas(user).values_list("pk", "name")
        ]
        return [*areas, Group("", _("Not recorded"), Q(area__isnull=True))]
    if breakdown == Breakdown.AGE:
        return _age_groups(age_on_year)
    if breakdown == Breakdown.TEAM:
        return [
            Group(str(pk), name, Q(team_id=pk))
            for pk, name in visible_teams(user).values_list("pk", "name")
        ]
    return []


def _field_groups() -> list[Group]:
    fields = [Group(flag, label, Q(**{flag: True})) for flag, label in field_choices()]
    none = Q(**dict.fromkeys(FIELD_FLAGS, False))
    return [*fields, Group("", _("Not recorded"), none)]


def _age_groups(year: int) -> list[Group]:
    """Age = ``year`` − year of birth, in tens; 90 and over in one band."""
    bands = list(AgeBand)
    result = []
    for index, band in enumerate(bands):
        youngest_born = year - band.value  # born this year: aged band.value
        if index == 0:
            by_birth = Q(birth_year__gt=year - bands[1].value)
        elif index == len(bands) - 1:
            by_birth = Q(birth_year__lte=youngest_born)
        else:
            by_birth = Q(
                birth_year__lte=youngest_born, birth_year__gt=year - bands[index + 1].value
            )
        by_band = Q(birth_year__isnull=True, age_band=band.value)
        result.append(Group(str(band.value), str(band.label), by_birth | by_band))
    unknown = Q(birth_year__isnull=True, age_band__isnull=True)
    return [*result, Group("", _("Not recorded"), unknown)]


@dataclass(frozen=True)
class GroupSet:
    """The groups one query counts at once, as columns to ``GROUP BY``.

    When the groups with a condition split the clients (``partition``), one column says which
    of them a row is in; otherwise (support fields) one 0/1 column per group. A group without
    a condition (the total) takes every row. Integers, not booleans: nothing to convert when
    thousands of rows come back.
    """

    groups: Sequence[Group]
    partition: bool

    def columns(self, path: str) -> dict[str, Case | Value]:
        """The columns for a queryset whose model reaches the client through ``path``."""
        conditional = [(i, group) for i, group in enumerate(self.groups) if group.q]
        if not conditional:  # the total only; a column still, or values() would take every field
            return {"group": Value(-1, output_field=INT)}
        if self.partition:
            whens = [When(group.on(path), then=Value(i)) for i, group in conditional]
            return {"group": Case(*whens, default=Value(-1), output_field=INT)}
        return {
            f"g{i}": Case(When(group.on(path), then=Value(1)), default=Value(0), output_field=INT)
            for i, group in conditional
        }

    def split(self, rows: Sequence[dict]) -> list[list[dict]]:
        """The rows each group gets, in the order of the groups."""
        result: list[list[dict]] = [[] for _ in self.groups]
        always = [i for i, group in enumerate(self.groups) if not group.q]
        for row in rows:
            if self.partition:
                member = [row["group"]] if row["group"] >= 0 else []
            else:
                member = [i for i, group in enumerate(self.groups) if group.q and row[f"g{i}"]]
            for i in [*member, *always]:
                result[i].append(row)
        return result
