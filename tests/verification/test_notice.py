"""Residents see "情報が古い可能性があります" on detail pages that have not been verified."""

import datetime as dt

import pytest

from tests.events.factories import EventPageFactory, at
from tests.volunteers.factories import make_opportunity

from .conftest import STALE_CUTOFF
from .factories import activity, place

pytestmark = pytest.mark.django_db

NOTICE = "情報が古い可能性があります"


def _html(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_stale_place_says_so_with_the_date_and_whom_to_tell(now, client):
    html = _html(client, place(STALE_CUTOFF))
    assert f'<h2 id="stale-notice-title">{NOTICE}</h2>' in html
    assert "運営団体に最後に確認したのは2026年5月1日です。" in html
    assert 'href="tel:0997-84-0000"' in html


def test_a_listing_verified_recently_enough_has_no_notice(now, client):
    assert NOTICE not in _html(client, place(STALE_CUTOFF + dt.timedelta(days=1)))
    assert NOTICE not in _html(client, activity(now.date()))


def test_a_stale_activity_says_so(now, client):
    assert NOTICE in _html(client, activity(STALE_CUTOFF))


def test_a_stale_event_still_running_says_so_but_a_finished_one_does_not(now, client):
    running = EventPageFactory(
        start=at("2026-04-07"), frequency="weekly", weekdays="TU", assured_date=STALE_CUTOFF
    )
    finished = EventPageFactory(start=at("2026-11-20"), assured_date=STALE_CUTOFF)
    assert NOTICE in _html(client, running)
    assert NOTICE not in _html(client, finished)


def test_a_stale_volunteer_opportunity_says_so(now, client):
    assert NOTICE in _html(client, make_opportunity(assured_date=STALE_CUTOFF))
    assert NOTICE not in _html(client, make_opportunity(assured_date=now.date()))
