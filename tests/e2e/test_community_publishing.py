"""A community group's editor publishes an event through the town's approval, in Chromium.

The editor logs in, creates an event in their group's section and submits it; town staff
open it from their dashboard on the review screen (checklist, preview) and approve it there;
it is then on the public calendar (list and month) and in the iCal feed, and axe-core finds
no violations on the review screen and the calendar pages, seen by residents and by staff
(with Wagtail's user bar). The approval request email is read from Django's test outbox (the
live server runs in this process).
"""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.db import connection
from django.utils import timezone

from events.models import EventPage
from tests.community.factories import PASSWORD, make_editor, make_group, make_staff
from tests.e2e.admin_login import admin_log_in
from tests.resources.factories import AreaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "ひまわり 親子料理教室"


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _log_in(page, base: str, username: str) -> None:
    admin_log_in(page, base, username, PASSWORD)  # town staff pass 2FA; editors need not
    page.wait_for_url(base + "/admin/")


def test_editor_submits_staff_approve_and_the_event_is_public(page, live_server):
    try:
        _flow(page, live_server.url)
    finally:
        # With Playwright's event loop running, this body's ORM calls get a connection of their
        # own; close it here, or PostgreSQL refuses to drop the test database afterwards.
        connection.close()


def _flow(page, base: str) -> None:
    organization, sections = make_group("子ども食堂 ひまわりの会")
    make_group("うみの会")
    make_editor("himawari", organization)
    make_staff("town-staff")
    area = AreaFactory(name="和泊")
    section = sections["CalendarSectionPage"]
    day = timezone.localdate() + dt.timedelta(days=3)

    # 1. The editor creates the event in their section and submits it for approval.
    _log_in(page, base, "himawari")
    page.goto(f"{base}/admin/pages/add/events/eventpage/{section.pk}/")
    page.locator("#id_title").fill(TITLE)
    # The plain-words schedule: 毎週 (the default), the day and the times; the first date is
    # the next such day (``day``, within the week). No slug, no typed coordinates: editors never
    # see them. A weekly event is 6 actions: title, day, two times, the menu, 承認を依頼.
    page.get_by_role("checkbox", name=f"{'月火水木金土日'[day.weekday()]}曜", exact=True).check()
    page.locator("#id_when_opens").fill("10:00")
    page.locator("#id_when_closes").fill("12:00")
    # The preview lists the next dates, from the same rules the calendar uses.
    preview = page.locator("[data-preview-dates] li")
    preview.first.wait_for()
    assert preview.count() == 5
    assert page.locator("#id_slug, #id_latitude, #id_external_id").count() == 0
    # What the review checklist requires: venue, district, audience (the group has a number).
    page.locator("#id_venue_name").fill("和泊町中央公民館")
    page.locator("#id_area").evaluate("(el, v) => { el.value = v; }", str(area.pk))  # chooser
    page.locator("#id_for_everyone").check()
    assert page.locator("#id_organization").count() == 0
    assert page.locator("button[name=action-publish]").count() == 0
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    page.locator("button[name=action-submit]").click()
    page.wait_for_url(f"{base}/admin/pages/{section.pk}/")
    event = EventPage.objects.get(title=TITLE)
    assert not event.live and event.organization == organization
    assert any("town-staff@town.example.jp" in m.to for m in mail.outbox)

    # 2. Town staff open it from their dashboard on the review screen and approve it there.
    staff_page = page.context.browser.new_context(locale="ja-JP").new_page()
    _log_in(staff_page, base, "town-staff")
    staff_page.get_by_role("link", name="確認する").first.click()
    staff_page.wait_for_url(f"{base}/admin/community/review/{event.pk}/")
    assert staff_page.locator("[data-check-passed=true]").count() == 5
    staff_page.frame_locator("iframe").get_by_role("heading", name=TITLE, level=1).wait_for()
    _assert_accessible(staff_page)
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="承認して公開").click()
    assert "承認して公開しました" in staff_page.content()
    event.refresh_from_db()
    assert event.live

    # Logged in, staff see the calendar with Wagtail's user bar on it, and it stays accessible.
    calendar_url = base + section.get_parent().url
    staff_page.goto(calendar_url)
    assert staff_page.locator("wagtail-userbar").count() == 1
    _assert_accessible(staff_page)

    # 3. Residents (not logged in) see it on the calendar (list and month) and in the iCal feed.
    page = page.context.browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo").new_page()
    page.goto(calendar_url)
    assert page.get_by_role("link", name=TITLE).count() >= 1
    _assert_accessible(page)
    page.goto(f"{calendar_url}month/{day.year}/{day.month}/")
    assert page.get_by_role("link", name=TITLE).count() >= 1
    _assert_accessible(page)
    page.get_by_role("link", name=TITLE).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    feed = page.request.get(base + "/ical/events.ics")
    assert feed.ok and TITLE in feed.text()
