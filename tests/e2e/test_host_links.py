"""The signed links host places and listings' operators open from an email, in Chromium.

Nobody logs in on these pages and many who open them are elderly: each is checked with axe-core
as it is first shown, after its one button is pressed, and when the link cannot be used.
"""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from followups.tokens import host_token
from matching import services
from matching.models import Proposal
from matching.tokens import proposal_token

# The follow-up tests' placement (a consented client placed at a host activity) and its parts.
from tests.followups.conftest import *  # noqa: F403
from tests.verification.factories import place
from verification.links import Kind, LinkTarget, confirm_url, make_token

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


def test_host_form_on_a_phone_asks_corrects_and_thanks(
    placement, page, live_server, close_connection
):
    checkin = placement.checkins.get(offset_days=14)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("followups:host", args=[host_token(checkin.pk)]))
    assert page.get_by_role("heading", level=1).inner_text() == "花の畑"
    _assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Each choice is a whole row to tap, and the button is big: WCAG's 24 px is not enough here.
    assert page.locator("label", has_text="時々来ています").bounding_box()["height"] >= 44
    assert page.get_by_role("button", name="送信する").bounding_box()["height"] >= 44

    page.get_by_role("button", name="送信する").click()  # nothing chosen yet
    assert page.get_by_role("alert").inner_text() == "印のついた質問に答えてください。"
    _assert_accessible(page)

    attending = page.get_by_role("group", name="ご本人は活動に来ていますか")
    attending.get_by_label("時々来ています").check()
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


def test_host_accepts_a_placement_request(
    consented, activity, coordinator, page, live_server, close_connection
):
    proposal = services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    services.proposal_update(proposal=proposal, summary="畑仕事が好きな方です。", by=coordinator)
    services.proposal_send(proposal=proposal, by=coordinator)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + reverse("matching:respond", args=[proposal_token(proposal.pk)]))
    assert "畑仕事が好きな方です。" in page.get_by_role("main").inner_text()
    _assert_accessible(page)

    page.get_by_role("button", name="受け入れる").click()

    assert "受け入れていただきありがとうございます" in page.get_by_role("main").inner_text()
    _assert_accessible(page)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED


def _confirm_path(listing, cycle: dt.date) -> str:
    return confirm_url(LinkTarget(Kind.LISTING, listing.pk, cycle)).removeprefix(
        settings.WAGTAILADMIN_BASE_URL
    )


def test_still_correct_link_asks_then_confirms(page, live_server, close_connection):
    last_checked = timezone.localdate() - dt.timedelta(days=200)
    listing = place(last_checked, title="手々知名公民館")
    page.goto(live_server.url + _confirm_path(listing, last_checked))
    assert "手々知名公民館" in page.get_by_role("main").inner_text()
    _assert_accessible(page)

    page.get_by_role("button", name="はい、今も正しいです").click()

    assert "確認済みとして記録しました" in page.get_by_role("status").inner_text()
    _assert_accessible(page)
    listing.refresh_from_db()
    assert listing.assured_date == timezone.localdate()


def test_still_correct_link_that_was_tampered_with(page, live_server, close_connection):
    last_checked = timezone.localdate() - dt.timedelta(days=200)
    listing = place(last_checked)
    token = make_token(LinkTarget(Kind.LISTING, listing.pk, last_checked))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = page.goto(f"{live_server.url}/verification/confirm/listing/{listing.pk}/{tampered}/")
    assert response.status == 400
    assert "このリンクは正しくありません。" in page.get_by_role("alert").inner_text()
    _assert_accessible(page)
    listing.refresh_from_db()
    assert listing.assured_date == last_checked
