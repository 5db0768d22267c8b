"""Two teams with a coordinator each, a supervisor, a community editor, a host activity and a
referral from one team to the other."""

import datetime as dt

import pytest

from matching.models import Client, Referral, TeamMembership
from matching.services import referral_create

from .factories import (
    ClientFactory,
    TeamFactory,
    consent,
    host_activity,
    make_editor,
    make_user,
)


@pytest.fixture
def team_a(db):
    return TeamFactory(name="地域包括支援センター")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="こども家庭センター")


@pytest.fixture
def coordinator(team_a):
    return make_user("coord_a", team=team_a)


@pytest.fixture
def other_coordinator(team_b):
    return make_user("coord_b", team=team_b)


@pytest.fixture
def supervisor(team_b):
    return make_user("supervisor", team=team_b, role=TeamMembership.Role.SUPERVISOR)


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def person(team_a, coordinator) -> Client:
    """A client of team A (the coordinator's team); no consent recorded yet."""
    person = ClientFactory(team=team_a, name="山田花子", kana="やまだはなこ")
    person.coordinators.add(coordinator)
    return person


@pytest.fixture
def consented(person, coordinator) -> Client:
    consent(person, coordinator)
    return person


@pytest.fixture
def activity(db):
    return host_activity()


@pytest.fixture
def referral(person, team_b, coordinator) -> Referral:
    """The coordinator's client referred to team B with the person's consent (still open)."""
    # A name, not the module: other apps' tests star-import these fixtures beside their own
    # ``services``.
    return referral_create(
        client=person, to_team=team_b, consent_on=dt.date(2026, 11, 1), method="interview",
        scope="通院の予定を共有", by=coordinator,
    )  # fmt: skip
