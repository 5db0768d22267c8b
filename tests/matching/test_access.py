"""Who can reach client records — the denied cases are the point.

Every client-related route is requested as six kinds of visitor. Those who may not see the
client get a redirect to the login, a redirect away, a 403 or a 404 — and never the reference
code or the name in what they receive. A coordinator of another team gets exactly 404 for the
record's own pages: the answer for an id that does not exist.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from matching import services
from matching.access import SystemActor, forget_access
from matching.models import Client, ClientLogEntry, Consent, Placement, TeamMembership
from volunteers.links import SESSION_KEY
from volunteers.models import Volunteer

from .factories import PASSWORD, ClientFactory, admin_group, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "volunteer", "editor", "other_coordinator", "coordinator", "supervisor")
# Routes for the collection; the rest are about one record.
COLLECTION = {"list", "results", "new", "export"}


@pytest.fixture
def record(consented, coordinator, activity):
    """A client of team A with a plan, a proposal and a placement, so every route exists."""
    plan = services.plan_create(client=consented, by=coordinator, goals="週1回の外出")
    proposal = services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    return {"client": consented, "plan": plan, "proposal": proposal, "placement": placement}


def routes(record) -> dict[str, str]:
    pk = record["client"].pk
    return {
        "list": "/admin/clients/",
        "results": "/admin/clients/results/",
        "new": "/admin/clients/new/",
        "export": "/admin/clients/?export=csv",
        "detail": f"/admin/clients/{pk}/",
        "edit": f"/admin/clients/{pk}/edit/",
        "history": f"/admin/clients/{pk}/history/",
        "consent": f"/admin/clients/{pk}/consent/",
        "plan": f"/admin/clients/{pk}/plan/",
        "propose": f"/admin/clients/{pk}/propose/",
        "placement_create": f"/admin/clients/{pk}/placement/",
        "plan_review": f"/admin/clients/plans/{record['plan'].pk}/review/",
        "plan_close": f"/admin/clients/plans/{record['plan'].pk}/close/",
        "proposal": f"/admin/clients/proposals/{record['proposal'].pk}/",
        "placement": f"/admin/clients/placements/{record['placement'].pk}/",
    }


@pytest.fixture
def browser_for(request, editor):
    def login(role: str) -> Browser:
        browser = Browser()
        if role == "volunteer":
            volunteer = Volunteer.objects.create(
                name="ボランティア",
                kana="ぼらんてぃあ",
                email="v@example.jp",
                status=Volunteer.Status.ACTIVE,
            )
            session = browser.session
            session[SESSION_KEY] = {
                "id": volunteer.pk,
                "n": volunteer.token_version,
                "until": (timezone.now() + dt.timedelta(hours=1)).timestamp(),
            }
            session.save()
        elif role != "anonymous":
            user = editor if role == "editor" else request.getfixturevalue(role)
            browser.force_login(user)
        return browser

    return login


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_nothing_leaked(response, person: Client) -> None:
    text = body(response)
    assert person.reference_code not in text
    assert person.name not in text
    assert person.kana not in text


def assert_denied(response, person: Client) -> None:
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith(("/admin/login/", "/admin/"))
    assert_nothing_leaked(response, person)


@pytest.mark.parametrize("role", ["anonymous", "volunteer"])
def test_outsiders_are_sent_to_the_login_everywhere(record, browser_for, role):
    browser = browser_for(role)
    for name, url in routes(record).items():
        response = browser.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name
        assert_nothing_leaked(response, record["client"])


def test_a_community_editor_is_denied_every_client_route(record, browser_for):
    browser = browser_for("editor")
    for name, url in routes(record).items():
        response = browser.get(url)
        assert_denied(response, record["client"])
        if name not in COLLECTION:
            assert response.status_code in (302, 404), name


def test_a_coordinator_of_another_team_gets_404_for_the_record(record, browser_for):
    browser = browser_for("other_coordinator")
    for name, url in routes(record).items():
        response = browser.get(url)
        if name in COLLECTION:
            assert response.status_code == 200, name
            assert_nothing_leaked(response, record["client"])
        else:
            assert response.status_code == 404, name
            assert_nothing_leaked(response, record["client"])


def test_an_unknown_id_is_the_same_404(browser_for, coordinator):
    response = browser_for("coordinator").get(
        "/admin/clients/00000000-0000-4000-8000-000000000000/"
    )
    assert response.status_code == 404


def test_own_coordinator_reaches_every_route(record, browser_for):
    browser = browser_for("coordinator")
    for name, url in routes(record).items():
        response = browser.get(url)
        if name == "history":
            assert_denied(response, record["client"])  # the audit log is for supervisors
            continue
        assert response.status_code == 200, (name, response.status_code)
    detail = browser.get(routes(record)["detail"])
    assert record["client"].name in detail.content.decode()


# Reading every client (a supervisor's role in another team) never grants a write; "new" is
# open because they may add a client to their own team.
READ_ROUTES = {"list", "results", "export", "detail", "history", "new"}


def test_a_supervisor_of_another_team_reads_but_reaches_no_write_route(record, browser_for):
    browser = browser_for("supervisor")
    for name, url in routes(record).items():
        response = browser.get(url)
        if name in READ_ROUTES:
            assert response.status_code == 200, (name, response.status_code)
        else:
            assert (response.status_code, response["Location"]) == (302, "/admin/"), name
    detail = browser.get(routes(record)["detail"]).content.decode()
    assert record["client"].name in detail
    assert routes(record)["consent"] not in detail
    assert routes(record)["edit"] not in detail


def test_client_pages_are_never_cached(record, browser_for):
    browser = browser_for("coordinator")
    for name, url in routes(record).items():
        if name == "history":
            continue
        cache_control = browser.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, name


def test_the_name_is_only_on_the_detail_and_edit_pages(record, browser_for):
    browser = browser_for("coordinator")
    for name, url in routes(record).items():
        if name in {"detail", "edit", "history"}:
            continue
        assert record["client"].name not in body(browser.get(url)), name
    listing = browser.get("/admin/clients/").content.decode()
    assert record["client"].reference_code in listing


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("editor", 404),
        ("other_coordinator", 404),
        ("volunteer", 302),
        ("supervisor", 302),  # reads every client, writes only their own team's
    ],
)
def test_denied_writes_change_nothing(record, browser_for, role, status):
    person = record["client"]
    browser = browser_for(role)
    posts = {
        f"/admin/clients/{person.pk}/consent/": {
            "stage": "withdrawn", "obtained_on": "2026-11-20", "scope": "", "method": "phone",
        },
        f"/admin/clients/{person.pk}/edit/": {"name": "書き換え", "team": person.team_id},
        f"/admin/clients/proposals/{record['proposal'].pk}/": {"action": "send", "summary": "x"},
        f"/admin/clients/placements/{record['placement'].pk}/": {"status": "accepted"},
    }  # fmt: skip
    for url, data in posts.items():
        response = browser.post(url, data)
        assert response.status_code in (status, 302, 403), url
        assert_nothing_leaked(response, person)
    person.refresh_from_db()
    assert person.name == "山田花子"
    assert person.latest_consent().stage == Consent.Stage.CONSENTED
    assert record["proposal"].__class__.objects.get().status == "draft"
    assert Placement.objects.get().status == Placement.Status.PROPOSED


def test_admin_search_never_finds_clients(record, browser_for):
    """The sidebar's search (pages, with the other search areas) has no client area: searching
    by one identifier (echoed in the search box) never reveals another or a link."""
    person = record["client"]
    identifiers = (person.reference_code, person.name, person.kana)
    search = reverse("wagtailadmin_pages:search")
    for role in ("editor", "coordinator", "supervisor"):
        browser = browser_for(role)
        for query in identifiers:
            response = browser.get(search, {"q": query})
            # Users without page permissions are turned away from the search altogether.
            assert response.status_code in (200, 302)
            text = response.content.decode()
            assert not [other for other in identifiers if other != query and other in text]
            assert "/admin/clients/" + str(person.pk) not in text


def test_the_menu_is_hidden_from_editors(record, browser_for):
    assert "/admin/clients/" not in browser_for("editor").get("/admin/").content.decode()
    assert "/admin/clients/" in browser_for("coordinator").get("/admin/").content.decode()


def test_site_history_shows_client_entries_to_supervisors_only(record, browser_for):
    person = record["client"]
    assert ClientLogEntry.objects.filter(client_id=person.pk).exists()
    for role in ("editor", "coordinator", "other_coordinator"):
        response = browser_for(role).get("/admin/reports/site-history/")
        assert_nothing_leaked(response, person)
    response = browser_for("supervisor").get("/admin/reports/site-history/")
    assert response.status_code == 200
    assert person.reference_code in response.content.decode()
    assert person.name not in response.content.decode()


def test_log_entries_are_labelled_with_the_reference_code(record, coordinator):
    person = record["client"]
    entry = log(instance=person, action="wagtail.edit", user=coordinator)
    assert isinstance(entry, ClientLogEntry)
    assert entry.label == person.reference_code
    assert not ModelLogEntry.objects.filter(object_id=str(person.pk)).exists()


# --- visible_to --------------------------------------------------------------------------------


@pytest.fixture
def two_clients(team_a, team_b):
    return ClientFactory(team=team_a), ClientFactory(team=team_b)


def test_visible_to_a_coordinator_is_their_teams(two_clients, coordinator):
    mine, theirs = two_clients
    assert list(Client.objects.visible_to(coordinator)) == [mine]


def test_visible_to_a_member_of_two_teams_is_both(two_clients, coordinator, team_b):
    TeamMembership.objects.create(team=team_b, user=coordinator)
    forget_access(coordinator)
    assert set(Client.objects.visible_to(coordinator)) == set(two_clients)


def test_visible_to_a_supervisor_is_everyone(two_clients, supervisor):
    assert set(Client.objects.visible_to(supervisor)) == set(two_clients)


def test_visible_to_the_view_all_permission_is_everyone_read_only(two_clients):
    from django.contrib.auth.models import Permission

    auditor = make_user("auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_all_clients"))
    auditor = type(auditor).objects.get(pk=auditor.pk)
    assert set(Client.objects.visible_to(auditor)) == set(two_clients)
    browser = Browser()
    browser.force_login(auditor)
    assert browser.get(f"/admin/clients/{two_clients[0].pk}/").status_code == 200
    assert browser.get(f"/admin/clients/{two_clients[0].pk}/edit/").status_code == 302


def test_visible_to_superusers_and_the_system_is_everyone(two_clients, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.jp", PASSWORD)
    assert set(Client.objects.visible_to(root)) == set(two_clients)
    assert set(Client.objects.visible_to(SystemActor())) == set(two_clients)


@pytest.mark.parametrize("who", ["anonymous", "none", "editor", "inactive"])
def test_visible_to_anyone_else_is_nobody(two_clients, editor, coordinator, who):
    user = {"anonymous": AnonymousUser(), "none": None, "editor": editor}.get(who)
    if who == "inactive":
        coordinator.is_active = False
        coordinator.save()
        user = type(coordinator).objects.get(pk=coordinator.pk)
    assert not Client.objects.visible_to(user).exists()


def test_admin_access_alone_sees_nothing(two_clients):
    user = make_user("clerk")
    user.groups.add(admin_group())
    assert not Client.objects.visible_to(user).exists()


def test_records_of_a_client_are_scoped_with_it(record, coordinator, other_coordinator, supervisor):
    from matching.models import Proposal, SupportPlan

    for model in (Consent, SupportPlan, Proposal, Placement):
        assert model.objects.visible_to(coordinator).exists(), model
        assert model.objects.visible_to(supervisor).exists(), model
        assert not model.objects.visible_to(other_coordinator).exists(), model
        assert not model.objects.visible_to(AnonymousUser()).exists(), model


def test_no_personal_record_is_in_wagtails_search_index():
    from wagtail.search.index import class_is_indexed

    from matching.models import Proposal, SupportPlan, Team

    for model in (Client, Consent, SupportPlan, Proposal, Placement, Team):
        assert not class_is_indexed(model), model
