"""The search index follows what is published: an edited title is found by its new words and
no longer by the old, drafts stay out, a renamed place brings its activities along."""

import pytest

from resources.filters import DirectoryFilterSet
from resources.models import ActivityPage, PlacePage
from resources.selectors import directory_listings

from .factories import ActivityPageFactory, AreaFactory, PlacePageFactory

pytestmark = pytest.mark.django_db


def titles(directory, q: str) -> set[str]:
    filterset = DirectoryFilterSet({"q": q}, queryset=directory_listings(directory))
    return {page.title for page in filterset.results()}


@pytest.fixture
def hall(directory) -> PlacePage:
    hall = PlacePageFactory(
        title="喜美留公民館", kana="きびるこうみんかん", area=AreaFactory(name="喜美留")
    )
    ActivityPageFactory(title="ゆんたく会", kana="ゆんたくかい", place=hall)
    return hall


def _edit(page, **changes) -> None:
    page = type(page).objects.get(pk=page.pk)
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision().publish()


def test_an_edited_title_is_found_by_its_new_words_only(directory, hall):
    _edit(hall, title="喜美留集落センター", kana="きびるしゅうらくせんたー")
    renamed = {"喜美留集落センター", "ゆんたく会"}  # with the activity held there
    assert titles(directory, "しゅうらく") == renamed
    assert titles(directory, "集落センター") == renamed
    assert titles(directory, "公民館") == set()
    assert titles(directory, "こうみんかん") == set()


def test_an_unpublished_draft_is_not_searchable(directory, hall):
    page = PlacePage.objects.get(pk=hall.pk)
    page.title = "喜美留集落センター"
    page.save_revision()
    assert titles(directory, "集落センター") == set()
    assert "喜美留公民館" in titles(directory, "公民館")


def test_an_activity_is_found_by_its_place_and_the_places_new_name(directory, hall):
    assert titles(directory, "公民館") == {"喜美留公民館", "ゆんたく会"}
    assert titles(directory, "きびるこうみんかん") == {"喜美留公民館", "ゆんたく会"}
    _edit(hall, title="喜美留集落センター", kana="きびるしゅうらくせんたー")
    assert titles(directory, "集落センター") == {"喜美留集落センター", "ゆんたく会"}
    assert titles(directory, "ゆんたく 公民館") == set()


def test_an_activity_is_found_by_its_places_district_when_held_elsewhere(directory, hall):
    other = AreaFactory(name="国頭", kana="くにがみ")
    activity = ActivityPage.objects.get(title="ゆんたく会")
    _edit(activity, area=other)
    assert titles(directory, "国頭") == {"ゆんたく会"}
    assert titles(directory, "喜美留") == {"喜美留公民館", "ゆんたく会"}
