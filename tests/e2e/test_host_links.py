"""The signed links a host place and a listing's operator open from an email, in Chromium.

Nobody logs in on these pages and many who open them are elderly: each is checked with axe-core
as it is first shown, after its one button is pressed, and when the link cannot be used.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.urls import reverse

from followups.tokens import host_token

# The follow-up tests' placement (a consented client placed at a host activity) and its parts.
from tests.followups.conftest import *  # noqa: F403

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def close_connection():
    """Close this thread's second connection (ORM calls while Playwright's loop runs).

    Otherwise PostgreSQL refuses to drop the test database afterwards.
    """
    yield
    connection.close()


def test_host_form_answered_and_thanked(placement, page, live_server, close_connection):
    checkin = placement.checkins.get(offset_days=14)
    page.goto(live_server.url + reverse("followups:host", args=[host_token(checkin.pk)]))
    assert page.get_by_role("heading", level=1).inner_text() == "花の畑"
    _assert_accessible(page)

    page.get_by_role("group", name="ご本人は活動に来ていますか").get_by_label("時々ある").check()
    page.get_by_role("group", name="気になることはありますか").get_by_label("はい").check()
    page.get_by_label("相談員に伝えたいこと（任意）").fill("最近少し元気がない様子です")
    page.get_by_role("button", name="送信する").click()

    assert page.get_by_role("status").is_visible()
    _assert_accessible(page)
    checkin.refresh_from_db()
    assert checkin.host_answered_at is not None


def test_host_form_link_that_cannot_be_used(placement, page, live_server, close_connection):
    response = page.goto(live_server.url + reverse("followups:host", args=["nonsense"]))
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "このリンクは使えません"
    _assert_accessible(page)
