"""When a host place answers through its link, the client's team sees it on the dashboard until
each of them opens the proposal; nobody else sees it, and it never shows a name."""

import datetime as dt

import pytest
from django.db import reset_queries
from django.utils import timezone

from matching import services
from matching.models import AnswerSeen, Proposal
from matching.tokens import proposal_token

from .factories import ClientFactory, consent, host_activity, make_user

pytestmark = pytest.mark.django_db

HEADING = "受け入れ先からの新しい回答"


def sent_proposal(person, activity, by) -> Proposal:
    proposal = services.proposal_create(client=person, activity_id=activity.pk, by=by)
    services.proposal_update(proposal=proposal, summary="花が好きな方です", by=by)
    return services.proposal_send(proposal=proposal, by=by)


def answer(browser, proposal, decision: str) -> None:
    url = f"/matching/respond/{proposal_token(proposal.pk)}/"
    assert browser.post(url, {"decision": decision}).status_code == 200


def dashboard(browser, user) -> str:
    browser.force_login(user)
    response = browser.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def declined(client, consented, activity, coordinator) -> Proposal:
    proposal = sent_proposal(consented, activity, coordinator)
    answer(client, proposal, "decline")
    return proposal


def test_the_team_sees_the_answer_with_code_activity_and_time(
    client, declined, consented, activity, coordinator
):
    page = dashboard(client, coordinator)
    assert HEADING in page
    panel = page[page.index(HEADING) :]
    assert activity.title in panel and "辞退" in panel
    assert f'href="/admin/clients/{consented.pk}/"' in panel
    assert consented.reference_code in panel
    assert consented.name not in page and consented.kana not in page
    declined.refresh_from_db()
    local = timezone.localtime(declined.responded_at)
    assert f"{local.year}年{local.month}月{local.day}日" in panel


def test_an_acceptance_shows_too(client, consented, activity, coordinator):
    proposal = sent_proposal(consented, activity, coordinator)
    answer(client, proposal, "accept")
    panel = dashboard(client, coordinator)
    assert HEADING in panel and "受け入れ決定" in panel


@pytest.mark.parametrize("who", ["other_coordinator", "supervisor", "editor"])
def test_nobody_outside_the_team_sees_it(request, client, declined, consented, who):
    page = dashboard(client, request.getfixturevalue(who))
    assert HEADING not in page
    assert consented.name not in page


def test_anonymous_gets_the_login_page(client, declined, consented):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_it_disappears_for_whoever_opened_the_proposal(client, declined, coordinator, team_a):
    colleague = make_user("coord_a2", team=team_a)
    client.force_login(coordinator)
    assert client.get(f"/admin/clients/proposals/{declined.pk}/").status_code == 200
    assert HEADING not in dashboard(client, coordinator)
    assert HEADING in dashboard(client, colleague)
    client.force_login(coordinator)
    client.get(f"/admin/clients/proposals/{declined.pk}/")  # opening again writes nothing more
    assert AnswerSeen.objects.filter(user=coordinator).count() == 1


def test_opening_a_proposal_not_yet_answered_marks_nothing(
    client, consented, activity, coordinator
):
    proposal = sent_proposal(consented, activity, coordinator)
    client.force_login(coordinator)
    client.get(f"/admin/clients/proposals/{proposal.pk}/")
    assert not AnswerSeen.objects.exists()
    answer(client, proposal, "decline")
    assert HEADING in dashboard(client, coordinator)


def test_an_answer_of_last_month_is_no_longer_news(client, declined, coordinator):
    Proposal.objects.filter(pk=declined.pk).update(
        responded_at=timezone.now() - dt.timedelta(days=31)
    )
    assert HEADING not in dashboard(client, coordinator)


def test_the_panel_takes_a_fixed_number_of_queries(
    client, declined, coordinator, team_a, django_assert_max_num_queries
):
    dashboard(client, coordinator)
    reset_queries()  # the log keeps 9,000 queries: creating pages fills it
    with django_assert_max_num_queries(200) as few:
        client.get("/admin/")
    baseline = len(few)  # before reset_queries() empties the log it reads
    for n in range(5):
        person = ClientFactory(team=team_a)
        consent(person, coordinator)
        answer(client, sent_proposal(person, host_activity(title=f"会{n}"), coordinator), "decline")
    client.force_login(coordinator)
    reset_queries()
    with django_assert_max_num_queries(baseline):
        page = client.get("/admin/").content.decode()
    assert page.count("/admin/clients/proposals/") == 6
