"""The aggregate as tables (``reports.results.tables.Table``), exact or suppressed, and its map.

The same tables feed the page (exact: the team's own screen), the exports and the meeting
papers (suppressed: they leave the team), so a figure reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from matching.gaps import Opening, TownGaps
from reports import charts
from reports.results.tables import PLAIN, Column, Row, Table
from resources.models import Area

from ..models import OpeningRequest


def district_label(area: Area | None) -> str:
    return area.name if area is not None else _("District not recorded")


def _kind_label(kind: str) -> str:
    if kind == "interest":
        return pgettext("term kind", "interest")
    return pgettext("term kind", "need")


def short_list(items: Iterable[str]) -> str:
    """「三線・料理」: as matching.gaps writes its lists."""
    return pgettext("short list", ", ").join(items)


def opening_reasons(opening: Opening) -> str:
    """Why the people it would serve cannot join now: 「受け入れ枠が満員（1/1）」."""
    return short_list(
        _("%(label)s (%(detail)s)") % {"label": c.label, "detail": c.detail}
        if c.detail
        else c.label
        for c in opening.constraints
    )


def district_table(gaps: TownGaps) -> Table:
    """Waiting people per district, and how many of them have something unmet; then the total."""
    rows = [
        Row(
            district_label(area),
            [
                gaps.clients_by_district.get(_pk(area), 0),
                gaps.unmet_by_district.get(_pk(area), 0),
            ],
        )
        for area in gaps.districts
    ]
    rows.append(Row(_("Total"), [gaps.clients, gaps.with_unmet]))
    return Table(
        key="districts",
        title=_("People waiting for a place, by district"),
        row_heading=_("district"),
        columns=[
            Column(_("waiting")),
            Column(_("of whom something is unmet"), part_of=0),
        ],
        rows=rows,
        sums=True,
    )


def unmet_table(gaps: TownGaps) -> Table:
    """Each unmet interest or need: people per district, in all, and the town's activities for it.

    The last row counts people once whatever they lack, so it is not the column's sum.
    """
    width = len(gaps.districts)
    rows = [
        Row(
            term.name,
            [
                _kind_label(term.kind),
                *(term.by_district.get(_pk(area), 0) for area in gaps.districts),
                term.total,
                term.activities,
            ],
        )
        for term in gaps.unmet
    ]
    rows.append(
        Row(
            _("People with anything unmet"),
            ["", *(gaps.unmet_by_district.get(_pk(a), 0) for a in gaps.districts), gaps.with_unmet]
            + [None],
        )
    )
    return Table(
        key="unmet",
        title=_("Interests and needs no suitable activity offers, by district"),
        row_heading=_("interest or need"),
        columns=[
            Column(pgettext("term kind", "kind"), kind=PLAIN),
            *(Column(district_label(area)) for area in gaps.districts),
            Column(_("total"), of=tuple(range(1, width + 1))),
            Column(_("activities in the town offering it"), kind=PLAIN),
        ],
        rows=rows,
        notes=[
            _("A person who lacks several interests or needs is counted in each of their rows."),
            _(
                "Activities in the town offering it: published activities with the term, "
                "whatever their conditions. 0 means the town has none: a resource to develop."
            ),
        ],
    )


def openings_table(gaps: TownGaps, requested: Mapping[int, OpeningRequest]) -> Table:
    """The places that could be asked to open, with the people each would serve and why not now."""
    rows = []
    for opening in gaps.openings:
        activity = opening.activity
        last = requested.get(activity.pk)
        rows.append(
            Row(
                activity.title,
                [
                    str(activity.organization or ""),
                    district_label(activity.area),
                    opening.people,
                    opening_reasons(opening),
                    short_list(opening.terms),
                    formats.date_format(last.requested_on, "DATE_FORMAT") if last else "",
                ],
            )
        )
    return Table(
        key="openings",
        title=_("Places that could be asked to open"),
        row_heading=_("activity"),
        columns=[
            Column(_("operator"), kind=PLAIN),
            Column(_("district"), kind=PLAIN),
            Column(_("people it would serve")),
            Column(_("why not now"), kind=PLAIN),
            Column(_("interests and needs it offers"), kind=PLAIN),
            Column(_("last asked"), kind=PLAIN),
        ],
        rows=rows,
        notes=[
            _(
                "People it would serve: waiting people for whom this activity meets every "
                "condition but one. A person may be counted at several places."
            )
        ],
    )


def unmet_map(district: Table, gaps: TownGaps) -> charts.Chart:
    """People with something unmet on the district map, from the district table given (so a
    suppressed table gives a suppressed map)."""
    values = {
        area: row.values[1]
        for area, row in zip(gaps.districts, district.rows, strict=False)
        if area is not None
    }
    title = _("People with an unmet interest or need, by district")
    return charts.district_map(values, title=title)


def _pk(area: Area | None) -> int | None:
    return area.pk if area is not None else None
