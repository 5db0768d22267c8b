"""A small town whose FY2026 (2026-04-01 – 2027-03-31) 実績 is computed by hand in the tests.

Today is 2027-05-15 (JST). Team A (the coordinator's) has C1–C4, team B (the other
coordinator's) has D1. Records are written directly: the figures are about what is stored,
not about the flows that store it. Every record and why it is there:

Clients (referred_on)                    C1 2026-04-01  first day of the year: in
  C2 2027-03-31 last day: in             C3 2026-03-31  the day before: out
  C4 2026-06-10                          D1 2026-05-01  (team B)
Consents (CONSENTED, obtained_on)        C1 2026-04-05 in · C2 2027-04-01 out (next year) ·
  C3 2026-04-10 in · C4 only a support-meeting stage (not consent) · D1 2026-05-02
Plans                                    C1 created 2026-04-20 · C3 created 2026-03-20 but
  agreed at the meeting of 2026-04-15 (in) · C4 created 2027-04-02 (out) · D1 2026-05-05
Proposals (sent JST → answer)            P1 C1 2026-05-01 10:00 accepted +2.0 days
  P2 C1 2026-05-01 10:00 declined +4.5 days · P3 C3 2026-04-01 00:30 (still 3/31 in UTC)
  accepted +1.0 day · P4 C3 2026-03-31 23:30 (out) · P6 C2 2027-03-20 not answered ·
  PB D1 2026-05-06 accepted +1.0 day
Placements (started → ended)            L1 C1 act1 2026-05-10 active
  L2 C3 act1 2026-04-05 → 2026-05-01 ended (did not fit) · L3 C1 act2 2026-09-01 →
  2026-09-10 interrupted (no reason) · L4 C3 act2 2026-03-01 → 2026-04-20 ended (health):
  before the year's cohort, but ended in it · L6 C4 act1 2027-03-20 active · LB D1 2026-06-01
Check-ins (UCLA items; satisfaction)      L1 baseline 3,3,3;4 · +14 2,3,2;6 · +42 2,2,2;5 ·
  +91 pending · L2 baseline 4,4,3;2 · +14 4,4,4;2 · L3 baseline 2,2,2;7 · L6 baseline
  3,3,–;5 (no UCLA total) · +14 2,2,2;7 · L4 baseline 4,4,4;0 · +14 1,1,1;10 (not in cohort)
Volunteers                               V1 approved 2026-04-01 2.0 h and 2026-05-10 1.5 h
  for 「=あおぞら会」 · V2 pending 3 h (not counted) but a confirmed shift on 2026-07-01 ·
  V3 approved 2027-04-01 (out) · V4 approved 2026-08-15 2.5 h, no group
Events                                   E1 2026-06-20: sign-ups of 1 and 3 people, one of 2
  cancelled · E2 2027-04-02 (out) · E3 2026-06-25 cancelled
Listings (live)                          act1 和泊 · act2 喜美留 tagged 農作業 · a place in
  和泊 tagged 農作業 · E1, E2, E3 and one opportunity with no district
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import time_machine
from django.db import connection, transaction

from followups.models import CheckIn
from matching.models import Client, Consent, Placement, Proposal, SupportPlan, Team, TeamMembership
from resources.models import Area, Organization
from tests.conftest import restore_migration_data
from tests.events.factories import EventPageFactory, EventSignupFactory, at
from tests.matching.factories import (
    ClientFactory,
    TeamFactory,
    host_activity,
    make_editor,
    make_user,
)
from tests.resources.factories import AreaFactory, PlacePageFactory, TermFactory
from tests.volunteers.factories import VolunteerFactory, make_opportunity
from volunteers.models import HoursEntry, SignUp

TODAY = dt.date(2027, 5, 15)
NOW = dt.datetime(2027, 5, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
HOSTILE_NAME = '=HYPERLINK("http://x","y")'


@dataclass
class Town:
    wadomari: Area
    kimiru: Area
    clients: dict[str, Client]
    organisation: Organization
    team_a: Team
    team_b: Team
    coordinator: Any  # team A
    other_coordinator: Any  # team B
    supervisor: Any  # of team B: sees every client
    editor: Any  # a community group's editor: sees none


@contextlib.contextmanager
def executed_queries() -> Iterator[list[str]]:
    """The SQL run inside the block, requests of the test client included.

    ``CaptureQueriesContext`` miscounts a request: ``request_started`` empties the query log
    it reads, so anything logged before the request hides as many of the request's queries.
    """
    queries: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


@contextlib.contextmanager
def town_for_module(django_db_blocker: Any) -> Iterator[Town]:
    """The town, built once for a test module in a transaction rolled back after it (building
    pages takes seconds); each test runs in its own savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic(), time_machine.travel(NOW, tick=False):
        restore_migration_data()
        team_a = TeamFactory(name="地域包括支援センター")
        team_b = TeamFactory(name="こども家庭センター")
        coordinator = make_user("coord_a", team=team_a)
        town = build(team_a, team_b, coordinator)
        town.coordinator = coordinator
        town.other_coordinator = make_user("coord_b", team=team_b)
        town.supervisor = make_user("supervisor", team=team_b, role=TeamMembership.Role.SUPERVISOR)
        town.editor = make_editor()
        yield town
        transaction.set_rollback(True)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build(team_a: Team, team_b: Team, by: Any) -> Town:
    wadomari = AreaFactory(name="和泊", latitude=Decimal("27.392"), longitude=Decimal("128.655"))
    kimiru = AreaFactory(name="喜美留", latitude=Decimal("27.410"), longitude=Decimal("128.640"))
    farming = TermFactory(name="農作業")
    act1 = host_activity()
    act2 = host_activity(title="花の畑 2", area=kimiru, tags=[farming])
    PlacePageFactory(title="公民館", area=wadomari, tags=[farming])

    def client(code: str, team: Team, referred: str, **fields: Any) -> Client:
        defaults = {"field_elderly": False, "birth_year": None, "area": None}
        return ClientFactory(reference_code=code, team=team, referred_on=_day(referred),
                             **{**defaults, **fields})  # fmt: skip

    c1 = client("C1", team_a, "2026-04-01", field_elderly=True, area=wadomari, birth_year=1950)
    c2 = client("C2", team_a, "2027-03-31", field_elderly=True, field_disability=True,
                area=kimiru, age_band=40)  # fmt: skip
    c3 = client("C3", team_a, "2026-03-31", field_children=True, area=wadomari, birth_year=2015)
    c4 = client("C4", team_a, "2026-06-10", field_poverty=True, birth_year=1990)
    d1 = client("D1", team_b, "2026-05-01", field_other=True, area=wadomari, birth_year=1980)

    for person, day, stage in [
        (c1, "2026-04-05", Consent.Stage.CONSENTED),
        (c2, "2027-04-01", Consent.Stage.CONSENTED),
        (c3, "2026-04-10", Consent.Stage.CONSENTED),
        (c4, "2026-06-11", Consent.Stage.SUPPORT_MEETING),
        (d1, "2026-05-02", Consent.Stage.CONSENTED),
    ]:
        Consent.objects.create(client=person, stage=stage, obtained_on=_day(day), recorded_by=by)

    for person, created, meeting in [
        (c1, "2026-04-20", None),
        (c3, "2026-03-20", "2026-04-15"),
        (c4, "2027-04-02", None),
        (d1, "2026-05-05", None),
    ]:
        SupportPlan.objects.create(client=person, goals="目標", created_at=at(created),
                                   meeting_date=meeting and _day(meeting))  # fmt: skip

    for person, activity, sent, status, wait in [
        (c1, act1, at("2026-05-01", "10:00"), "accepted", dt.timedelta(days=2)),
        (c1, act2, at("2026-05-01", "10:00"), "declined", dt.timedelta(days=4, hours=12)),
        (c3, act1, at("2026-04-01", "00:30"), "accepted", dt.timedelta(days=1)),
        (c3, act2, at("2026-03-31", "23:30"), "accepted", dt.timedelta(days=1)),
        (c2, act1, at("2027-03-20", "10:00"), "sent", None),
        (d1, act1, at("2026-05-06", "10:00"), "accepted", dt.timedelta(days=1)),
    ]:
        Proposal.objects.create(client=person, activity=activity, status=status, sent_at=sent,
                                responded_at=wait and sent + wait)  # fmt: skip

    placements = {}
    for key, person, activity, status, started, ended, reason in [
        ("L1", c1, act1, "active", "2026-05-10", None, ""),
        ("L2", c3, act1, "ended", "2026-04-05", "2026-05-01", "not_a_fit"),
        ("L3", c1, act2, "interrupted", "2026-09-01", "2026-09-10", ""),
        ("L4", c3, act2, "ended", "2026-03-01", "2026-04-20", "health"),
        ("L6", c4, act1, "active", "2027-03-20", None, ""),
        ("LB", d1, act1, "active", "2026-06-01", None, ""),
    ]:
        placements[key] = Placement.objects.create(
            client=person, activity=activity, status=status, started_on=_day(started),
            ended_on=ended and _day(ended), end_reason=reason,
        )  # fmt: skip

    done, pending = CheckIn.Status.DONE, CheckIn.Status.PENDING
    for key, offset, status, ucla, satisfaction in [
        ("L1", 0, done, (3, 3, 3), 4),
        ("L1", 14, done, (2, 3, 2), 6),
        ("L1", 42, done, (2, 2, 2), 5),
        ("L1", 91, pending, (None, None, None), None),
        ("L2", 0, done, (4, 4, 3), 2),
        ("L2", 14, done, (4, 4, 4), 2),
        ("L3", 0, done, (2, 2, 2), 7),
        ("L6", 0, done, (3, 3, None), 5),
        ("L6", 14, done, (2, 2, 2), 7),
        ("L4", 0, done, (4, 4, 4), 0),
        ("L4", 14, done, (1, 1, 1), 10),
    ]:
        placement = placements[key]
        CheckIn.objects.create(
            placement=placement,
            kind=CheckIn.Kind.BASELINE if offset == 0 else CheckIn.Kind.FOLLOW_UP,
            offset_days=offset, due_on=placement.started_on + dt.timedelta(days=offset),
            status=status, ucla_no_company=ucla[0], ucla_left_out=ucla[1], ucla_isolated=ucla[2],
            life_satisfaction=satisfaction,
        )  # fmt: skip

    organisation = Organization.objects.create(name=HOSTILE_NAME, kind="voluntary")
    v1, v2, v3, v4 = (VolunteerFactory() for _ in range(4))
    approved, waiting = HoursEntry.Status.APPROVED, HoursEntry.Status.PENDING
    for volunteer, day, hours, status, group in [
        (v1, "2026-04-01", "2.00", approved, organisation),
        (v1, "2026-05-10", "1.50", approved, organisation),
        (v2, "2026-06-01", "3.00", waiting, organisation),
        (v3, "2027-04-01", "1.00", approved, organisation),
        (v4, "2026-08-15", "2.50", approved, None),
    ]:
        HoursEntry.objects.create(volunteer=volunteer, date=_day(day), hours=Decimal(hours),
                                  status=status, organization=group)  # fmt: skip
    opportunity = make_opportunity(shifts=[{"date": _day("2026-07-01")}])
    SignUp.objects.create(volunteer=v2, shift=opportunity.shifts.get(),
                          status=SignUp.Status.CONFIRMED)  # fmt: skip

    e1 = EventPageFactory(start=at("2026-06-20"))
    EventSignupFactory(event=e1, party_size=1)
    EventSignupFactory(event=e1, party_size=3)
    EventSignupFactory(event=e1, party_size=2, cancelled_at=at("2026-06-10"))
    EventSignupFactory(event=EventPageFactory(start=at("2027-04-02")), party_size=4)
    EventSignupFactory(event=EventPageFactory(start=at("2026-06-25"), cancelled=True))

    clients = {c.reference_code: c for c in (c1, c2, c3, c4, d1)}
    return Town(wadomari, kimiru, clients, organisation, team_a, team_b, None, None, None, None)
