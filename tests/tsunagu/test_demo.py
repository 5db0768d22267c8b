"""The sample town loads on an empty database, is idempotent, and never mixes with real data."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from resources.models import Area
from tsunagu import demo
from tsunagu.models import HomePage, TownSettings

DISTRICTS = {
    "畦布", "伊延", "内城", "大城", "喜美留", "国頭", "後蘭", "瀬名", "谷山", "玉城",
    "手々知名", "出花", "永嶺", "仁志", "西原", "根折", "古里", "皆川", "和", "和泊",
}  # fmt: skip


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("sample_town")
class TestSampleTown:
    def test_creates_the_twenty_districts_site_and_admin(self, sample_town):
        assert set(Area.objects.values_list("name", flat=True)) == DISTRICTS
        kibiru = Area.objects.get(name="喜美留")
        assert kibiru.kana == "きびる"
        site = Site.objects.get(is_default_site=True)
        assert isinstance(site.root_page.specific, HomePage)
        # Each app replaces its placeholder section with its own index page, first the directory.
        menu = site.root_page.get_children().live().in_menu()
        assert [page.slug for page in menu] == ["places", "events", "volunteers"]
        town = TownSettings.for_site(site)
        assert town.town_name == "和泊町"
        assert town.sample_data is True
        assert str(town.latitude) == "27.392280" and str(town.longitude) == "128.655470"
        assert get_user_model().objects.get(username="admin").is_superuser
        assert "パスワード:" in sample_town

    def test_second_run_changes_nothing_and_prints_no_password(self):
        User = get_user_model()
        counts = (Page.objects.count(), Area.objects.count(), User.objects.count())
        password_hash = User.objects.get(username="admin").password
        second = _load()
        assert (Page.objects.count(), Area.objects.count(), User.objects.count()) == counts
        assert User.objects.get(username="admin").password == password_hash
        assert "パスワード:" not in second


@pytest.mark.django_db
def test_refuses_a_database_with_real_content():
    get_user_model().objects.create_user(username="yakuba", password="x" * 12)
    pages_before = Page.objects.count()
    with pytest.raises(CommandError, match="実データ"):
        _load()
    assert Area.objects.count() == 0
    assert Page.objects.count() == pages_before
    assert not HomePage.objects.exists()


@pytest.mark.django_db
def test_force_loads_the_site_anyway():
    get_user_model().objects.create_user(username="yakuba", password="x" * 12)
    assert demo.has_real_content()
    demo.load(StringIO(), force=True)
    assert HomePage.objects.count() == 1
    assert TownSettings.objects.get().sample_data is True
