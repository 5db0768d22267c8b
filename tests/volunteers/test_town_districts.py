"""District choices per town on the volunteers' forms (issue 17).

The public registration and "my page" forms offer the districts of the request's site's town,
and the sharing towns' too when the towns share with the island, grouped under each town's
name; another town's district posted anyway is refused in Japanese with nothing written. The
admin register's district filter offers the user's towns' districts when they have towns, and
otherwise every district grouped by town. An install of one town is unchanged.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from wagtail.models import Site

from matching.models import TeamMembership
from resources.models import Area
from tests.matching.factories import TeamFactory
from tests.resources.factories import AreaFactory
from tests.tsunagu.island import CHINA_HOST, share, two_towns
from volunteers.links import Purpose, link_token
from volunteers.models import Volunteer

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "正しく選択してください。選択したものは候補にありません。"
WADOMARI_DISTRICT = "喜美留"
CHINA_DISTRICT = "瀬利覚"
REGISTER = "/volunteers/register/"


def _district(name: str, site: Site) -> Area:
    # Not AreaFactory: it finds districts by name alone, and two towns may share a name.
    return Area.objects.create(name=name, site=site, latitude=27.39, longitude=128.65)


@pytest.fixture
def towns() -> SimpleNamespace:
    """和泊町 (the default site) and 知名町, each with its own district and a 「中央」."""
    wadomari, china = two_towns()
    return SimpleNamespace(
        wadomari=wadomari,
        china=china,
        area=_district(WADOMARI_DISTRICT, wadomari.site),
        china_area=_district(CHINA_DISTRICT, china.site),
        centre=_district("中央", wadomari.site),
        china_centre=_district("中央", china.site),
    )


def _area_select(response) -> str:
    """The rendered ``<select name="area">`` of a page."""
    page = response.content.decode()
    start = page.index('name="area"')
    return page[start : page.index("</select>", start)]


def _groups(select: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]*)"', select)


def _registration(area: Area, **fields: str) -> dict[str, str]:
    return {
        "name": "世之主 花子",
        "kana": "よのぬし はなこ",
        "email": "hanako@example.jp",
        "area": str(area.pk),
        "age_band": "60s",
        "consent": "on",
        **fields,
    }


# --- registering on a town's site ----------------------------------------------------------


def test_each_town_s_registration_offers_only_its_own_districts(client, towns):
    here = _area_select(client.get(REGISTER))
    there = _area_select(client.get(REGISTER, HTTP_HOST=CHINA_HOST))

    assert WADOMARI_DISTRICT in here and CHINA_DISTRICT not in here
    assert CHINA_DISTRICT in there and WADOMARI_DISTRICT not in there
    assert _groups(here) == _groups(there) == []  # one town: the plain list


def test_another_town_s_district_is_refused_and_nobody_is_registered(client, towns):
    response = client.post(REGISTER, _registration(towns.area), HTTP_HOST=CHINA_HOST)

    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert not Volunteer.objects.exists()


def test_a_town_that_shares_is_not_offered_the_districts_of_one_that_does_not(client, towns):
    share(towns.china)  # 和泊町 does not share: sharing is mutual

    there = _area_select(client.get(REGISTER, HTTP_HOST=CHINA_HOST))

    assert CHINA_DISTRICT in there and WADOMARI_DISTRICT not in there
    refused = client.post(REGISTER, _registration(towns.area), HTTP_HOST=CHINA_HOST)
    assert INVALID_CHOICE in refused.content.decode()
    assert not Volunteer.objects.exists()


def test_sharing_towns_offer_each_other_s_districts_grouped_by_town(client, towns):
    share(towns.wadomari, towns.china)

    there = _area_select(client.get(REGISTER, HTTP_HOST=CHINA_HOST))
    here = _area_select(client.get(REGISTER))

    assert _groups(there) == ["知名町", "和泊町"]  # the site's own town first
    assert _groups(here) == ["和泊町", "知名町"]
    assert f'value="{towns.centre.pk}"' in there and f'value="{towns.china_centre.pk}"' in there
    chinas_group = there[: there.index('<optgroup label="和泊町"')]
    assert f'value="{towns.china_centre.pk}"' in chinas_group
    assert f'value="{towns.centre.pk}"' not in chinas_group
    response = client.post(REGISTER, _registration(towns.centre), HTTP_HOST=CHINA_HOST)
    assert response.status_code == 302
    assert Volunteer.objects.get().area == towns.centre


def test_a_town_that_stops_sharing_no_longer_offers_the_other_s_districts(client, towns):
    share(towns.wadomari, towns.china)
    share(towns.wadomari, shares=False)

    there = _area_select(client.get(REGISTER, HTTP_HOST=CHINA_HOST))

    assert WADOMARI_DISTRICT not in there and _groups(there) == []


# --- my page -------------------------------------------------------------------------------


def _my_page(client, volunteer: Volunteer, host: str = "localhost"):
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)
    client.post(reverse("volunteers:link_manage", args=[token]), HTTP_HOST=host)
    return client


def _profile(volunteer: Volunteer, area: Area) -> dict[str, str]:
    return {
        "name": volunteer.name,
        "kana": volunteer.kana,
        "email": volunteer.email,
        "phone": "",
        "area": str(area.pk),
        "travel_range": "town",
    }


def test_my_page_refuses_another_town_s_district_and_keeps_the_record(client, towns):
    volunteer = VolunteerFactory(
        kana="はない はなこ", email="hanako@example.jp", area=towns.area, notes=""
    )
    me = _my_page(client, volunteer)

    form = _area_select(me.get(reverse("volunteers:me_edit")))
    assert WADOMARI_DISTRICT in form and CHINA_DISTRICT not in form
    response = me.post(
        reverse("volunteers:me_edit"), _profile(volunteer, towns.china_area) | {"notes": "変更"}
    )

    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert response.content.decode().count('class="errorlist') == 2  # the summary, the district
    volunteer.refresh_from_db()
    assert (volunteer.area, volunteer.notes) == (towns.area, "")


def test_my_page_keeps_a_district_recorded_while_the_towns_shared(client, towns):
    volunteer = VolunteerFactory(
        kana="はない はなこ", email="hanako@example.jp", area=towns.china_area
    )
    me = _my_page(client, volunteer)

    form = _area_select(me.get(reverse("volunteers:me_edit")))
    assert CHINA_DISTRICT in form and "中央" in form
    response = me.post(reverse("volunteers:me_edit"), _profile(volunteer, towns.china_area))

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.area == towns.china_area


# --- the admin register's filter -----------------------------------------------------------


def test_a_coordinator_in_no_team_filters_by_every_district_grouped_by_town(
    client, towns, coordinator
):
    client.force_login(coordinator)

    select = _area_select(client.get(reverse("volunteer_register:index")))

    assert _groups(select) == ["和泊町", "知名町"]
    assert WADOMARI_DISTRICT in select and CHINA_DISTRICT in select


def test_a_coordinator_of_a_town_s_team_filters_by_that_town_s_districts_only(
    client, towns, coordinator
):
    team = TeamFactory(name="和泊町社会福祉協議会", site=towns.wadomari.site)
    TeamMembership.objects.create(team=team, user=coordinator)
    VolunteerFactory(name="和泊 一郎", area=towns.area)
    VolunteerFactory(name="知名 二郎", area=towns.china_area)
    client.force_login(coordinator)
    url = reverse("volunteer_register:index")

    response = client.get(url)
    select = _area_select(response)
    assert WADOMARI_DISTRICT in select and CHINA_DISTRICT not in select
    assert _groups(select) == []
    # Only the choices: which volunteers are listed is not decided by the filter.
    assert "和泊 一郎" in response.content.decode() and "知名 二郎" in response.content.decode()
    refused = client.get(url, {"area": towns.china_area.pk}).content.decode()
    assert INVALID_CHOICE in refused
    assert "和泊 一郎" in client.get(url, {"area": towns.area.pk}).content.decode()


def test_on_an_install_of_one_town_every_district_is_offered_as_before(client, coordinator):
    site = Site.objects.get(is_default_site=True)
    TeamMembership.objects.create(team=TeamFactory(site=site), user=coordinator)
    kibiru, serikaku = AreaFactory(name=WADOMARI_DISTRICT), AreaFactory(name="和泊")
    client.force_login(coordinator)

    select = _area_select(client.get(reverse("volunteer_register:index")))
    form = _area_select(client.get(REGISTER))

    for choices in (select, form):
        assert f'value="{kibiru.pk}"' in choices and f'value="{serikaku.pk}"' in choices
        assert _groups(choices) == []


def test_the_register_s_form_groups_every_town_s_districts_under_the_town(
    client, towns, coordinator
):
    volunteer = VolunteerFactory(name="知名 二郎", area=towns.china_centre)
    client.force_login(coordinator)

    select = _area_select(client.get(reverse("volunteer_register:edit", args=[volunteer.pk])))

    assert _groups(select) == ["和泊町", "知名町"]
    chinas_group = select[select.index('<optgroup label="知名町"') :]
    assert f'value="{towns.china_centre.pk}" selected' in chinas_group
    assert f'value="{towns.centre.pk}"' not in chinas_group
