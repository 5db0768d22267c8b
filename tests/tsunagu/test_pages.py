"""The site shell: page tree rules, Japanese rendering, the accessible skeleton."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from tsunagu.models import HomePage, SectionPage


class PageTreeRules(WagtailPageTestCase):
    def test_home_page_sits_under_the_root(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)

    def test_sections_sit_under_the_home_page(self):
        self.assertCanCreateAt(HomePage, SectionPage)
        self.assertCanNotCreateAt(Page, SectionPage)


@pytest.fixture
def demo_site(db):
    call_command("load_demo", stdout=StringIO())
    return Site.objects.get(is_default_site=True)


def test_home_page_renders_in_japanese_with_landmarks(client, demo_site):
    html = client.get("/").content.decode()
    assert '<html lang="ja">' in html
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
    assert '<main id="main"' in html
    assert 'aria-label="メインメニュー"' in html
    assert "<footer" in html and "お問い合わせ" in html and "0997-84-0000" in html
    assert "これはデモ用のサイトです" in html
    for title in ("居場所・活動をさがす", "催し・イベント", "ボランティア"):
        assert title in html


def test_section_placeholder_says_it_is_being_prepared(client, demo_site):
    response = client.get("/volunteers/")
    assert response.status_code == 200
    assert "このコーナーは準備中です。" in response.content.decode()


def test_home_page_query_count_is_bounded(client, demo_site, django_assert_max_num_queries):
    client.get("/")  # warm Wagtail's site and settings caches
    with django_assert_max_num_queries(8):
        client.get("/")


def test_admin_is_in_japanese(client, demo_site, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    html = client.get("/admin/").content.decode()
    assert 'lang="ja"' in html
    assert "ダッシュボード" in html
