"""The sample directory: enough places and activities to try every feature, all marked sample."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from resources import demo as resources_demo
from resources.models import (
    ActivityPage,
    Area,
    DirectoryIndexPage,
    ListingTag,
    Organization,
    PlacePage,
    ScheduleRule,
    Term,
)
from tsunagu import demo as tsunagu_demo
from tsunagu.models import SectionPage

pytestmark = pytest.mark.django_db


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


def _counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.filter(content_type__app_label="resources").count(),
        "rules": ScheduleRule.objects.count(),
        "tags": ListingTag.objects.count(),
        "terms": Term.objects.count(),
        "organizations": Organization.objects.count(),
        "areas": Area.objects.count(),
    }


@pytest.mark.usefixtures("sample_town")
class TestSampleDirectory:
    def test_has_places_and_activities_across_the_districts(self):
        assert PlacePage.objects.live().count() >= 25
        activities = ActivityPage.objects.live()
        assert activities.count() >= 60
        assert activities.values("area").distinct().count() >= 10

    def test_every_activity_has_a_schedule_and_a_tag(self):
        assert not ActivityPage.objects.filter(schedule_rules__isnull=True).exists()
        assert not ActivityPage.objects.filter(tagged_items__isnull=True).exists()

    def test_everything_is_marked_as_sample(self):
        assert not PlacePage.objects.filter(is_sample=False).exists()
        assert not ActivityPage.objects.filter(is_sample=False).exists()
        assert not Organization.objects.filter(is_sample=False).exists()
        assert all(
            "（サンプル）" in name for name in Organization.objects.values_list("name", flat=True)
        )

    def test_about_a_third_of_activities_take_placements_of_one_to_three(self):
        activities = ActivityPage.objects.all()
        hosts = activities.filter(accepts_placements=True)
        assert activities.count() / 4 <= hosts.count() <= activities.count() / 2
        assert set(hosts.values_list("placement_capacity", flat=True)) <= {1, 2, 3}
        assert not hosts.filter(acceptance_conditions="").exists()

    def test_verification_dates_range_from_two_to_ten_months_some_stale(self):
        today = timezone.localdate()
        dates = list(PlacePage.objects.values_list("assured_date", flat=True))
        dates += ActivityPage.objects.values_list("assured_date", flat=True)
        months = [(today - date).days / 30.4 for date in dates]
        assert all(2 <= m <= 10 for m in months)
        stale = [m for m in months if m > 7]
        assert 5 <= len(stale) < len(months) / 2

    def test_places_sit_near_their_district_centre(self):
        for place in PlacePage.objects.select_related("area"):
            assert abs(place.latitude - place.area.latitude) <= 0.003, place.title
            assert abs(place.longitude - place.area.longitude) <= 0.003, place.title
            assert place.address.startswith(f"鹿児島県大島郡和泊町大字{place.area.name}")

    def test_vocabulary_has_every_kind_with_hierarchy_and_synonyms(self):
        assert set(Term.objects.values_list("kind", flat=True)) == set(Term.Kind.values)
        assert Term.objects.get(name="えらぶゆり").parent.name == "花き栽培"
        assert Term.objects.get(name="花き栽培").parent.name == "農作業"
        assert "蛇皮線" in Term.objects.get(name="三線").synonym_list()

    def test_directory_is_the_first_menu_item_and_renders(self, client):
        home = Site.objects.get(is_default_site=True).root_page
        assert home.get_children().live().in_menu().first().specific_class is DirectoryIndexPage
        html = client.get("/").content.decode()
        nav = html[html.index('aria-label="メインメニュー"') :]
        assert nav.split('href="', 1)[1].startswith("/places/")
        assert client.get("/places/").status_code == 200

    def test_the_placeholder_section_is_gone(self):
        assert not SectionPage.objects.filter(slug="places").exists()

    def test_a_second_run_changes_nothing(self):
        counts = _counts()
        _load()
        assert _counts() == counts

    def test_a_second_run_puts_edited_sample_data_back_in_place(self):
        page = PlacePage.objects.get(external_id="WD-P-01")
        page.summary = "書き換え"
        page.save_revision().publish()
        pages = Page.objects.count()
        _load()
        assert PlacePage.objects.get(external_id="WD-P-01").summary.startswith("社会福祉協議会")
        assert Page.objects.count() == pages


def test_replaces_the_placeholder_section_left_by_an_earlier_demo(tmp_path, monkeypatch):
    # A town loaded before the directory existed: its "places" section is a placeholder, last.
    data = json.loads(resources_demo.DIRECTORY_FILE.read_text(encoding="utf-8"))
    data["places"] = data["places"][:1]
    data["activities"] = [a for a in data["activities"] if a["place"] == "WD-P-01"][:1]
    small = tmp_path / "directory.json"
    small.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(resources_demo, "DIRECTORY_FILE", small)
    home = tsunagu_demo.load(StringIO())
    home.add_child(instance=SectionPage(title="催し・イベント", slug="events"))
    home.add_child(instance=SectionPage(title="居場所・活動をさがす", slug="places"))

    resources_demo.load(StringIO())

    assert not SectionPage.objects.filter(slug="places").exists()
    directory = DirectoryIndexPage.objects.get()
    assert directory.url == "/places/" and directory.show_in_menus
    assert directory.get_prev_sibling() is None
    assert directory.get_next_sibling().slug == "events"
    assert directory.get_children().count() == 2
