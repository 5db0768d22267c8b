"""The coordinator's workspace: the list (codes only, filters, bounded queries), the client page
with everything on one screen, and the plan forms keeping history."""

import pytest

from matching import services
from matching.models import Consent, SupportPlan
from tests.resources.factories import AreaFactory

from .factories import ClientFactory, consent

pytestmark = pytest.mark.django_db


def listing(client, user, **params) -> str:
    client.force_login(user)
    response = client.get("/admin/clients/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_codes_never_names(client, person, coordinator):
    page = listing(client, coordinator)
    assert person.reference_code in page
    assert person.name not in page and person.kana not in page


def test_the_list_filters(client, team_a, team_b, coordinator, supervisor):
    kibiru = AreaFactory(name="喜美留")
    elderly = ClientFactory(team=team_a, field_elderly=True, area=kibiru, status="supporting")
    child = ClientFactory(team=team_b, field_elderly=False, field_children=True)
    consent(child, supervisor)
    cases = {
        "status": ("supporting", elderly, child),
        "team": (team_b.pk, child, elderly),
        "field": ("field_children", child, elderly),
        "area": (kibiru.pk, elderly, child),
        "consent": (Consent.Stage.CONSENTED, child, elderly),
    }
    for name, (value, shown, hidden) in cases.items():
        page = listing(client, supervisor, **{name: value})
        assert shown.reference_code in page and hidden.reference_code not in page, name
    page = listing(client, supervisor, consent="none")
    assert elderly.reference_code in page and child.reference_code not in page
    page = listing(client, supervisor, q=child.reference_code)
    assert child.reference_code in page and elderly.reference_code not in page


def test_a_coordinator_cannot_filter_to_another_team(client, team_b, coordinator):
    theirs = ClientFactory(team=team_b)
    page = listing(client, coordinator, team=team_b.pk)
    assert theirs.reference_code not in page
    assert team_b.name not in page


def test_the_list_takes_a_bounded_number_of_queries(
    client, team_a, coordinator, django_assert_max_num_queries
):
    for _ in range(3):
        ClientFactory(team=team_a)
    client.force_login(coordinator)
    client.get("/admin/clients/")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/clients/")
    for _ in range(30):
        consent(ClientFactory(team=team_a), coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/clients/")


def test_the_client_page_has_everything_on_one_screen(client, consented, coordinator, activity):
    services.plan_create(
        client=consented, by=coordinator, goals="週に一度外出する",
        meeting_organisations="地域包括支援センター\n社会福祉協議会",
    )  # fmt: skip
    services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{consented.pk}/").content.decode()
    for text in (
        consented.name,
        "受け入れ先への要約の提供と参加",  # the consent's scope
        "週に一度外出する",
        "社会福祉協議会",
        f"/admin/clients/placements/{placement.pk}/",
        activity.title,
        'id="checkins-heading"',
    ):
        assert text in page, text
    assert f"<title>{consented.reference_code}" in page


def test_revising_a_plan_keeps_the_old_one(client, consented, coordinator):
    client.force_login(coordinator)
    url = f"/admin/clients/{consented.pk}/plan/"
    client.post(url, {"goals": "最初の目標"})
    assert "最初の目標" in client.get(url).content.decode()  # a revision starts from the plan
    client.post(url, {"goals": "見直した目標", "meeting_date": "2026-11-10"})
    statuses = dict(consented.plans.values_list("goals", "status"))
    assert statuses == {"最初の目標": "superseded", "見直した目標": "agreed"}
    current = consented.current_plan()
    client.post(
        f"/admin/clients/plans/{current.pk}/review/", {"reviewed_on": "2026-12-01", "note": "順調"}
    )
    client.post(
        f"/admin/clients/plans/{current.pk}/close/",
        {"status": "interrupted", "closed_on": "2026-12-10", "reason": "入院のため"},
    )
    current.refresh_from_db()
    assert (current.status, current.close_reason) == (SupportPlan.Status.INTERRUPTED, "入院のため")
    assert current.reviewed_on is not None
    assert consented.current_plan() is None


def test_a_placement_can_be_recorded_by_hand(client, consented, coordinator, activity):
    client.force_login(coordinator)
    response = client.post(f"/admin/clients/{consented.pk}/placement/", {"activity": activity.pk})
    assert response.status_code == 302
    assert consented.placements.get().status == "proposed"


def test_the_placement_page_links_to_its_follow_ups(client, consented, coordinator, activity):
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/placements/{placement.pk}/").content.decode()
    assert f"/admin/followups/placements/{placement.pk}/" in page
    assert "フォローアップと心身の様子" in page
