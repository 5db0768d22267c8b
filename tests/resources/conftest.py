"""Every directory test starts from an empty page cache; ``town`` is a small directory."""

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction

from resources.models import DirectoryIndexPage, ListingPage

from .factories import (
    ActivityPageFactory,
    AreaFactory,
    PlacePageFactory,
    TermFactory,
    directory_page,
)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The test settings' local-memory cache outlives a test; cached pages must not.
    cache.clear()


@pytest.fixture
def directory(db) -> DirectoryIndexPage:
    """The site's directory page, under a home page that is the default site's root."""
    return directory_page()


@pytest.fixture
def town(directory) -> SimpleNamespace:
    """Four listings spread over districts, days, times, audiences, needs and tags."""
    return build_town()


@pytest.fixture(scope="module")
def shared_town(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """``town`` built once per module, for tests that only read: each test still runs in its
    own savepoint, and the whole module's data is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        directory_page()
        yield build_town()
        transaction.set_rollback(True)


def build_town() -> SimpleNamespace:
    wadomari = AreaFactory(name="和泊", kana="わどまり", order=1)
    kibiru = AreaFactory(name="喜美留", kana="きびる", order=2)
    kunigami = AreaFactory(name="国頭", kana="くにがみ", order=3)
    cooking = TermFactory(name="料理", kana="りょうり", slug="cooking")
    exercise = TermFactory(name="体操", kana="たいそう", slug="exercise")
    farming = TermFactory(name="農作業", kana="のうさぎょう", slug="farming")
    free, paid = ListingPage.Cost.FREE, ListingPage.Cost.PAID
    return SimpleNamespace(
        wadomari=wadomari,
        kibiru=kibiru,
        kunigami=kunigami,
        cooking=cooking,
        exercise=exercise,
        farming=farming,
        shokudo=PlacePageFactory(
            title="子ども食堂ひまわり",
            kana="こどもしょくどうひまわり",
            area=wadomari,
            for_children=True,
            cost=free,
            pickup=True,
            barrier_free=True,
            tags=[cooking],
            schedule=[{"weekday": 5, "opens_at": "12:00", "closes_at": "14:00"}],
            latitude="27.392280",
            longitude="128.655470",
            phone="0997-84-1111",
        ),
        taiso=ActivityPageFactory(
            title="いきいき体操",
            kana="いきいきたいそう",
            area=kibiru,
            for_elderly=True,
            cost=free,
            barrier_free=True,
            accessible_toilet=True,
            near_bus_stop=True,
            tags=[exercise],
            schedule=[
                {"weekday": 2, "weeks_of_month": "2,4", "opens_at": "13:30", "closes_at": "15:00"}
            ],
        ),
        hatake=PlacePageFactory(
            title="みんなの畑",
            kana="みんなのはたけ",
            area=kunigami,
            for_everyone=True,
            cost=paid,
            cost_note="1回100円",
            parking=True,
            tags=[farming, cooking],
            schedule=[
                {"weekday": 0, "opens_at": "09:00", "closes_at": "11:00"},
                {"weekday": 5, "opens_at": "17:00", "closes_at": "19:00"},
            ],
            latitude="27.410000",
            longitude="128.640000",
        ),
        oshaberi=ActivityPageFactory(
            title="夜のおしゃべり会",
            kana="よるのおしゃべりかい",
            area=wadomari,
            for_disabled=True,
            cost=ListingPage.Cost.DONATION,
            hearing_support=True,
            schedule=[{"weekday": 4, "opens_at": "18:00", "closes_at": "20:00"}],
        ),
    )
