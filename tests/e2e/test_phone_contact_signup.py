"""On a 360 px phone in Chromium: find a listing → a big 電話する tel: button; sign up for an event
twice → the second refused in Japanese; a volunteer without email signs up and cancels with a
code; the two-step registration. axe-core finds no violations on any page this changed, at
360 px and on a desktop."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.utils import timezone

from events.models import EventSignup
from tests.events.factories import EventPageFactory
from tests.resources.factories import (
    AreaFactory,
    OrganizationFactory,
    PlacePageFactory,
    directory_page,
)
from tests.volunteers.factories import VolunteerFactory, make_opportunity
from volunteers import services
from volunteers.models import SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at 360px"


def _check_both_sizes(page) -> None:
    """axe at 360 px (and no sideways scrolling), then on a desktop; back to the phone."""
    _assert_fits(page)
    _assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    _assert_accessible(page)
    page.set_viewport_size(PHONE)


def test_find_call_sign_up_twice_and_sign_up_by_code(page, live_server):
    try:
        _flow(page, live_server.url)
    finally:
        # Playwright's loop gives this body's ORM calls their own connection; close it here.
        connection.close()


def _flow(page, base: str) -> None:
    kibiru = AreaFactory(name="喜美留")
    jichikai = OrganizationFactory(name="喜美留字自治会", phone="0997-84-1234")
    directory = directory_page()
    salon = PlacePageFactory(
        title="いきいきサロン喜美留", kana="いきいきさろんきびる", area=kibiru,
        organization=jichikai, contact_note="喜美留字自治会", address="和泊町喜美留100",
    )  # fmt: skip
    start = timezone.localtime() + dt.timedelta(days=5)
    event = EventPageFactory(
        title="敬老会", start=start, end=start + dt.timedelta(hours=2), place=salon,
        how_to_apply="form", capacity=20, what_to_bring="上履き", organization=jichikai,
    )  # fmt: skip
    opportunity = make_opportunity(
        title="敬老会の手伝い", what_to_bring="軍手", address="和泊町喜美留100",
        organization=jichikai, shifts=[{"date": timezone.localdate() + dt.timedelta(days=5)}],
    )  # fmt: skip
    volunteer = VolunteerFactory(
        name="島 一郎", kana="しま いちろう", email="", phone="0997-84-5555"
    )
    code = services.volunteer_issue_code(volunteer=volunteer)
    page.set_viewport_size(PHONE)

    # 1. Find the salon in the directory, then call it: a tel: button of at least 48 px.
    page.goto(base + directory.url)
    page.get_by_label("キーワードでさがす").fill("サロン")
    page.get_by_role("button", name="さがす", exact=True).click()
    page.get_by_role("link", name="いきいきサロン喜美留").click()
    call = page.locator("a.contact-button--call")
    assert call.get_attribute("href") == "tel:0997841234"
    assert "電話する" in call.inner_text()
    box = call.bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48, box
    _check_both_sizes(page)
    page.goto(base + directory.url + "print/")  # the printed list names the same contact
    assert "0997-84-1234（喜美留字自治会）" in page.content()
    _check_both_sizes(page)

    # 2. Sign up for the event; the confirmation repeats when, where, what to bring, cancel.
    page.goto(base + event.url)
    _check_both_sizes(page)
    page.get_by_label("お名前").fill("和泊 花子")
    page.get_by_label("電話", exact=True).fill("090-1111-2222")
    page.get_by_role("button", name="申し込む", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "お申し込みありがとうございます"
    page.wait_for_load_state()  # the rest of the page, not only what streamed in so far
    assert "上履き" in page.content() and "いきいきサロン喜美留" in page.content()
    assert page.get_by_role("link", name="申込を取り消す").count() == 1
    _check_both_sizes(page)

    # 3. The same person again, typed differently: refused in Japanese, one place taken.
    page.goto(base + event.url)
    page.get_by_label("お名前").fill("わどまり はなこ")
    page.get_by_label("電話", exact=True).fill("０９０１１１１２２２２")
    page.get_by_role("button", name="申し込む", exact=True).click()
    alert = page.get_by_role("alert")
    assert "この電話番号またはメールアドレスで、この催しへのお申し込みをすでに受け付けています" in (
        alert.inner_text()
    )
    assert EventSignup.objects.filter(event=event).count() == 1
    _check_both_sizes(page)

    # 4. A volunteer without email signs up with the code staff read out, and is never told
    #    to check an email.
    page.goto(base + opportunity.url)
    _check_both_sizes(page)
    page.get_by_role("link", name="電話番号と申込番号で申し込む").first.click()
    _check_both_sizes(page)
    page.get_by_label("電話番号").fill("0997-84-5555")
    page.get_by_label("申込番号（6桁）").fill(code)
    page.get_by_role("button", name="この日程に申し込む").click()
    assert page.get_by_role("heading", level=1).inner_text() == "申込が確定しました"
    page.wait_for_load_state()  # the rest of the page, not only what streamed in so far
    assert "軍手" in page.content() and "メールをご確認ください" not in page.content()
    assert SignUp.objects.get().volunteer == volunteer
    _check_both_sizes(page)
    page.get_by_role("link", name="申込番号で取り消す").click()
    _check_both_sizes(page)
    page.get_by_label("電話番号").fill("0997845555")
    page.get_by_label("申込番号（6桁）").fill(code)
    page.get_by_role("button", name="この申込を取り消す").click()
    assert page.get_by_role("heading", level=1).inner_text() == "申込を取り消しました"
    assert SignUp.objects.get().status == SignUp.Status.CANCELLED
    _check_both_sizes(page)

    # 5. Registering: eight fields first, the rest optional on the next page.
    page.goto(base + "/volunteers/register/")
    _check_both_sizes(page)
    page.get_by_label("氏名").fill("島 ゆり子")
    page.get_by_label("ふりがな").fill("しま ゆりこ")
    page.get_by_label("電話番号").fill("090-3333-4444")
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()
    page.get_by_role("button", name="登録を送信する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "登録を受け付けました"
    assert page.locator(".code__value").inner_text().isdigit()
    _check_both_sizes(page)
