"""The events month grid is cached (events/fragments.py) and never shows anything stale:
publishing, unpublishing, another day or other filters all get a freshly laid-out grid."""

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.events.factories import EventPageFactory, at, calendar_page
from tests.resources.factories import AreaFactory

pytestmark = pytest.mark.django_db

URL = "/events/month/2026/12/"


def _html(client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _occurrence_queries(client, url: str = URL) -> int:
    with CaptureQueriesContext(connection) as queries:
        _html(client, url)
    return sum("events_eventoccurrence" in q["sql"] for q in queries.captured_queries)


def test_a_second_request_reads_no_dates(now, client):
    calendar_page()
    EventPageFactory(title="健康教室", start=at("2026-12-08"))
    assert _occurrence_queries(client) == 1
    assert _occurrence_queries(client) == 0
    assert "健康教室" in _html(client)


def test_publishing_and_unpublishing_show_at_once(now, client):
    calendar_page()
    EventPageFactory(title="先の催し", start=at("2026-12-08"))
    assert "先の催し" in _html(client)
    later = EventPageFactory(title="後の催し", start=at("2026-12-09"))
    assert "後の催し" in _html(client)
    later.unpublish()
    assert "後の催し" not in _html(client)


def test_filters_get_their_own_grid(now, client):
    calendar_page()
    kunigami = AreaFactory(name="国頭")
    EventPageFactory(title="国頭の教室", start=at("2026-12-08"), area=kunigami)
    EventPageFactory(title="和泊の教室", start=at("2026-12-08"))
    assert "和泊の教室" in _html(client)
    filtered = _html(client, f"{URL}?area={kunigami.pk}")
    assert "国頭の教室" in filtered and "和泊の教室" not in filtered


def test_today_is_marked_afresh_the_next_day(client):
    with time_machine.travel(at("2026-12-01", "23:50"), tick=False):
        calendar_page()
        assert 'aria-current="date"' in _html(client)
        assert '<span class="month-grid__number" aria-hidden="true">1</span>' in _html(client)
        today_cell = _html(client).split('aria-current="date"')[1][:200]
        assert ">1<" in today_cell
    with time_machine.travel(at("2026-12-02", "00:10"), tick=False):
        # Ten minutes and more have passed, so the page cache's copy has expired; Redis expires
        # it by the wall clock, which time travel cannot move. A session cookie passes the page
        # cache by, leaving the caches under test.
        client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
        today_cell = _html(client).split('aria-current="date"')[1][:200]
        assert ">2<" in today_cell
