"""The site shell: page tree rules, Japanese rendering, the accessible skeleton."""

import pytest
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


@pytest.mark.django_db
def test_section_placeholder_says_it_is_being_prepared(client):
    home = Page.get_first_root_node().add_child(instance=HomePage(title="つなぐ", slug="home-x"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    home.add_child(instance=SectionPage(title="相談窓口", slug="soudan", intro="準備中です"))
    response = client.get("/soudan/")
    assert response.status_code == 200
    assert "このコーナーは準備中です。" in response.content.decode()


@pytest.mark.usefixtures("sample_town")
@pytest.mark.django_db
class TestDemoSite:
    def test_home_page_renders_in_japanese_with_landmarks(self, client):
        html = client.get("/").content.decode()
        assert '<html lang="ja">' in html
        assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
        assert '<main id="main"' in html
        assert 'aria-label="メインメニュー"' in html
        assert "<footer" in html and "お問い合わせ" in html and "0997-84-0000" in html
        assert "これはデモ用のサイトです" in html
        for title in ("居場所・活動をさがす", "催し・イベント", "ボランティア"):
            assert title in html

    def test_home_page_query_count_is_bounded(self, client, django_assert_max_num_queries):
        client.get("/")  # warm Wagtail's site and settings caches
        # Fixed cost: site, page, settings, sections (one query per section page type).
        with django_assert_max_num_queries(10):
            client.get("/")

    def test_admin_is_in_japanese(self, client, django_user_model):
        client.force_login(django_user_model.objects.get(username="admin"))
        html = client.get("/admin/").content.decode()
        assert 'lang="ja"' in html
        assert "ダッシュボード" in html
