"""Matching across the island (issue 17): a client's candidates are the activities of the
client's town and, when both towns share, the other sharing towns'; never a town that does
not share.
The client's town is their team's (``Team.site``): ``in_town`` moves a test team there.
"""

from __future__ import annotations

import pytest

from matching import gaps, selectors, services
from matching.services import MatchingError
from tests.resources.factories import TermFactory
from tests.tsunagu.island import first_town, share, two_towns

from .factories import ClientFactory, consent, host_activity


@pytest.fixture
def island(db):
    wadomari, china = two_towns()
    wadomari.activity = host_activity(title="和泊の畑")
    china.activity = host_activity(title="知名の畑", parent=china.directory)
    return wadomari, china


@pytest.fixture
def wadomari_client(island, team_a, coordinator):
    wadomari, _china = island
    person = ClientFactory(team=team_a)
    consent(person, coordinator)
    in_town(person.team, wadomari)
    return person


def in_town(team, town) -> None:
    team.site = town.site
    team.save(update_fields=["site"])


def _ranked_titles(person) -> set[str]:
    return {ranked.title for ranked in selectors.client_rank(client=person)}


def test_a_client_is_proposed_the_other_towns_activity_when_both_share(island, wadomari_client):
    share(*island)
    assert _ranked_titles(wadomari_client) == {"和泊の畑", "知名の畑"}


@pytest.mark.parametrize("sharing", ["neither", "wadomari", "china"])
def test_unless_both_share_only_the_clients_own_town_is_proposed(island, wadomari_client, sharing):
    wadomari, china = island
    share(*{"neither": (), "wadomari": (wadomari,), "china": (china,)}[sharing])
    assert _ranked_titles(wadomari_client) == {"和泊の畑"}


def test_a_client_of_the_other_town_gets_that_towns_activities(island, team_b, other_coordinator):
    wadomari, china = island
    person = ClientFactory(team=team_b)
    consent(person, other_coordinator)
    in_town(person.team, china)
    assert _ranked_titles(person) == {"知名の畑"}
    share(wadomari, china)
    assert _ranked_titles(person) == {"和泊の畑", "知名の畑"}


def test_a_placement_in_a_town_that_does_not_share_is_refused(island, wadomari_client, coordinator):
    wadomari, china = island
    share(wadomari)
    with pytest.raises(MatchingError, match="共有していない町"):
        services.placement_create(client=wadomari_client, activity=china.activity, by=coordinator)
    assert not wadomari_client.placements.exists()
    share(china)
    placement = services.placement_create(
        client=wadomari_client, activity=china.activity, by=coordinator
    )
    assert placement.activity == china.activity


def test_the_batch_plan_keeps_each_client_to_their_towns(island, team_a, coordinator):
    wadomari, china = island
    wadomari.activity.delete()  # only the other town has a place left to offer
    person = ClientFactory(team=team_a)
    consent(person, coordinator)
    plan = selectors.batch_plan(clients=selectors.waiting_clients(team_a.clients.all()))
    assert plan.placements == {} and len(plan.unassigned) == 1
    share(wadomari, china)
    plan = selectors.batch_plan(clients=selectors.waiting_clients(team_a.clients.all()))
    assert [ranked.title for ranked in plan.placements.values()] == ["知名の畑"]


def test_an_install_of_one_town_proposes_every_activity(db, team_a):
    first_town()
    assert selectors.candidate_sites(team_a) is None


def test_an_interest_met_only_in_a_town_that_does_not_share_is_a_gap(
    island, wadomari_client, coordinator
):
    wadomari, china = island
    pottery = TermFactory(name="陶芸", kana="とうげい")
    host_activity(title="知名の陶芸", parent=china.directory, tags=[pottery])
    host_activity(title="知名の満員陶芸", parent=china.directory, tags=[pottery],
                  placement_capacity=0)  # fmt: skip
    wadomari_client.interests.add(pottery)
    found = gaps.client_gaps(wadomari_client)
    assert [term.name for term in found.unmet_interests] == ["陶芸"]
    assert found.near_misses == ()  # not even a near miss: it is not this town's to offer
    share(wadomari, china)
    found = gaps.client_gaps(wadomari_client)
    assert found.unmet_interests == ()
    assert [miss.activity.title for miss in found.near_misses] == ["知名の満員陶芸"]
