"""Engine inputs from the database, and the per-process candidate pool staying correct."""

import datetime as dt

import pytest

from matching import selectors, services
from matching.engine import Band
from resources.models import ScheduleRule, Term
from tests.resources.factories import TermFactory

from .factories import ClientFactory, consent, host_activity

pytestmark = pytest.mark.django_db


def test_a_schedule_rule_covers_the_bands_it_overlaps():
    assert selectors.slots_of_rule(2, dt.time(9), dt.time(11)) == {(2, Band.MORNING)}
    assert selectors.slots_of_rule(5, dt.time(11), dt.time(18)) == {
        (5, Band.MORNING), (5, Band.AFTERNOON), (5, Band.EVENING)
    }  # fmt: skip


def test_candidates_carry_the_listings_facts(activity):
    wheelchair = TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION, synonyms="段差なし")
    accessible = host_activity(
        title="段差のない会場", barrier_free=True, pickup=True, for_elderly=True
    )
    vocab = selectors.vocabulary()
    by_id = {c.id: c for c in selectors.activity_candidates(vocab, occupied={accessible.pk: 1})}
    candidate = by_id[f"activity:{accessible.pk}"]
    assert candidate.provides == {wheelchair.pk}
    assert candidate.pickup and candidate.slots == {(2, Band.MORNING)}
    assert candidate.capacity_left == accessible.placement_capacity - 1
    assert candidate.location == pytest.approx((27.39228, 128.65547))
    assert f"activity:{activity.pk}" in by_id


def test_the_profile_says_nothing_the_engine_does_not_score(consented):
    consented.notes = "家族の事情"
    profile = selectors.client_profile(consented)
    assert profile.age == dt.date.today().year - consented.birth_year
    assert profile.availability == {(2, Band.MORNING), (4, Band.MORNING)}
    for private in (consented.name, consented.kana, consented.notes, consented.reference_code):
        assert private not in repr(profile)


def test_the_pool_is_reused_and_places_taken_apply_at_once(team_a, coordinator, activity):
    person, other = ClientFactory(team=team_a), ClientFactory(team=team_a)
    consent(person, coordinator)
    consent(other, coordinator)
    assert [r.activity_id for r in selectors.client_rank(client=person)] == [activity.pk]
    pool = selectors.candidate_pool()
    for _ in range(activity.placement_capacity):
        filler = ClientFactory(team=team_a)
        consent(filler, coordinator)
        placement = services.placement_create(client=filler, activity=activity, by=coordinator)
        services.placement_accept(placement=placement, by=coordinator)
    assert selectors.client_rank(client=person) == []
    assert selectors.candidate_pool() is pool


def test_publishing_a_change_rebuilds_the_pool(consented, activity):
    pool = selectors.candidate_pool()
    activity.schedule_rules = [ScheduleRule(weekday=6, opens_at=dt.time(9), closes_at=dt.time(10))]
    activity.save_revision().publish()
    assert selectors.candidate_pool() is not pool
    assert selectors.client_rank(client=consented) == []  # Sunday no longer fits
