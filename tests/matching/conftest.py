"""Two teams with a coordinator each, a supervisor, a community editor, and a host activity."""

import pytest

from matching.models import Client, TeamMembership

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
