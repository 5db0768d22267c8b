"""A small fixed town for the 社会資源の充足状況 tests, with every answer worked out by hand.

Two districts 5.0 km apart: 和泊 (W) and 国頭 (K, 0.045° further north). Every client below is
elderly, born 1960, free on Wednesday and Friday mornings, without transport and able to go
3 km on their own; all but P5 live in W. Activities are on Wednesday 9–11 in W, for everyone,
accepting two placements, unless said otherwise.

Activities (offers → what keeps them from each client):
  GARDEN       園芸                    feasible; no 筆談 (hearing support)
  COOKING      料理, 居場所 (a need)    1 place, taken by FILLER: full (1/1)
  SANSHIN_CLUB 三線                    does not accept placements
  SANSHIN_SAT  三線                    Saturday 13–15 (土曜の昼)
  GO_CLUB      囲碁                    for people with disabilities only; no email, a phone
  CRAFT_K      手芸                    in K: 5.0 km from W

Waiting clients (team A unless said), what is unmet, and their near misses:
  P1, P7, P8  三線 (and P1 園芸)        三線           SANSHIN_CLUB not_accepting,
                                                     SANSHIN_SAT schedule; GARDEN feasible
  P2          料理, 囲碁, 居場所          all three      COOKING capacity (offers 2 of them),
                                                     GO_CLUB audience
  P3          園芸, 料理; needs 筆談     both           GARDEN accommodation; COOKING fails
                                                     capacity AND accommodation: no near miss
  P4          手芸                       手芸           CRAFT_K distance (5.0 km > 3 km)
  P5 (team B, in K)  三線                三線           none: both 三線 activities fail distance
                                                     and one more constraint each
  P9          園芸                       nothing        none (GARDEN is feasible)
Not waiting: FILLER (placed in COOKING, interest 料理), P6 (no consent, interest 囲碁).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from matching import services
from matching.models import Client, Team, TeamMembership
from resources.models import ActivityPage, Area, Term
from tests.conftest import restore_migration_data
from tests.resources.factories import AreaFactory, TermFactory

from .factories import ClientFactory, TeamFactory, consent, host_activity, make_editor, make_user

SATURDAY_AFTERNOON = [{"weekday": 5, "opens_at": "13:00", "closes_at": "15:00"}]


@dataclass
class Town:
    team_a: Team
    team_b: Team
    coordinator: Any  # team A
    other_coordinator: Any  # team B
    supervisor: Any  # team B's supervisor: sees every client
    editor: Any  # a community group's editor: sees none
    w: Area
    k: Area
    terms: dict[str, Term]
    activities: dict[str, ActivityPage]
    clients: dict[str, Client]


@contextmanager
def town_once(django_db_blocker: Any) -> Iterator[Town]:
    """The town built once for a test module and rolled back after it (building pages takes
    seconds); each test still runs in its own savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        restore_migration_data()
        yield build_town()
        transaction.set_rollback(True)


def build_town() -> Town:
    team_a = TeamFactory(name="地域包括支援センター")
    team_b = TeamFactory(name="こども家庭センター")
    coordinator = make_user("coord_a", team=team_a)
    other_coordinator = make_user("coord_b", team=team_b)
    supervisor = make_user("supervisor", team=team_b, role=TeamMembership.Role.SUPERVISOR)
    w = AreaFactory(name="和泊", latitude=Decimal("27.392280"), longitude=Decimal("128.655470"))
    k = AreaFactory(name="国頭", latitude=Decimal("27.437280"), longitude=Decimal("128.655470"))
    terms = {
        name: TermFactory(name=name, kind=kind)
        for name, kind in (
            ("園芸", Term.Kind.INTEREST),
            ("料理", Term.Kind.INTEREST),
            ("三線", Term.Kind.INTEREST),
            ("囲碁", Term.Kind.INTEREST),
            ("手芸", Term.Kind.INTEREST),
            ("居場所", Term.Kind.NEED),
            ("筆談", Term.Kind.ACCOMMODATION),
        )
    }
    t = terms
    activities = {
        "GARDEN": host_activity(title="花の畑", area=w, tags=[t["園芸"]]),
        "COOKING": host_activity(
            title="料理教室", area=w, placement_capacity=1, tags=[t["料理"], t["居場所"]]
        ),
        "SANSHIN_CLUB": host_activity(
            title="三線サークル",
            area=w,
            accepts_placements=False,
            placement_capacity=0,
            email="sanshin@example.jp",
            tags=[t["三線"]],
        ),
        "SANSHIN_SAT": host_activity(
            title="土曜の三線",
            area=w,
            placement_capacity=3,
            schedule=SATURDAY_AFTERNOON,
            tags=[t["三線"]],
        ),
        "GO_CLUB": host_activity(
            title="囲碁クラブ",
            area=w,
            for_everyone=False,
            for_disabled=True,
            email="",
            phone="0997-84-1234",
            tags=[t["囲碁"]],
        ),
        "CRAFT_K": host_activity(title="国頭の手芸", area=k, tags=[t["手芸"]]),
    }

    def client(team: Team, by: Any, area: Area, *names: str, needs=(), accommodations=()):
        person = ClientFactory(team=team, area=area, max_distance_km=Decimal("3.0"))
        person.interests.add(*(t[n] for n in names))
        person.needs.add(*(t[n] for n in needs))
        person.accommodations.add(*(t[n] for n in accommodations))
        consent(person, by)
        return person

    a, b = (team_a, coordinator), (team_b, other_coordinator)
    clients = {
        "P1": client(*a, w, "園芸", "三線"),
        "P2": client(*a, w, "料理", "囲碁", needs=["居場所"]),
        "P3": client(*a, w, "園芸", "料理", accommodations=["筆談"]),
        "P4": client(*a, w, "手芸"),
        "P5": client(*b, k, "三線"),
        "P7": client(*a, w, "三線"),
        "P8": client(*a, w, "三線"),
        "P9": client(*a, w, "園芸"),
        "FILLER": client(*a, w, "料理"),
    }
    placement = services.placement_create(
        client=clients["FILLER"], activity=activities["COOKING"], by=coordinator
    )
    services.placement_accept(placement=placement, by=coordinator)
    unconsented = ClientFactory(team=team_a, area=w, max_distance_km=Decimal("3.0"))
    unconsented.interests.add(t["囲碁"])
    clients["P6"] = unconsented
    return Town(
        team_a=team_a,
        team_b=team_b,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        supervisor=supervisor,
        editor=make_editor(),
        w=w,
        k=k,
        terms=terms,
        activities=activities,
        clients=clients,
    )
