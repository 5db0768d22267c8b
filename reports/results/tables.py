"""The 実績 as tables, exact or suppressed: what the page, the exports and the pack render.

A column says what kind of number it holds, which is what suppression needs to know:

- ``COUNT`` — people (or their proposals and placements): hidden when small (``reports.cells``);
  ``of`` lists the columns of the same row it is the sum of; ``part_of`` the column it is a part
  of (retained of reached): the rest is people too, so a small rest hides the part (9 of 10
  tells that one person left).
- ``SHARE`` — a percentage ``of=(part, whole)``: hidden when either count is.
- ``STATISTIC`` — a mean or median over the people counted in column ``of=(n,)``: hidden with
  that count.
- ``PLAIN`` — hours, events and listings: not about identifiable people, never hidden.

When ``sums`` is set the last row is the total of the rows above it, so a hidden cell in a
column is protected against that total as well (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import charts
from reports.cells import SUPPRESSED, Line, hidden_cells

from .breakdowns import Breakdown, is_partition
from .community import listing_type_labels

if TYPE_CHECKING:
    from .figures import Results

COUNT, SHARE, STATISTIC, PLAIN = "count", "share", "statistic", "plain"
UCLA_RANGE = (3, 12)  # three items answered 1–4
SATISFACTION_RANGE = (0, 10)


@dataclass(frozen=True)
class Column:
    """``group`` heads several columns (「14日」 over 対象・継続・継続率)."""

    label: str
    kind: str = COUNT
    of: tuple[int, ...] = ()
    part_of: int | None = None
    group: str = ""

    @property
    def heading(self) -> str:
        """The heading on one line, as exports write it."""
        if not self.group:
            return self.label
        return _("%(group)s: %(label)s") % {"group": self.group, "label": self.label}


@dataclass(frozen=True)
class Row:
    label: str
    values: list[Any]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    row_heading: str
    columns: list[Column]
    rows: list[Row]
    sums: bool = False
    notes: list[str] = field(default_factory=list)

    def column_groups(self) -> list[tuple[str, int]]:
        """(group, how many columns) in order, for a heading row above the columns; [] if none."""
        if not any(column.group for column in self.columns):
            return []
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    def protected(self, minimum: int) -> Table:
        """This table as it may leave the team: small cells and what would reveal them → ``*``."""
        counts: dict[Hashable, int] = {}
        lines: list[Line] = []
        every = range(len(self.rows))
        body = range(len(self.rows) - 1)
        last = len(self.rows) - 1
        for c, column in enumerate(self.columns):
            if column.kind == COUNT:
                counts.update({(r, c): row.values[c] or 0 for r, row in enumerate(self.rows)})
                if column.of:
                    lines += [Line([(r, p) for p in column.of], (r, c)) for r in every]
                if self.sums:
                    lines.append(Line([(r, c) for r in body], (last, c)))
            if column.part_of is not None:
                whole = column.part_of
                for r, row in enumerate(self.rows):
                    counts[("rest", r, c)] = (row.values[whole] or 0) - (row.values[c] or 0)
                    lines.append(Line([(r, c), ("rest", r, c)], (r, whole)))
                if self.sums:
                    lines.append(Line([("rest", r, c) for r in body], ("rest", last, c)))
        hidden = hidden_cells(counts, lines, minimum)
        rows = [
            Row(
                row.label,
                [self._shown(r, c, value, hidden) for c, value in enumerate(row.values)],
            )
            for r, row in enumerate(self.rows)
        ]
        return replace(self, rows=rows)

    def _shown(self, r: int, c: int, value: Any, hidden: frozenset) -> Any:
        column = self.columns[c]
        if column.kind == COUNT:
            return SUPPRESSED if (r, c) in hidden else value
        if column.kind == SHARE:
            part, whole = column.of
            return SUPPRESSED if {(r, part), (r, whole)} & hidden else value
        if column.kind == STATISTIC:
            # A count that is not hidden is 0 or at least the minimum: its statistics may show.
            return SUPPRESSED if (r, column.of[0]) in hidden else value
        return value


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1) + 0.0  # + 0.0: never "-0.0"


def _month(day: Any) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def _with_total(rows: list[Row]) -> list[Row]:
    """The rows and a last one, 合計, with the sum of each column (no rows: none)."""
    if not rows:
        return []
    sums = [sum(column) for column in zip(*(row.values for row in rows), strict=True)]
    return [*rows, Row(_("Total"), sums)]


def results_tables(results: Results) -> list[Table]:
    """Every table of the report, in reading order."""
    return [
        *client_tables(results),
        end_reason_table(results),
        *community_tables(results),
    ]


def client_tables(results: Results) -> list[Table]:
    """The breakdown's tables: one row per group, then the total."""
    groups = [*results.rows, results.total]
    sums = is_partition(results.breakdown)
    heading = Breakdown(results.breakdown).label if results.breakdown else results.period.label
    notes = []
    if results.breakdown == Breakdown.FIELD:
        notes.append(
            _(
                "A client with more than one support field is counted in each: "
                "the fields do not add up to the total."
            )
        )

    def table(
        key: str, title: str, columns: list[Column], values: Any, extra: Sequence[str] = ()
    ) -> Table:
        rows = [Row(str(g.group.label), values(g)) for g in groups]
        return Table(key, title, str(heading), columns, rows, sums=sums, notes=[*notes, *extra])

    points = results.points
    retention_columns, score_columns = [], []
    for i, point in enumerate(points):
        days = charts.days_label(point)
        base = 3 * i
        retention_columns += [
            Column(pgettext("results table", "reached"), group=days),
            Column(pgettext("results table", "still taking part"), part_of=base, group=days),
            Column(_("% still taking part"), SHARE, (base + 1, base), group=days),
        ]
        base = 4 * i
        score_columns += [
            Column(pgettext("results table", "n"), group=days),
            Column(_("mean change"), STATISTIC, (base,), group=days),
            Column(_("median change"), STATISTIC, (base,), group=days),
            Column(pgettext("results table", "improved"), part_of=base, group=days),
        ]

    def scores(changes: Any) -> list[Any]:
        return [
            value
            for change in changes
            for value in (
                change.n,
                _rounded(change.change.mean),
                _rounded(change.change.median),
                change.improved,
            )
        ]

    as_of = formats.date_format(results.as_of, "DATE_FORMAT")
    cohort = _("Placements started in the period, followed up to %(date)s.") % {"date": as_of}
    return [
        table(
            "funnel",
            _("Clients: from referral to placement"),
            [
                Column(pgettext("results table", "referred")),
                Column(pgettext("results table", "consented")),
                Column(pgettext("results table", "with a plan")),
                Column(pgettext("results table", "proposed")),
                Column(pgettext("results table", "placed")),
            ],
            lambda g: [
                g.funnel.referred,
                g.funnel.consented,
                g.funnel.planned,
                g.funnel.proposed,
                g.funnel.placed,
            ],
            [_("Each client is counted once per step, when the step happened in the period.")],
        ),
        table(
            "answers",
            _("Proposals and the host places' answers"),
            [
                Column(_("proposals sent")),
                Column(pgettext("results table", "answered"), part_of=0),
                Column(pgettext("results table", "accepted"), part_of=1),
                Column(_("acceptance rate (%)"), SHARE, (2, 1)),
                Column(_("days to answer: mean"), STATISTIC, (1,)),
                Column(_("days to answer: median"), STATISTIC, (1,)),
            ],
            lambda g: [
                g.answers.sent,
                g.answers.answered,
                g.answers.accepted,
                _share(g.answers.accepted, g.answers.answered),
                _rounded(g.answers.days.mean),
                _rounded(g.answers.days.median),
            ],
        ),
        table(
            "to_placement",
            _("Days from referral to the first placement"),
            [
                Column(_("clients placed for the first time")),
                Column(_("mean days"), STATISTIC, (0,)),
                Column(_("median days"), STATISTIC, (0,)),
            ],
            lambda g: [
                g.to_placement.n,
                _rounded(g.to_placement.mean),
                _rounded(g.to_placement.median),
            ],
        ),
        table(
            "retention",
            _("Still taking part at each follow-up point"),
            retention_columns,
            lambda g: [
                value
                for r in g.retention
                for value in (r.reached, r.retained, _share(r.retained, r.reached))
            ],
            [cohort],
        ),
        table(
            "loneliness",
            _("Loneliness (UCLA-3 total, 3–12): change from the baseline"),
            score_columns,
            lambda g: scores(g.loneliness),
            [cohort, _("Lower is better: improved means the total went down.")],
        ),
        table(
            "satisfaction",
            _("Life satisfaction (0–10): change from the baseline"),
            score_columns,
            lambda g: scores(g.satisfaction),
            [cohort, _("Higher is better: improved means the score went up.")],
        ),
    ]


def end_reason_table(results: Results) -> Table:
    rows = [
        Row(r.label, [r.ended, r.interrupted, r.ended + r.interrupted]) for r in results.end_reasons
    ]
    return Table(
        "end_reasons",
        _("Placements ended or interrupted in the period, by reason"),
        _("reason"),
        [
            Column(pgettext("results table", "ended")),
            Column(pgettext("results table", "interrupted")),
            Column(pgettext("results table", "total"), COUNT, (0, 1)),
        ],
        _with_total(rows),
        sums=True,
    )


def community_tables(results: Results) -> list[Table]:
    town = _("The whole town's figures: the team and field filters do not apply.")
    months = results.period.months()
    hours = [Row(r.label, [*r.by_month, r.total]) for r in results.hours]
    events = [Row(_month(e.month), [e.events, e.signups, e.people]) for e in results.events]
    types = listing_type_labels()

    def listings(key: str, title: str, heading: str, source: list) -> Table:
        rows = _with_total([Row(r.label, [*r.counts, r.total]) for r in source])
        columns = [Column(label, PLAIN) for label in [*types, pgettext("results table", "total")]]
        return Table(
            key, title, heading, columns, rows, sums=True, notes=[_("Published listings now.")]
        )

    return [
        Table(
            "volunteers",
            _("Volunteers active in the period"),
            results.period.label,
            [Column(pgettext("results table", "volunteers"))],
            [Row(_("Total"), [results.volunteers])],
            notes=[town, _("With approved hours or a confirmed shift that took place.")],
        ),
        Table(
            "hours",
            _("Volunteer hours by organisation and month"),
            _("organisation"),
            [
                *(Column(_month(m), PLAIN) for m in months),
                Column(pgettext("results table", "total"), PLAIN),
            ],
            _with_total(hours),
            sums=True,
            notes=[town, _("Approved hours only.")],
        ),
        Table(
            "events",
            _("Event participation"),
            _("month"),
            [
                Column(pgettext("results table", "events"), PLAIN),
                Column(pgettext("results table", "sign-ups")),
                Column(pgettext("results table", "people")),
            ],
            _with_total(events),
            sums=True,
            notes=[town, _("Events by the month of their first date; sign-ups not cancelled.")],
        ),
        listings(
            "listings_area", _("Listings per district"), _("district"), results.listings_by_area
        ),
        listings(
            "listings_interest",
            _("Listings per interest"),
            _("interest"),
            results.listings_by_interest,
        ),
    ]


def results_charts(results: Results, tables: Sequence[Table]) -> list[charts.Chart]:
    """The charts, drawn from the tables given (so suppressed tables give suppressed charts)."""
    by_key = {table.key: table for table in tables}
    funnel = by_key["funnel"]
    total = funnel.rows[-1].values
    retention = by_key["retention"].rows[-1].values
    points = results.points
    drawn = [
        charts.funnel_chart(
            [(column.label, value) for column, value in zip(funnel.columns, total, strict=True)],
            title=funnel.title,
        ),
        charts.retention_curve(
            [(point, retention[3 * i + 2]) for i, point in enumerate(points)],
            title=by_key["retention"].title,
        ),
    ]
    for key, changes, scale in (
        ("loneliness", results.total.loneliness, UCLA_RANGE),
        ("satisfaction", results.total.satisfaction, SATISFACTION_RANGE),
    ):
        n_cells = by_key[key].rows[-1].values[0::4]
        drawn.append(
            charts.score_change(
                [
                    (
                        change.point,
                        SUPPRESSED if n == SUPPRESSED else _rounded(change.baseline_mean),
                        SUPPRESSED if n == SUPPRESSED else _rounded(change.follow_up_mean),
                    )
                    for change, n in zip(changes, n_cells, strict=True)
                ],
                title=by_key[key].title,
                scale=scale,
            )
        )
    drawn.append(
        charts.district_map(
            {row.area: row.total for row in results.listings_by_area if row.area is not None},
            title=_("Listings per district"),
        )
    )
    return drawn
