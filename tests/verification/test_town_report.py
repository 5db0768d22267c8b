"""The stale-listings report per town (issue 17): staff see their towns' listings and are
offered their towns' districts, like the 実績 report; superusers see every town; staff in no
team see no town's listings once the install has two towns; one town is unchanged."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Site

from matching.models import TeamMembership
from resources.models import Area
from tests.matching.factories import TeamFactory
from tests.tsunagu.island import share, two_towns

from .conftest import STALE_CUTOFF
from .factories import place

pytestmark = pytest.mark.django_db

URL = "/admin/reports/stale-listings/"
INVALID_CHOICE = "正しく選択してください。選択したものは候補にありません。"
WADOMARI_DISTRICT = "喜美留"
CHINA_DISTRICT = "瀬利覚"
WADOMARI_LISTING = "喜美留の古い公民館"
CHINA_LISTING = "瀬利覚の古い公民館"


def _district(name: str, site) -> Area:
    return Area.objects.create(name=name, site=site, latitude=27.39, longitude=128.65)


def _staff(django_user_model, name: str, *, team=None, **flags):
    """Town staff as the report's permission is given: the Moderators group."""
    user = django_user_model.objects.create_user(name, f"{name}@example.jp", "pw", **flags)
    user.groups.add(Group.objects.get(name="Moderators"))
    if team is not None:
        TeamMembership.objects.create(team=team, user=user)
    return user


@pytest.fixture
def towns(now, django_user_model) -> SimpleNamespace:
    """和泊町 and 知名町, sharing with the island, each with a stale listing in a district."""
    wadomari, china = two_towns()
    share(wadomari, china)  # sharing public pages gives no staff the other town's report
    area = _district(WADOMARI_DISTRICT, wadomari.site)
    china_area = _district(CHINA_DISTRICT, china.site)
    place(STALE_CUTOFF, title=WADOMARI_LISTING, area=area, parent=wadomari.directory)
    place(STALE_CUTOFF, title=CHINA_LISTING, area=china_area, parent=china.directory)
    team = TeamFactory(name="和泊町地域包括支援センター", site=wadomari.site)
    return SimpleNamespace(
        area=area,
        china_area=china_area,
        staff=_staff(django_user_model, "wadomari_staff", team=team),
        teamless=_staff(django_user_model, "teamless_staff"),
        superuser=_staff(django_user_model, "root", is_superuser=True, is_staff=True),
    )


def _area_select(html: str) -> str:
    start = html.index('name="area"')
    return html[start : html.index("</select>", start)]


def _csv_titles(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return sorted(row[0] for row in rows[1:])


def test_staff_see_only_their_own_town_s_stale_listings_and_districts(client, towns):
    client.force_login(towns.staff)

    html = client.get(URL).content.decode()

    assert WADOMARI_LISTING in html
    assert CHINA_LISTING not in html
    assert WADOMARI_DISTRICT in _area_select(html)
    assert CHINA_DISTRICT not in html  # neither a choice nor a row
    assert _csv_titles(client.get(URL, {"export": "csv"})) == [WADOMARI_LISTING]


def test_another_town_s_district_is_refused_and_shows_nothing_of_that_town(client, towns):
    client.force_login(towns.staff)

    html = client.get(URL, {"area": towns.china_area.pk}).content.decode()

    assert INVALID_CHOICE in html
    assert CHINA_LISTING not in html


def test_staff_in_no_team_see_no_town_s_listings_on_a_two_town_install(client, towns):
    client.force_login(towns.teamless)

    response = client.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert WADOMARI_LISTING not in html and CHINA_LISTING not in html
    assert WADOMARI_DISTRICT not in html and CHINA_DISTRICT not in html
    assert _csv_titles(client.get(URL, {"export": "csv"})) == []


def test_a_superuser_sees_every_town_with_districts_grouped_by_town(client, towns):
    client.force_login(towns.superuser)

    html = client.get(URL).content.decode()

    assert WADOMARI_LISTING in html and CHINA_LISTING in html
    select = _area_select(html)
    assert '<optgroup label="和泊町">' in select and '<optgroup label="知名町">' in select
    filtered = client.get(URL, {"area": towns.china_area.pk}).content.decode()
    assert CHINA_LISTING in filtered and WADOMARI_LISTING not in filtered
    assert "瀬利覚（知名町）" in filtered  # the active filter names the town


def test_on_an_install_of_one_town_staff_in_no_team_see_every_listing(
    client, now, django_user_model
):
    area = _district(WADOMARI_DISTRICT, Site.objects.get(is_default_site=True))
    place(STALE_CUTOFF, title=WADOMARI_LISTING, area=area)
    client.force_login(_staff(django_user_model, "one_town_staff"))

    html = client.get(URL).content.decode()

    assert WADOMARI_LISTING in html
    select = _area_select(html)
    assert WADOMARI_DISTRICT in select and "<optgroup" not in select
