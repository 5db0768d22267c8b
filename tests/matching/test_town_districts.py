"""District choices stay in the user's towns (issue 17): the client form, the client list's
filter and the results report offer the districts of the user's towns only, and another town's
district posted anyway is refused in Japanese with nothing written. Superusers see every
district; on an install of one town nothing changes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from wagtail.models import Page, Site

from matching.access import visible_areas, writable_areas
from matching.models import Client, TeamMembership
from tests.resources.factories import AreaFactory

from .factories import ClientFactory, TeamFactory, make_user

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "正しく選択してください。選択したものは候補にありません。"
WADOMARI_DISTRICT = "喜美留"
CHINA_DISTRICT = "瀬利覚"


@pytest.fixture
def towns() -> SimpleNamespace:
    """和泊町 (the default site) and 知名町, each with a district, a team and its staff."""
    wadomari = Site.objects.get(is_default_site=True)
    root = Page.get_first_root_node().add_child(instance=Page(title="知名町", slug="china-town"))
    china = Site.objects.create(hostname="china.example.jp", root_page=root, site_name="知名町")
    team = TeamFactory(name="和泊町地域包括支援センター", site=wadomari)
    china_team = TeamFactory(name="知名町地域包括支援センター", site=china)
    return SimpleNamespace(
        wadomari=wadomari,
        china=china,
        team=team,
        china_team=china_team,
        area=AreaFactory(name=WADOMARI_DISTRICT, site=wadomari),
        china_area=AreaFactory(name=CHINA_DISTRICT, site=china),
        coordinator=make_user("district_coord", team=team),
        supervisor=make_user("district_sup", team=team, role=TeamMembership.Role.SUPERVISOR),
        superuser=get_user_model().objects.create_superuser("district_root", "r@example.jp", "x"),
    )


def _form_data(team, area, **fields) -> dict:
    return {"name": "地区 太郎", "team": team.pk, "status": "consulting", "area": area.pk, **fields}


def _area_choices(response) -> str:
    """The rendered ``<select name="area">`` of a page."""
    page = response.content.decode()
    start = page.index('name="area"')
    return page[start : page.index("</select>", start)]


# --- the client form ---------------------------------------------------------------------


def test_the_client_form_offers_only_the_districts_of_the_coordinator_s_town(client, towns):
    client.force_login(towns.coordinator)
    choices = _area_choices(client.get("/admin/clients/new/"))
    assert WADOMARI_DISTRICT in choices
    assert CHINA_DISTRICT not in choices


def test_another_town_s_district_is_refused_and_no_client_is_created(client, towns):
    client.force_login(towns.coordinator)
    response = client.post("/admin/clients/new/", _form_data(towns.team, towns.china_area))
    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert not Client.objects.exists()


def test_another_town_s_district_is_refused_on_edit_and_the_record_is_unchanged(client, towns):
    person = ClientFactory(team=towns.team, area=towns.area)
    client.force_login(towns.coordinator)
    edit = client.get(f"/admin/clients/{person.pk}/edit/")
    assert CHINA_DISTRICT not in _area_choices(edit)
    data = _form_data(towns.team, towns.china_area, name=person.name, status="supporting")
    response = client.post(f"/admin/clients/{person.pk}/edit/", data)
    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    person.refresh_from_db()
    assert (person.area_id, person.status) == (towns.area.pk, "consulting")


def test_a_superuser_sees_every_district_but_keeps_the_team_s_town(client, towns):
    client.force_login(towns.superuser)
    choices = _area_choices(client.get("/admin/clients/new/"))
    assert WADOMARI_DISTRICT in choices and CHINA_DISTRICT in choices
    refused = client.post("/admin/clients/new/", _form_data(towns.team, towns.china_area))
    assert refused.status_code == 200
    assert "本人のチームの町の地区を選んでください。" in refused.content.decode()
    assert not Client.objects.exists()
    saved = client.post("/admin/clients/new/", _form_data(towns.china_team, towns.china_area))
    assert saved.status_code == 302
    assert Client.objects.get().area == towns.china_area


def test_a_coordinator_of_both_towns_is_offered_both_towns_districts(towns):
    both = make_user("district_both", team=towns.team)
    TeamMembership.objects.create(team=towns.china_team, user=both)
    assert set(writable_areas(both)) == {towns.area, towns.china_area}
    assert set(writable_areas(towns.coordinator)) == {towns.area}


# --- the client list's filter --------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "supervisor"])
def test_the_client_list_filters_by_the_districts_of_the_user_s_town_only(client, towns, role):
    client.force_login(getattr(towns, role))
    choices = _area_choices(client.get("/admin/clients/"))
    assert WADOMARI_DISTRICT in choices
    assert CHINA_DISTRICT not in choices
    refused = client.get("/admin/clients/", {"area": towns.china_area.pk})
    assert INVALID_CHOICE in refused.content.decode()


def test_the_superuser_s_client_list_filters_by_every_district(client, towns):
    client.force_login(towns.superuser)
    choices = _area_choices(client.get("/admin/clients/"))
    assert WADOMARI_DISTRICT in choices and CHINA_DISTRICT in choices


# --- the results report --------------------------------------------------------------------

REPORT = "/admin/reports/results/"


def test_the_report_offers_the_districts_of_the_supervisor_s_town_only(client, towns):
    ClientFactory(team=towns.team, area=towns.area)
    client.force_login(towns.supervisor)
    response = client.get(REPORT, {"breakdown": "area"})
    assert response.status_code == 200
    assert CHINA_DISTRICT not in response.content.decode()  # choices, breakdown rows, listings
    assert WADOMARI_DISTRICT in _area_choices(response)
    refused = client.get(REPORT, {"area": towns.china_area.pk, "export": "csv"})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")  # no file
    assert INVALID_CHOICE in refused.content.decode()


def test_the_superuser_s_report_offers_every_district(client, towns):
    client.force_login(towns.superuser)
    choices = _area_choices(client.get(REPORT))
    assert WADOMARI_DISTRICT in choices and CHINA_DISTRICT in choices


# --- one town ------------------------------------------------------------------------------


def test_on_an_install_of_one_town_every_district_is_offered(client):
    site = Site.objects.get(is_default_site=True)
    team = TeamFactory(site=site)
    districts = {AreaFactory(name="和泊", site=site), AreaFactory(name="手々知名", site=site)}
    coordinator = make_user("one_town_coord", team=team)
    view_all = make_user("one_town_view_all")
    view_all.user_permissions.add(Permission.objects.get(codename="view_all_clients"))
    assert set(visible_areas(coordinator)) == districts
    assert set(writable_areas(coordinator)) == districts
    assert set(visible_areas(view_all)) == districts
