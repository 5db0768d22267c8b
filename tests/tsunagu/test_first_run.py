"""The first-run page: the first superuser sets the town up from the admin, nobody else can."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from matching.permissions import admin_access_permission
from resources.models import Area, DirectoryIndexPage
from tsunagu.models import HomePage, TownSettings

ROOT = Path(__file__).resolve().parents[2]
URL = "/admin/setup-town/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("chief", "chief@town.example.jp", "x")


@pytest.fixture
def staff():
    """Somebody who may use the admin, but is not a superuser."""
    user = get_user_model().objects.create_user("clerk", "clerk@town.example.jp", "x")
    group = Group.objects.create(name="窓口")
    group.permissions.add(admin_access_permission())
    user.groups.add(group)
    return user


def test_the_dashboard_offers_it_to_a_superuser_and_the_form_sets_the_town_up(client, superuser):
    client.force_login(superuser)
    assert reverse("tsunagu_setup_town") == URL
    dashboard = client.get("/admin/").content.decode()
    assert "このサイトにはまだページがありません。" in dashboard and URL in dashboard
    form = client.get(URL)
    assert form.status_code == 200
    page = form.content.decode()
    assert "町の初期設定" in page and "サイトのホスト名" in page
    csv = "名称,かな,緯度,経度\r\n知名,ちな,27.33,128.59\r\n".encode("cp932")
    response = client.post(
        URL,
        {
            "name": "知名町",
            "kana": "ちなちょう",
            "hostname": "tsunagu.china.example.jp",
            "districts": SimpleUploadedFile("地区.csv", csv, content_type="text/csv"),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert HomePage.objects.get().title == "つなぐ 知名町"
    assert TownSettings.objects.get().town_kana == "ちなちょう"
    assert list(Area.objects.values_list("name", flat=True)) == ["知名"]
    assert DirectoryIndexPage.objects.exists()
    # Once set up, it is gone: no panel, and the page itself is not found.
    assert URL not in client.get("/admin/").content.decode()
    assert client.get(URL).status_code == 404


def test_bad_input_is_refused_in_japanese_and_nothing_is_written(client, superuser):
    client.force_login(superuser)
    csv = "名称,かな,緯度,経度\r\n知名,ちな,99,128.59\r\n".encode()
    response = client.post(
        URL,
        {
            "name": "知名町",
            "hostname": "https://china.example.jp",
            "districts": SimpleUploadedFile("地区.csv", csv, content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "「https://china.example.jp」はホスト名ではありません。" in page
    assert not HomePage.objects.exists() and not Area.objects.exists()
    response = client.post(
        URL,
        {
            "name": "知名町",
            "hostname": "china.example.jp",
            "districts": SimpleUploadedFile("地区.csv", csv, content_type="text/csv"),
        },
    )
    assert "2行目 列「緯度」: 99 は −90〜90 の範囲外です。" in response.content.decode()
    assert not HomePage.objects.exists() and not Area.objects.exists()


def test_other_staff_get_403_and_no_offer(client, staff):
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "知名町", "hostname": "c.example.jp"}).status_code == 403
    assert not HomePage.objects.exists()
    assert URL not in client.get("/admin/").content.decode()


def test_not_offered_once_setup_town_has_run(client, superuser):
    call_command("setup_town", str(ROOT / "deploy" / "town.example.toml"), stdout=StringIO())
    client.force_login(superuser)
    assert URL not in client.get("/admin/").content.decode()
    assert client.get(URL).status_code == 404
