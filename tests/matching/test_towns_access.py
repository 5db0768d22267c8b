"""Client data never crosses towns (issue 17): the role × URL matrix across two Wagtail sites.

和泊町 (the default site) and 知名町 (a second site) each have a team with a client holding a
canary in every sensitive text, a coordinator, a supervisor, and town staff with
``view_all_clients`` (a member of their town hall's team, which has no clients). Every client
URL of ``test_access_matrix.SPECS`` (the routes found from the URL conf, not listed again here)
is read by every role: the other town's roles get no 200 on a record and never its canaries —
not on pages, lists, searches, exports or the audit log. A consented referral of one 和泊町
client to the 知名町 team lets that team's members read that client only, and write nothing;
ending it refuses them again at once. The reports count only the user's own town.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from wagtail.models import Page, Site

from matching import services
from matching.access import VIEW_ALL_PERMISSION, client_access, forget_access
from matching.models import Client, ClientLogEntry, Referral, TeamMembership
from reports.results.figures import fiscal_year
from tests.conftest import restore_migration_data

from .factories import ClientFactory, TeamFactory, consent, host_activity, make_user
from .test_access_matrix import SPECS, _build_team, _post_and_roll_back, body, snapshot, urls_of

pytestmark = pytest.mark.django_db

TOWNS = {1: "和泊町", 2: "知名町"}
# role → its town (None: every town)
ROLES = {
    "coord_1": 1,
    "sup_1": 1,
    "staff_1": 1,
    "coord_2": 2,
    "sup_2": 2,
    "staff_2": 2,
    "view_all_no_team": 0,
    "superuser": None,
}


def _sites() -> dict[int, Site]:
    wadomari = Site.objects.get(is_default_site=True)
    root = Page.get_first_root_node().add_child(instance=Page(title="知名町", slug="china-town"))
    china = Site.objects.create(hostname="china.example.jp", root_page=root, site_name="知名町")
    return {1: wadomari, 2: china}


def _view_all(user: Any) -> Any:
    app_label, codename = VIEW_ALL_PERMISSION.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


def _users(sites: dict[int, Site]) -> dict[str, Any]:
    users: dict[str, Any] = {}
    for n, site in sites.items():
        team = TeamFactory(name=f"{TOWNS[n]}地域包括支援センター", site=site)
        office = TeamFactory(name=f"{TOWNS[n]}役場", site=site)
        users[f"coord_{n}"] = make_user(f"towns_coord_{n}", team=team)
        users[f"sup_{n}"] = make_user(
            f"towns_sup_{n}", team=team, role=TeamMembership.Role.SUPERVISOR
        )
        users[f"staff_{n}"] = _view_all(make_user(f"towns_staff_{n}", team=office))
    users["view_all_no_team"] = _view_all(make_user("towns_view_all"))
    users["superuser"] = get_user_model().objects.create_superuser(
        "towns_root", "root@example.jp", "x"
    )
    return users


@pytest.fixture(scope="module")
def towns(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """Built once for the module, rolled back after; each test runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        restore_migration_data()
        sites = _sites()
        users = _users(sites)
        # Each town's clients are placed with its own town's activities (pages of its site).
        parents = {1: None, 2: sites[2].root_page}
        activities = {
            n: {
                key: host_activity(title=f"{TOWNS[n]}{key}", placement_capacity=10, parent=parent)
                for key in ("placed", "sent", "draft", "free")
            }
            for n, parent in parents.items()
        }
        teams = {n: _build_team(n, users[f"coord_{n}"], activities[n]) for n in (1, 2)}
        # A second 和泊町 client: a referral of the first must not show this one.
        other = ClientFactory(team=teams[1].team, name="和泊町の別の人", kana="べつのひと")
        consent(other, users["coord_1"])
        for user in users.values():
            forget_access(user)
        yield {"users": users, "teams": teams, "sites": sites, "other": other}
        transaction.set_rollback(True)


def reads(role: str, number: int) -> bool:
    """Whether ``role`` may read town ``number``'s client (without a referral)."""
    return ROLES[role] in (None, number)


def browser(role: str, users: dict[str, Any]) -> Any:
    from django.test import Client as Browser

    b = Browser()
    b.force_login(users[role])
    return b


def test_every_client_url_is_refused_to_the_other_town(towns):
    users, teams = towns["users"], towns["teams"]
    browsers = {role: browser(role, users) for role in ROLES}
    gets = 0
    for name, spec in SPECS.items():
        for role in ROLES:
            for number, url in urls_of(name, spec, teams):
                response = browsers[role].get(url)
                gets += 1
                assert response.status_code < 500, (name, role, url)
                if spec.token:
                    continue  # authorised by the signed link, not by the login
                text = body(response)
                for other, data in teams.items():
                    if not reads(role, other):
                        leaked = [c for c in data.canaries if c in text]
                        assert not leaked, (name, role, other, leaked)
                if number is not None and not reads(role, number):
                    assert response.status_code in (302, 403, 404), (name, role, number)
    assert gets > 300


@pytest.mark.parametrize("role", ["coord_2", "sup_2", "staff_2", "view_all_no_team"])
def test_search_lists_and_exports_of_the_other_town_are_empty(towns, role):
    users, data = towns["users"], towns["teams"][1]
    b = browser(role, users)
    name = data.client.name
    for query, url in (
        (name, reverse("matching_client:index") + f"?q={name}"),
        (name[:6], reverse("matching_client:index_results") + f"?q={name[:6]}"),
        ("", reverse("matching_client:index") + "?export=csv"),
        ("", reverse("matching_client:index") + "?export=xlsx"),
    ):
        text = body(b.get(url))
        # The search box shows back what was typed; nothing else of the client may appear.
        leaked = [c for c in data.canaries if c in text and (not query or query not in c)]
        assert not leaked, (role, url)
        assert data.client.reference_code not in text
    assert not Client.objects.visible_to(users[role]).filter(team__site=towns["sites"][1])


def test_each_town_reads_its_own_clients_only(towns):
    users, teams, sites = towns["users"], towns["teams"], towns["sites"]
    for role in ROLES:
        visible = Client.objects.visible_to(users[role])
        for n in (1, 2):
            assert visible.filter(pk=teams[n].client.pk).exists() == reads(role, n), (role, n)
    # Town staff read every client of their town, not only their (empty) office team's.
    assert set(Client.objects.visible_to(users["staff_1"])) == set(
        Client.objects.filter(team__site=sites[1])
    )


def test_read_all_staff_in_no_team_see_every_client_on_a_single_town_install(towns):
    """The rule that keeps a single-town install working (matching/access.py)."""
    users, sites = towns["users"], towns["sites"]
    user = users["view_all_no_team"]
    assert not client_access(user).sees_any
    with transaction.atomic():
        second = Site.objects.get(pk=sites[2].pk)  # deleting clears the instance's pk
        Client.objects.filter(team__site=second).update(team=towns["teams"][1].team)
        from matching.models import Team

        Team.objects.filter(site=second).update(site=sites[1])
        second.delete()
        forget_access(user)
        assert client_access(user).sees_every_town
        assert Client.objects.visible_to(user).count() == Client.objects.count()
        transaction.set_rollback(True)
    forget_access(user)


def test_the_audit_log_is_read_per_town(towns):
    users, teams = towns["users"], towns["teams"]
    for n, other in ((1, 2), (2, 1)):
        log = ClientLogEntry.objects.viewable_by_user(users[f"sup_{n}"])
        assert log.filter(client_id=teams[n].client.pk).exists()
        assert not log.filter(client_id=teams[other].client.pk).exists()
    assert not ClientLogEntry.objects.viewable_by_user(users["coord_1"]).exists()
    everything = ClientLogEntry.objects.viewable_by_user(users["superuser"])
    assert everything.filter(client_id=teams[2].client.pk).exists()


def test_the_results_report_counts_only_the_users_town(towns):
    users = towns["users"]
    today = dt.date.today()
    year = today.year if today.month >= 4 else today.year - 1
    _refer(towns)  # a referred client is still 和泊町's: not counted for 知名町

    def referred(role: str) -> int:
        return fiscal_year(users[role], year).total.funnel.referred

    # 和泊町: its two clients; 知名町: its one, even for the team the first was referred to.
    assert (referred("sup_1"), referred("staff_1")) == (2, 2)
    assert (referred("sup_2"), referred("coord_2"), referred("staff_2")) == (1, 1, 1)
    assert referred("superuser") == 3


# --- a consented referral ------------------------------------------------------------------------


def _refer(towns: dict[str, Any]) -> Referral:
    """Through the client page's screen, as 和泊町's coordinator: 1 → 知名町's team."""
    users, data = towns["users"], towns["teams"][1]
    to_team = towns["teams"][2].team
    response = browser("coord_1", users).post(
        reverse("matching_client:referral_create", args=[data.client.pk]),
        {"to_team": to_team.pk, "consent_on": "2026-11-20", "method": "interview",
         "scope": "就労体験の調整のため近況を共有"},
    )  # fmt: skip
    assert response.status_code == 302, body(response)
    for user in users.values():
        forget_access(user)
    return Referral.objects.active().get(client=data.client, to_team=to_team)


def test_a_referral_lets_the_teams_members_read_that_client_only(towns):
    users, data, other = towns["users"], towns["teams"][1], towns["other"]
    inspect = reverse("matching_client:inspect", args=[data.client.pk])
    for role in ("coord_2", "sup_2"):
        assert browser(role, users).get(inspect).status_code == 404
    referral = _refer(towns)
    for role in ("coord_2", "sup_2"):
        b = browser(role, users)
        response = b.get(inspect)
        assert response.status_code == 200 and data.client.name in response.content.decode()
        other_page = b.get(reverse("matching_client:inspect", args=[other.pk]))
        assert other_page.status_code == 404 and other.name not in body(other_page)
        assert set(Client.objects.visible_to(users[role]).filter(team=data.team)) == {data.client}
    # Not the rest of 知名町: its staff are in another team.
    assert browser("staff_2", users).get(inspect).status_code == 404
    # Nor does it count in 知名町's reports.
    assert not Client.objects.visible_to(users["coord_2"], referred=False).filter(pk=data.client.pk)
    # Audit-logged: who referred whom (the entry's client) to which team.
    entries = ClientLogEntry.objects.filter(
        client_id=data.client.pk, action="matching.referral.create"
    )
    entry = next(e for e in entries if e.data["referral"] == str(referral.pk))
    assert entry.user == users["coord_1"]
    assert entry.data["team"] == str(towns["teams"][2].team.pk)


def test_a_referred_team_reads_its_own_referral_not_the_others(towns):
    """What the person agreed another team may know is for that team: a team referred to
    reads its own referral on the client's page, not who else was told what."""
    users, data = towns["users"], towns["teams"][1]
    _refer(towns)  # to 知名町's 地域包括支援センター: 「就労体験の調整のため近況を共有」
    office = towns["users"]["staff_2"].team_memberships.get().team
    services.referral_create(
        client=data.client, to_team=office, consent_on=dt.date(2026, 11, 21), method="interview",
        scope="役場の窓口で住所変更を手伝うため", by=users["coord_1"],
    )  # fmt: skip
    for user in users.values():
        forget_access(user)
    inspect = reverse("matching_client:inspect", args=[data.client.pk])
    page = body(browser("coord_2", users).get(inspect))
    assert "就労体験の調整のため近況を共有" in page
    assert "役場の窓口で住所変更を手伝うため" not in page and office.name not in page
    page = body(browser("staff_2", users).get(inspect))
    assert "役場の窓口で住所変更を手伝うため" in page
    assert "就労体験の調整のため近況を共有" not in page
    # The home team sees every referral it made.
    page = body(browser("coord_1", users).get(inspect))
    assert "就労体験の調整のため近況を共有" in page and "役場の窓口で住所変更を手伝うため" in page


def test_supervising_in_one_town_reads_no_other_team_where_one_only_coordinates(towns):
    """Supervising a team of 知名町 opens 知名町's clients, not those of the 和泊町 teams where
    the same person is only a coordinator (their own team's, of course)."""
    users, data = towns["users"], towns["teams"]
    office = users["staff_1"].team_memberships.get().team  # 和泊町役場
    elsewhere = ClientFactory(team=office, name="役場の相談者", kana="やくばのそうだんしゃ")
    both = make_user("towns_both", team=data[1].team)
    TeamMembership.objects.create(team=data[2].team, user=both, role=TeamMembership.Role.SUPERVISOR)
    visible = Client.objects.visible_to(both)
    assert data[1].client in visible and data[2].client in visible
    assert elsewhere not in visible
    b = browser("both", {"both": both})
    page = b.get(reverse("matching_client:inspect", args=[elsewhere.pk]))
    assert page.status_code == 404 and elsewhere.name not in body(page)


def test_the_referred_team_writes_nothing(towns):
    users, data = towns["users"], towns["teams"][1]
    _refer(towns)
    before = snapshot()
    b = browser("coord_2", users)
    for name, spec in SPECS.items():
        if spec.post is None or spec.token or spec.kwargs is None:
            continue
        url = reverse(name, kwargs=spec.kwargs(data))
        assert not _post_and_roll_back(b, url, spec.post(data), before), name
    # Wagtail answers a refused admin view with a redirect and a message; no form either way.
    edit = b.get(reverse("matching_client:edit", args=[data.client.pk]))
    assert edit.status_code in (302, 403)


def test_ending_the_referral_refuses_the_team_again_at_once(towns):
    users, data = towns["users"], towns["teams"][1]
    referral = _refer(towns)
    inspect = reverse("matching_client:inspect", args=[data.client.pk])
    reader = browser("coord_2", users)
    assert reader.get(inspect).status_code == 200
    # The referred team may not end it (refused: Wagtail's redirect); the home team may.
    end = reverse("matching_client:referral_end", args=[referral.pk])
    assert reader.post(end).status_code in (302, 403)
    assert Referral.objects.active().filter(pk=referral.pk).exists()
    response = browser("coord_1", users).post(
        reverse("matching_client:referral_end", args=[referral.pk])
    )
    assert response.status_code == 302
    forget_access(users["coord_2"])
    response = reader.get(inspect)
    assert response.status_code == 404 and data.client.name not in body(response)
    referral.refresh_from_db()
    assert referral.ended_at is not None and referral.ended_by == users["coord_1"]


def test_a_referral_without_consent_is_refused_in_japanese_and_writes_nothing(towns):
    users, data = towns["users"], towns["teams"][1]
    before = snapshot()
    response = browser("coord_1", users).post(
        reverse("matching_client:referral_create", args=[data.client.pk]),
        {"to_team": towns["teams"][2].team.pk, "consent_on": "", "method": "", "scope": " "},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"consent_on", "method", "scope"}, errors
    assert all("必須" in str(e) for e in errors.values()), errors
    assert snapshot() == before
    with pytest.raises(services.MatchingError) as refused:
        services.referral_create(
            client=data.client, to_team=towns["teams"][2].team, consent_on=None, method="",
            scope="", by=users["coord_1"],
        )  # fmt: skip
    assert "本人が紹介に同意した日を入力してください。" in str(refused.value)
    assert "紹介先のチームに伝えてよいと本人が同意した内容を記録してください。" in str(
        refused.value
    )
    assert snapshot() == before


def test_only_a_writer_of_the_client_may_refer(towns):
    users, data = towns["users"], towns["teams"][1]
    before = snapshot()
    for role in ("staff_1", "coord_2", "sup_2"):
        b = browser(role, users)
        url = reverse("matching_client:referral_create", args=[data.client.pk])
        post = {"to_team": towns["teams"][2].team.pk, "consent_on": "2026-11-20",
                "method": "interview", "scope": "近況"}  # fmt: skip
        assert not _post_and_roll_back(b, url, post, before), role
