"""The 実績 figures against answers computed by hand from tests/reports/results_town.py.

Every expected number is worked out in the comment beside it from the records listed there.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Placement
from reports.cells import SUPPRESSED
from reports.results.breakdowns import Breakdown
from reports.results.figures import Filters, fiscal_year, results
from reports.results.periods import Period
from tests.matching.factories import ClientFactory, host_activity

from .results_town import HOSTILE_NAME, NOW, town_for_module

S = SUPPRESSED
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with town_for_module(django_db_blocker) as town:
        yield town


def funnel(figures):
    f = figures.funnel
    return [f.referred, f.consented, f.planned, f.proposed, f.placed]


def test_funnel_of_the_coordinators_team(town):
    coordinator = town.coordinator
    total = fiscal_year(coordinator, 2026).total
    # referred: C1 (4/1, first day), C2 (3/31, last day), C4; not C3 (the day before) → 3
    # consented: C1, C3 (C2's is next year, C4 only a support-meeting record) → 2
    # with a plan: C1 (created 4/20), C3 (agreed at the 4/15 meeting); C4's is next year → 2
    # proposed: C1 (P1, P2), C3 (P3 at 00:30 JST on 4/1), C2 (P6, unanswered) → 3
    # placed: C1 (L1, L3), C3 (L2), C4 (L6); L4 started the year before → 3
    assert funnel(total) == [3, 2, 2, 3, 3]


def test_host_answers_and_days_to_answer(town):
    coordinator = town.coordinator
    answers = fiscal_year(coordinator, 2026).total.answers
    # sent: P1, P2, P3, P6 (P4 went out at 23:30 on 3/31) → 4; answered P1, P2, P3 → 3;
    # accepted P1, P3 → 2; days 2.0, 4.5, 1.0 → mean 2.5, median 2.0
    assert (answers.sent, answers.answered, answers.accepted) == (4, 3, 2)
    assert (answers.days.n, answers.days.mean, answers.days.median) == (3, 2.5, 2.0)


def test_days_from_referral_to_the_first_placement(town):
    coordinator = town.coordinator
    stats = fiscal_year(coordinator, 2026).total.to_placement
    # C1: 4/1 → L1 5/10 = 39 days; C4: 2026-06-10 → 2027-03-20 = 283 days;
    # C3's first placement (L4) started the year before: not counted → mean = median = 161
    assert (stats.n, stats.mean, stats.median) == (2, 161.0, 161.0)


def test_retention_at_each_follow_up_point(town):
    coordinator = town.coordinator
    retention = fiscal_year(coordinator, 2026).total.retention
    # Cohort L1, L2, L3, L6 (started in the year); today 2027-05-15.
    # 14: all four have reached it (L6: 3/20 + 14 = 4/3); L3 stopped after 9 days → 3 of 4
    # 42: L6 reached it on 5/1; L2 (26 days) and L3 stopped before → 2 of 4
    # 91: L6 has not reached it (6/19); of L1, L2, L3 only L1 → 1 of 3; 182: the same → 1 of 3
    assert [(r.point, r.reached, r.retained) for r in retention] == [
        (14, 4, 3),
        (42, 4, 2),
        (91, 3, 1),
        (182, 3, 1),
    ]


def test_ended_and_interrupted_placements_by_reason(town):
    coordinator = town.coordinator
    rows = {r.label: (r.ended, r.interrupted) for r in fiscal_year(coordinator, 2026).end_reasons}
    # L2 ended (did not fit) 5/1, L4 ended (health) 4/20, L3 interrupted (no reason) 9/10
    reasons = Placement.EndReason
    assert rows.pop(str(reasons.NOT_A_FIT.label)) == (1, 0)
    assert rows.pop(str(reasons.HEALTH.label)) == (1, 0)
    assert rows.pop("未記録") == (0, 1)
    assert set(rows.values()) == {(0, 0)}
    assert len(rows) == len(reasons.choices) - 2


def test_loneliness_change_from_the_baseline(town):
    coordinator = town.coordinator
    changes = fiscal_year(coordinator, 2026).total.loneliness
    # 14: L1 9 → 7 (−2), L2 11 → 12 (+1); L6 has no baseline total; L4 is not in the cohort
    #     → n 2, mean −0.5, median −0.5, improved 1, baseline mean 10, follow-up mean 9.5
    # 42: L1 9 → 6 → n 1, −3, improved 1 · 91: L1's is pending → n 0 · 182: n 0
    at14, at42, at91, at182 = changes
    assert (at14.change.n, at14.change.mean, at14.change.median) == (2, -0.5, -0.5)
    assert at14.improved == 1
    assert (at14.baseline_mean, at14.follow_up_mean) == (10.0, 9.5)
    assert (at42.change.n, at42.change.mean, at42.improved) == (1, -3.0, 1)
    assert (at91.change.n, at91.change.mean, at182.change.n) == (0, None, 0)


def test_life_satisfaction_change_from_the_baseline(town):
    coordinator = town.coordinator
    at14, at42, *_ = fiscal_year(coordinator, 2026).total.satisfaction
    # 14: L1 4 → 6 (+2), L2 2 → 2 (0), L6 5 → 7 (+2) → n 3, mean 4/3, median 2, improved 2
    #     baseline mean 11/3, follow-up mean 15/3 = 5
    assert (at14.change.n, round(at14.change.mean, 3), at14.change.median) == (3, 1.333, 2.0)
    assert at14.improved == 2
    assert (round(at14.baseline_mean, 3), at14.follow_up_mean) == (3.667, 5.0)
    # 42: L1 4 → 5
    assert (at42.change.n, at42.change.mean, at42.improved) == (1, 1.0, 1)


def test_volunteers_hours_and_events(town):
    coordinator = town.coordinator
    figures = fiscal_year(coordinator, 2026)
    # V1 (hours), V2 (a confirmed shift on 7/1; its hours are pending), V4 (hours); V3's are
    # next year → 3
    assert figures.volunteers == 3
    # 「=あおぞら会」: April 2.00 + May 1.50 = 3.50; no group: August 2.50 (V2's pending 3 h and
    # V3's next-year hour are not counted). Months run April … March.
    hours = {row.label: row for row in figures.hours}
    assert list(hours) == [HOSTILE_NAME, "団体なし"]
    assert hours[HOSTILE_NAME].by_month[:2] == [Decimal("2.00"), Decimal("1.50")]
    assert hours[HOSTILE_NAME].total == Decimal("3.50")
    assert hours["団体なし"].by_month[4] == Decimal("2.50")
    # June: E1 (E3 cancelled, E2 next year); its sign-ups of 1 and 3 people (one cancelled)
    events = {e.month: (e.events, e.signups, e.people) for e in figures.events}
    assert events[dt.date(2026, 6, 1)] == (1, 2, 4)
    assert sum(e.events for e in figures.events) == 1
    assert len(figures.events) == 12


def test_listings_per_district_and_interest(town):
    coordinator = town.coordinator
    figures = fiscal_year(coordinator, 2026)
    # columns: place, activity, event, opportunity
    by_area = {row.label: row.counts for row in figures.listings_by_area}
    assert by_area == {"和泊": [1, 1, 0, 0], "喜美留": [0, 1, 0, 0], "未記録": [0, 0, 3, 1]}
    by_interest = {row.label: row.counts for row in figures.listings_by_interest}
    assert by_interest["農作業"] == [1, 1, 0, 0]


def test_another_teams_coordinator_counts_only_their_team(town):
    other_coordinator = town.other_coordinator
    total = fiscal_year(other_coordinator, 2026).total
    # D1 only: referred 5/1, consented 5/2, plan 5/5, PB sent 5/6 (accepted in a day), LB 6/1
    assert funnel(total) == [1, 1, 1, 1, 1]
    assert (total.answers.sent, total.answers.days.mean) == (1, 1.0)


def test_supervisor_counts_every_team(town):
    supervisor = town.supervisor
    # team A's 3, 2, 2, 3, 3 plus D1's 1 each
    assert funnel(fiscal_year(supervisor, 2026).total) == [4, 3, 3, 4, 4]


def test_editor_counts_nobody(town):
    editor = town.editor
    figures = fiscal_year(editor, 2026)
    assert funnel(figures.total) == [0, 0, 0, 0, 0]
    assert figures.rows == []


def test_breakdown_by_field_counts_a_client_in_each_of_their_fields(town):
    coordinator = town.coordinator
    figures = fiscal_year(coordinator, 2026, breakdown=Breakdown.FIELD)
    rows = {row.group.label: funnel(row) for row in figures.rows}
    # 高齢 C1, C2 · 障害 C2 · 子ども C3 · 生活困窮 C4 · その他 and 未記録 nobody
    assert rows == {
        "高齢": [2, 1, 1, 2, 1],
        "障害": [1, 0, 0, 1, 0],
        "子ども": [0, 1, 1, 1, 1],
        "生活困窮": [1, 0, 0, 0, 1],
        "その他": [0, 0, 0, 0, 0],
        "未記録": [0, 0, 0, 0, 0],
    }
    assert funnel(figures.total) == [3, 2, 2, 3, 3]  # C2 once, though in two fields
    funnel_table = figures.tables[0]
    assert not funnel_table.sums
    assert any("数えています" in note for note in funnel_table.notes)


def test_breakdown_by_age_band_from_the_year_of_birth_at_the_years_start(town):
    coordinator = town.coordinator
    figures = fiscal_year(coordinator, 2026, breakdown=Breakdown.AGE)
    referred = {row.group.key: row.funnel.referred for row in figures.rows}
    placed = {row.group.key: row.funnel.placed for row in figures.rows}
    # in 2026: C1 born 1950 → 76 (70s), C2 recorded 40s, C3 born 2015 → 11 (teens),
    # C4 born 1990 → 36 (30s)
    assert {k: v for k, v in referred.items() if v} == {"70": 1, "40": 1, "30": 1}
    assert {k: v for k, v in placed.items() if v} == {"70": 1, "10": 1, "30": 1}


def test_breakdown_by_district_and_by_team(town):
    coordinator = town.coordinator
    by_area = fiscal_year(coordinator, 2026, breakdown=Breakdown.AREA)
    rows = {row.group.label: funnel(row) for row in by_area.rows}
    # 和泊 C1, C3 · 喜美留 C2 · 未記録 C4
    assert rows == {
        "和泊": [1, 2, 2, 2, 2],
        "喜美留": [1, 0, 0, 1, 0],
        "未記録": [1, 0, 0, 0, 1],
    }
    by_team = fiscal_year(coordinator, 2026, breakdown=Breakdown.TEAM)
    assert [(row.group.label, funnel(row)) for row in by_team.rows] == [
        ("地域包括支援センター", [3, 2, 2, 3, 3])
    ]


def test_one_month_of_the_year(town):
    coordinator = town.coordinator
    march = results(coordinator, Period(2026, 3)).total
    # March 2027: C2 referred 3/31, P6 sent 3/20, L6 started 3/20
    assert funnel(march) == [1, 0, 0, 1, 1]
    april = results(coordinator, Period(2026, 4)).total
    # April 2026: C1 referred; C1, C3 consented; C1, C3 plans; P3 (C3); L2 (C3)
    assert funnel(april) == [1, 2, 2, 1, 1]


def test_filters_narrow_the_clients(town):
    supervisor = town.supervisor
    team_a = town.team_a
    coordinator = town.coordinator
    assert funnel(fiscal_year(supervisor, 2026, team=team_a).total) == [3, 2, 2, 3, 3]
    # 和泊: C1, C3
    assert funnel(fiscal_year(coordinator, 2026, area=town.wadomari).total) == [1, 2, 2, 2, 2]
    assert funnel(fiscal_year(coordinator, 2026, field="field_children").total) == [0, 1, 1, 1, 1]
    assert funnel(fiscal_year(coordinator, 2026, field="none").total) == [0, 0, 0, 0, 0]
    described = Filters(team=team_a, area=town.wadomari, field="field_children").describe()
    assert described == ["チーム：地域包括支援センター", "地区：和泊", "分野：子ども"]


def test_public_tables_suppress_small_cells(town):
    coordinator = town.coordinator
    figures = fiscal_year(coordinator, 2026, breakdown=Breakdown.AREA)
    public = {table.key: table for table in figures.public_tables}
    exact = {table.key: table for table in figures.tables}
    # Rows 和泊, 喜美留, 未記録, 合計 (the districts add up to the total).
    # referred 1,1,1 | 3: the three 1s hidden; together 3 people, so the total may stay.
    # consented 2,0,0 | 2: the 2s hidden, zeros shown. proposed 2,1,0 | 3 → *,*,0,3.
    # placed 2,0,1 | 3 → *,0,*,3.
    assert [row.values for row in public["funnel"].rows] == [
        [S, S, S, S, S],
        [S, 0, 0, S, 0],
        [S, 0, 0, 0, S],
        [3, S, S, 3, 3],
    ]
    assert [row.values for row in exact["funnel"].rows][-1] == [3, 2, 2, 3, 3]
    # Answers (total row): sent 4; answered 3 of 4 leaves 1 unanswered → answered hidden;
    # accepted 2 → hidden; the rate and the days (over the hidden 3) → hidden.
    assert public["answers"].rows[-1].values == [4, S, S, S, S, S]
    # Hours, listings: not about identifiable people, never hidden.
    assert public["hours"].rows == exact["hours"].rows
    assert public["listings_area"].rows == exact["listings_area"].rows


def test_a_bounded_number_of_queries_whatever_the_data(town):
    coordinator = town.coordinator
    team_a = town.team_a

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            fiscal_year(coordinator, 2026, breakdown=Breakdown.AREA).public_tables  # noqa: B018
        return len(queries)

    count()  # the first call caches the user's teams and the content types
    before = count()
    activity = host_activity(title="追加の畑")
    for n in range(15):
        person = ClientFactory(team=team_a, referred_on=dt.date(2026, 7, 1), area=town.kimiru)
        Placement.objects.create(client=person, activity=activity, status="active",
                                 started_on=dt.date(2026, 8, n + 1))  # fmt: skip
    assert count() == before
    assert 12 <= before <= 25
