"""The "this week" block on the home page: the next seven days' events, in plain HTML, cheaply."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.events.factories import EventPageFactory, at, calendar_page

pytestmark = pytest.mark.django_db


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_lists_this_weeks_events(now, client):
    calendar_page()
    EventPageFactory(title="健康体操教室", start=at("2026-12-03", "10:00"))
    EventPageFactory(title="来月の催し", start=at("2027-01-15", "10:00"))
    html = _home(client)
    assert '<h2 id="events-this-week-title">今週の催し</h2>' in html
    assert "健康体操教室" in html and "来月の催し" not in html
    assert "2026年12月3日（木） 10:00〜12:00" in html
    assert 'href="/events/"' in html
    assert "site/css/events.css" in html


def test_with_no_events_it_says_so(now, client):
    calendar_page()
    assert "今日から7日間の催しはありません。" in _home(client)


@pytest.mark.parametrize("count", [1, 6])
def test_the_block_costs_no_query_once_rendered(now, client, count):
    calendar_page()
    for n in range(count):
        EventPageFactory(start=at("2026-12-02", "10:00") + dt.timedelta(hours=n))
    client.get("/")  # warm the site, settings and sections caches, and the block
    with CaptureQueriesContext(connection) as queries:
        html = _home(client)
    assert html.count('<li class="event-item') == count
    # What the home page cost before the block: site, page, alias check, restrictions, settings.
    assert len(queries) <= 5, "\n".join(q["sql"][:150] for q in queries)


def test_a_newly_published_event_appears_at_once(now, client):
    calendar_page()
    EventPageFactory(title="先に公開した催し", start=at("2026-12-02"))
    assert "先に公開した催し" in _home(client)
    EventPageFactory(title="あとで公開した催し", start=at("2026-12-03"))
    assert "あとで公開した催し" in _home(client)


def test_the_block_moves_on_as_time_passes(client):
    with time_machine.travel(at("2026-12-01", "09:00"), tick=False):
        calendar_page()
        EventPageFactory(title="朝の催し", start=at("2026-12-01", "10:00"))
        assert "朝の催し" in _home(client)
    with time_machine.travel(at("2026-12-01", "13:00"), tick=False):
        # Ten minutes and more have passed, so the page cache's copy has expired; Redis expires
        # it by the wall clock, which time travel cannot move. A session cookie passes the page
        # cache by, leaving the caches under test.
        client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
        assert "朝の催し" not in _home(client)
