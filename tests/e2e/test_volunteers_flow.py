"""Volunteering in a real Chromium: register → approve → sign up → reminder → cancel → promotion.

Emails are read from Django's test outbox (the live server runs in this process); the links in
them are opened in the browser as a volunteer would. Tasks run in-process (eager) so the flow is
the same with or without Redis. Every public volunteer page is checked with axe-core.
"""

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.db import connection

from outbox import services as outbox
from outbox.models import Message
from tests.e2e.admin_login import admin_log_in
from tests.resources.factories import AreaFactory, TermFactory
from tests.volunteers.factories import VolunteerFactory, make_opportunity, volunteer_index
from tsunagu.celery import app
from volunteers import services
from volunteers.models import SignUp, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?(/volunteers/(link|confirm|cancel|hours)/\S+/)")


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    app.set_current()  # shared tasks use the current app; another Celery() may have taken over
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _link_path(message, kind: str) -> str:
    """The path of an email's ``kind`` link (link, confirm, cancel), to open on the live server."""
    (path,) = [path for path, found in LINK.findall(message.body) if found == kind]
    return path


def _last_mail_to(address: str):
    return [m for m in mail.outbox if address in m.to][-1]


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_register_approve_sign_up_remind_cancel_and_promote(page, live_server, django_user_model):
    try:
        _flow(page, live_server.url, django_user_model)
    finally:
        # With Playwright's event loop running, this body's ORM calls get a connection of their
        # own; close it here, or PostgreSQL refuses to drop the test database afterwards.
        connection.close()


def _flow(page, base: str, django_user_model) -> None:
    AreaFactory(name="喜美留")
    TermFactory(name="農作業")
    opportunity = make_opportunity(
        title="えらぶゆり 植え付けの手伝い",
        summary="ゆり畑で球根を植え付けます。",
        shifts=[{"slots": 1, "starts_at": dt.time(9), "ends_at": dt.time(11)}],
    )
    django_user_model.objects.create_superuser("coord", "coord@example.jp", "pw-coordinator")

    # The section and the opportunity, as a resident finds them.
    page.goto(base + volunteer_index().url)
    assert page.get_by_role("heading", level=1).inner_text() == "ボランティア"
    _assert_accessible(page)
    # Wait for the whole page: content() taken mid-load returns what has streamed in so far.
    with page.expect_navigation():
        page.get_by_role("link", name="えらぶゆり 植え付けの手伝い").click()
    assert "残り 1 名" in page.content()
    _assert_accessible(page)

    # 1. Register, on a phone-sized screen, typing half-width kana and a full-width address.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(base + "/volunteers/register/")
    _assert_accessible(page)
    page.get_by_label("氏名").fill("島 ゆり子")
    page.get_by_label("ふりがな").fill("ｼﾏ ﾕﾘｺ")
    page.get_by_label("メールアドレス").fill("ｙｕｒｉｋｏ＠example.jp")
    page.get_by_label("お住まいの地区").select_option(label="喜美留")
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()
    page.get_by_role("button", name="登録を送信する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "登録を受け付けました"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _assert_accessible(page)
    # Step two, optional: what they can do and when.
    page.get_by_label("農作業").check()
    page.get_by_role("group", name="水曜").get_by_label("朝").check()
    page.get_by_role("button", name="この内容を保存する").click()
    _assert_accessible(page)
    volunteer = Volunteer.objects.get(email="yuriko@example.jp")
    assert volunteer.kana == "しま ゆりこ" and volunteer.status == Volunteer.Status.PENDING
    page.set_viewport_size({"width": 1280, "height": 900})

    # 2. A coordinator approves it in the Wagtail admin; the volunteer is emailed.
    admin_log_in(page, base, "coord", "pw-coordinator")  # the registry needs 2FA
    page.goto(base + "/admin/volunteer_register/")
    page.get_by_role("button", name=re.compile("島 ゆり子")).click()
    page.get_by_role("link", name="承認する").click()
    page.get_by_role("button", name="承認する").click()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    welcome = _last_mail_to("yuriko@example.jp")
    assert "承認しました" in welcome.subject
    page.context.clear_cookies()  # back to being the volunteer

    # 3. Sign up for the shift from the public page: a confirmation link is emailed.
    page.goto(base + opportunity.url)
    page.get_by_label("メールアドレス").fill("yuriko@example.jp")
    page.get_by_role("button", name="この日程に申し込む").click()
    assert page.get_by_role("heading", level=1).inner_text() == "メールをご確認ください"
    page.goto(base + _link_path(_last_mail_to("yuriko@example.jp"), "confirm"))
    _assert_accessible(page)
    page.get_by_role("button", name="申し込む").click()
    assert page.get_by_role("heading", level=1).inner_text() == "申込が確定しました"
    signup = SignUp.objects.get(volunteer=volunteer)
    assert signup.status == SignUp.Status.CONFIRMED

    # Somebody else arrives too late and waits.
    waiting = VolunteerFactory(email="matsu@example.jp")
    services.signup_create(volunteer=waiting, shift=opportunity.shifts.get())

    # 4. The reminder queued when she signed up goes out the day before (at once if that time
    # has already come, as it has when the suite runs in the evening).
    due = Message.objects.get(kind="volunteers.reminder", object_id=str(signup.pk)).due_at
    outbox.sweep(now=due)
    (reminder,) = [m for m in mail.outbox if "明日の活動のお知らせ" in m.subject]
    assert reminder.to == ["yuriko@example.jp"]

    # 5. She cannot come after all and cancels from the reminder's link.
    page.goto(base + _link_path(reminder, "cancel"))
    _assert_accessible(page)
    page.get_by_role("button", name="この申込を取り消す").click()
    assert page.get_by_role("heading", level=1).inner_text() == "申込を取り消しました"

    # 6. The person waiting moves up and is told.
    promoted = SignUp.objects.get(volunteer=waiting)
    assert promoted.status == SignUp.Status.CONFIRMED
    # Promoted: told so (and, the shift being tomorrow, reminded in the same minute).
    assert any("繰り上げ" in m.subject for m in mail.outbox if "matsu@example.jp" in m.to)

    # Her own page, and the other public pages, are accessible too.
    page.goto(base + _link_path(welcome, "link"))
    with page.expect_navigation():
        page.get_by_role("button", name="マイページを開く").click()
    assert "島 ゆり子 さんのマイページ" in page.content()
    _assert_accessible(page)
    for path in ("/volunteers/profiles/", "/volunteers/link/"):
        page.goto(base + path)
        _assert_accessible(page)
