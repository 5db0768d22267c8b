"""companion_candidates(): who could accompany (伴走) a participation-support client."""

import pytest

from tests.resources.factories import AreaFactory, TermFactory
from volunteers.models import Volunteer
from volunteers.selectors import CompanionCandidate, companion_candidates

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kibiru():
    return AreaFactory(name="喜美留")


def test_only_active_volunteers_willing_to_accompany_are_candidates():
    willing = VolunteerFactory(willing_to_accompany=True)
    VolunteerFactory(willing_to_accompany=False)
    VolunteerFactory(willing_to_accompany=True, status=Volunteer.Status.PAUSED)
    VolunteerFactory(willing_to_accompany=True, status=Volunteer.Status.PENDING)

    candidates = companion_candidates()

    assert [c.volunteer_id for c in candidates] == [willing.pk]
    assert isinstance(candidates[0], CompanionCandidate)


def test_area_keeps_neighbours_and_those_who_travel(kibiru):
    elsewhere = AreaFactory(name="国頭")
    neighbour = VolunteerFactory(
        willing_to_accompany=True, area=kibiru, travel_range=Volunteer.Travel.DISTRICT
    )
    driver = VolunteerFactory(
        willing_to_accompany=True,
        area=elsewhere,
        travel_range=Volunteer.Travel.DISTRICT,
        has_car=True,
    )
    VolunteerFactory(
        willing_to_accompany=True, area=elsewhere, travel_range=Volunteer.Travel.DISTRICT
    )

    ids = [c.volunteer_id for c in companion_candidates(area=kibiru)]

    assert ids == [neighbour.pk, driver.pk]  # same district first


def test_skills_and_time_slots_filter_and_rank():
    farming, sanshin = TermFactory(name="農作業"), TermFactory(name="三線")
    both = VolunteerFactory(
        willing_to_accompany=True, skills=[farming, sanshin], slots=[(2, "morning")], kana="ん"
    )
    one = VolunteerFactory(
        willing_to_accompany=True, skills=[farming], slots=[(2, "morning")], kana="あ"
    )
    VolunteerFactory(willing_to_accompany=True, skills=[farming], slots=[(4, "evening")])
    VolunteerFactory(willing_to_accompany=True, skills=[], slots=[(2, "morning")])

    candidates = companion_candidates(
        skills=[farming, sanshin.pk], availability=[(2, "morning"), (3, "morning")]
    )

    assert [c.volunteer_id for c in candidates] == [both.pk, one.pk]
    assert candidates[0].shared_skill_ids == {farming.pk, sanshin.pk}
    assert candidates[0].shared_availability == {(2, "morning")}


def test_candidates_carry_no_contact_details():
    VolunteerFactory(willing_to_accompany=True, email="secret@example.jp", phone="0997-00-0000")

    (candidate,) = companion_candidates()

    assert "secret@example.jp" not in repr(candidate)
    assert "0997" not in repr(candidate)
