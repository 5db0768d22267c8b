"""Near misses, unmet interests and needs, and the town's aggregate, on the town of gaps_town.py
(every expected answer below is worked out there by hand)."""

import pytest

from matching import gaps, selectors, services
from matching.models import Client
from resources.models import ActivityPage, Term
from tests.resources.factories import TermFactory

from .factories import ClientFactory, consent, host_activity
from .gaps_town import town_once

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Ages count from today; the consents in gaps_town are dated 2026-11-01."""
    time_machine.move_to("2026-12-01 10:00 +0900", tick=False)


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with town_once(django_db_blocker) as town:
        yield town


def misses(town, key):
    """(activity key, constraint, reason) of a client's near misses, in order."""
    names = {a.pk: name for name, a in town.activities.items()}
    return [
        (names[m.activity.pk], m.constraint, m.reason) for m in gaps.near_misses(town.clients[key])
    ]


def test_not_accepting_placements_and_the_schedule_are_near_misses(town):
    assert misses(town, "P1") == [
        ("SANSHIN_CLUB", "not_accepting", "参加支援の受け入れをしていません"),
        ("SANSHIN_SAT", "schedule", "土曜の昼の活動で、ご本人の参加できる時間と合いません"),
    ]


def test_a_full_activity_and_another_audience_are_near_misses(town):
    # COOKING offers two of P2's terms (料理 and the need 居場所), so it comes first.
    assert misses(town, "P2") == [
        ("COOKING", "capacity", "受け入れ枠がいっぱいです（1/1）"),
        ("GO_CLUB", "audience", "障害のある方向けの活動です"),
    ]


def test_a_missing_accommodation_is_a_near_miss_and_two_failures_are_not(town):
    # COOKING is full AND has no 筆談 for P3: two constraints, so it is not listed.
    assert misses(town, "P3") == [
        ("GARDEN", "accommodation", "必要な配慮がありません（筆談）"),
    ]


def test_distance_is_a_near_miss_with_the_kilometres(town):
    # 0.045° of latitude: 0.045 × π/180 × 6371.0088 km = 5.0037 km.
    assert misses(town, "P4") == [("CRAFT_K", "distance", "5.0 km（希望は3 km以内）")]


def test_an_age_limit_is_an_audience_near_miss(town):
    # Born 1960: 66 on 2026-12-01.
    host_activity(title="若者の園芸", area=town.w, max_age=64, tags=[town.terms["園芸"]])
    assert ("若者の園芸", "audience", "対象年齢は64歳以下です") in [
        (m.activity.title, m.constraint, m.reason) for m in gaps.near_misses(town.clients["P1"])
    ]


def test_a_missing_pick_up_is_said_once(town):
    pickup = TermFactory(name="送迎", kind=Term.Kind.ACCOMMODATION)  # the pick-up flag's term
    person = ClientFactory(team=town.team_a, area=town.k, needs_pickup=True)
    person.interests.add(town.terms["手芸"])
    person.accommodations.add(pickup)
    assert [(m.activity.title, m.constraint, m.reason) for m in gaps.near_misses(person)] == [
        ("国頭の手芸", "accommodation", "送迎が必要ですが、送迎がありません")
    ]


def test_activities_failing_two_constraints_are_no_near_misses(town):
    # P5 lives in K: both 三線 activities are too far AND not accepting / on Saturday.
    assert misses(town, "P5") == []


def test_the_limit_keeps_the_first_near_misses(town):
    assert [m.constraint for m in gaps.near_misses(town.clients["P2"], limit=1)] == ["capacity"]


def test_unmet_interests_and_needs_per_client(town):
    expected = {
        "P1": ({"三線"}, set()),  # 園芸 is met by GARDEN
        "P2": ({"料理", "囲碁"}, {"居場所"}),
        "P3": ({"園芸", "料理"}, set()),
        "P4": ({"手芸"}, set()),
        "P5": ({"三線"}, set()),
        "P9": (set(), set()),
    }
    for key, (interests, needs) in expected.items():
        result = gaps.client_gaps(town.clients[key])
        assert {t.name for t in result.unmet_interests} == interests, key
        assert {t.name for t in result.unmet_needs} == needs, key


def test_the_activity_a_client_is_placed_in_meets_the_interest_and_is_no_near_miss(town):
    # FILLER holds COOKING's only place: 料理 is met for them, not "full".
    result = gaps.client_gaps(town.clients["FILLER"])
    assert result.unmet == () and result.near_misses == ()


def test_an_activity_that_declined_the_client_this_season_counts_for_nothing(town):
    coordinator = town.coordinator
    person = town.clients["P4"]
    craft = ActivityPage.objects.get(pk=town.activities["CRAFT_K"].pk)  # a copy of our own
    craft.pickup = True  # now feasible for P4 …
    craft.save_revision().publish()
    assert gaps.client_gaps(person).unmet == ()
    proposal = services.proposal_create(client=person, activity_id=craft.pk, by=coordinator)
    proposal.status = proposal.Status.DECLINED  # … until the host declined P4
    proposal.save(update_fields=["status"])
    result = gaps.client_gaps(Client.objects.get(pk=person.pk))
    assert [t.name for t in result.unmet] == ["手芸"] and result.near_misses == ()


def test_a_client_with_no_interests_has_no_gaps(town):
    result = gaps.client_gaps(ClientFactory(team=town.team_a))
    assert result == gaps.ClientGaps((), (), ())


def test_unpublished_activities_are_not_in_the_town(town):
    ActivityPage.objects.get(pk=town.activities["SANSHIN_CLUB"].pk).unpublish()
    assert [m.activity.title for m in gaps.near_misses(town.clients["P1"])] == ["土曜の三線"]


def _waiting():
    return selectors.waiting_clients(Client.objects.all())


def test_the_town_aggregate_counts_unmet_terms_by_district(town):
    result = gaps.town_gaps(_waiting())
    w, k = town.w.pk, town.k.pk
    assert result.clients == 8  # P1–P5, P7–P9: FILLER is placed, P6 has no consent
    assert result.with_unmet == 7  # all but P9
    assert result.clients_by_district == {w: 7, k: 1}
    assert result.unmet_by_district == {w: 6, k: 1}
    assert result.districts == (town.w, town.k)
    assert [(u.name, u.kind, dict(u.by_district), u.total, u.activities) for u in result.unmet] == [
        ("三線", "interest", {w: 3, k: 1}, 4, 2),
        ("料理", "interest", {w: 2}, 2, 1),
        ("囲碁", "interest", {w: 1}, 1, 1),
        ("園芸", "interest", {w: 1}, 1, 1),
        ("手芸", "interest", {w: 1}, 1, 1),
        ("居場所", "need", {w: 1}, 1, 1),
    ]


def test_the_town_aggregate_lists_the_places_to_ask_with_the_people_they_would_serve(town):
    result = gaps.town_gaps(_waiting())
    rows = [
        (
            o.activity.title,
            o.people,
            [(c.constraint, c.people, c.detail) for c in o.constraints],
            o.terms,
        )
        for o in result.openings
    ]
    assert rows == [
        ("三線サークル", 3, [("not_accepting", 3, "")], ("三線",)),
        ("土曜の三線", 3, [("schedule", 3, "土曜の昼")], ("三線",)),
        ("囲碁クラブ", 1, [("audience", 1, "障害のある方向け")], ("囲碁",)),
        ("国頭の手芸", 1, [("distance", 1, "")], ("手芸",)),
        ("料理教室", 1, [("capacity", 1, "1/1")], ("料理", "居場所")),
        ("花の畑", 1, [("accommodation", 1, "筆談")], ("園芸",)),
    ]
    assert result.openings[0].constraints[0].label == "参加支援の受け入れなし"


def test_a_client_without_a_district_is_counted_last_under_none(town):
    person = ClientFactory(team=town.team_a, area=None)
    person.interests.add(town.terms["三線"])
    consent(person, town.coordinator)
    result = gaps.town_gaps(_waiting())
    assert result.districts == (town.w, town.k, None)
    assert result.unmet_by_district[None] == 1
    assert dict(result.unmet[0].by_district) == {town.w.pk: 3, town.k.pk: 1, None: 1}


def test_the_aggregate_follows_the_clients_it_is_given(town):
    result = gaps.town_gaps(_waiting().filter(team=town.team_a))
    assert result.clients == 7
    assert result.districts == (town.w,)
    assert [(u.name, u.total) for u in result.unmet][:1] == [("三線", 3)]


def test_the_aggregate_holds_no_person(town):
    text = repr(gaps.town_gaps(_waiting()))
    for person in Client.objects.all():
        assert person.reference_code not in text
        assert person.name not in text
        assert str(person.pk) not in text


def test_the_aggregate_takes_a_bounded_number_of_queries(town, django_assert_max_num_queries):
    with django_assert_max_num_queries(17) as small:  # 16 + the town's offer mapping
        gaps.town_gaps(_waiting())
    for _ in range(12):
        extra = ClientFactory(team=town.team_a, area=town.w)
        extra.interests.add(town.terms["三線"], town.terms["手芸"])
        consent(extra, town.coordinator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = gaps.town_gaps(_waiting())
    assert result.clients == 8 + 12


def test_no_clients_give_an_empty_aggregate(town, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        result = gaps.town_gaps(Client.objects.none())
    assert result == gaps.TownGaps(0, 0, (), {}, {}, (), ())
