"""Placements: the status machine, reasons kept, and capacity taken atomically."""

import threading

import pytest
from django.db import connection, connections

from matching import services
from matching.models import Placement
from matching.services import CapacityFull, MatchingError

from .factories import ClientFactory, consent, host_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(consented, coordinator, activity) -> Placement:
    return services.placement_create(client=consented, activity=activity, by=coordinator)


def test_a_placement_goes_proposed_accepted_active_settled(placement, coordinator):
    services.placement_accept(placement=placement, by=coordinator)
    services.placement_activate(placement=placement, by=coordinator)
    services.placement_close(placement=placement, status="settled", reason="", by=coordinator)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.SETTLED
    assert placement.started_on and placement.ended_on
    steps = [(c.from_status, c.to_status) for c in placement.status_changes.all()]
    assert steps == [
        ("", "proposed"), ("proposed", "accepted"), ("accepted", "active"), ("active", "settled")
    ]  # fmt: skip


def test_ending_or_interrupting_needs_a_reason_that_is_kept(placement, coordinator):
    services.placement_accept(placement=placement, by=coordinator)
    with pytest.raises(MatchingError):
        services.placement_close(
            placement=placement, status="interrupted", reason=" ", by=coordinator
        )
    services.placement_close(
        placement=placement, status="interrupted", reason="体調を崩したため",
        end_reason=Placement.EndReason.HEALTH, by=coordinator,
    )  # fmt: skip
    assert placement.status_changes.last().reason == "体調を崩したため"


@pytest.mark.parametrize("status", ["settled", "active"])
def test_impossible_transitions_are_refused(placement, coordinator, status):
    with pytest.raises(MatchingError):
        if status == "active":
            services.placement_activate(placement=placement, by=coordinator)
        else:
            services.placement_close(placement=placement, status=status, reason="", by=coordinator)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.PROPOSED


def test_accepting_beyond_capacity_is_refused(team_a, coordinator):
    activity = host_activity(title="少人数の会", placement_capacity=1)
    placements = []
    for _ in range(2):
        person = ClientFactory(team=team_a)
        consent(person, coordinator)
        placements.append(
            services.placement_create(client=person, activity=activity, by=coordinator)
        )
    services.placement_accept(placement=placements[0], by=coordinator)
    with pytest.raises(CapacityFull):
        services.placement_accept(placement=placements[1], by=coordinator)
    services.placement_close(
        placement=placements[0], status="ended", reason="転居", end_reason="moved", by=coordinator
    )
    services.placement_accept(placement=placements[1], by=coordinator)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_take_one_last_place(team_a, coordinator):
    """Two transactions race for the last place: the row lock lets exactly one win.

    PostgreSQL only: SQLite has no row locks and serialises writers anyway (the second write
    transaction waits or fails), which the sequential test above covers.
    """
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises write transactions")
    activity = host_activity(title="最後の一枠", placement_capacity=1)
    placements = []
    for _ in range(2):
        person = ClientFactory(team=team_a)
        consent(person, coordinator)
        placements.append(
            services.placement_create(client=person, activity=activity, by=coordinator)
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(placement: Placement) -> None:
        try:
            barrier.wait()
            services.placement_accept(placement=placement, by=coordinator)
            outcomes.append("accepted")
        except CapacityFull:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(p,)) for p in placements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "full"]
    assert Placement.objects.filter(activity=activity, status__in=Placement.OCCUPYING).count() == 1


def test_the_placement_page_changes_status_with_a_reason(client, placement, coordinator):
    client.force_login(coordinator)
    url = f"/admin/clients/placements/{placement.pk}/"
    client.post(url, {"status": "accepted"})
    client.post(url, {"status": "ended", "end_reason": "person_wish", "reason": "本人の希望で終了"})
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    assert "本人の希望で終了" in client.get(url).content.decode()


def test_a_placement_needs_an_activity_that_takes_placements(consented, coordinator):
    closed = host_activity(title="受け入れなし", accepts_placements=False)
    with pytest.raises(MatchingError):
        services.placement_create(client=consented, activity=closed, by=coordinator)
