"""After signing up, the page and the message repeat the date and time, the place (name and
address), what to bring, and how to cancel (the link, and a number to call) — to this browser
only, and through the outbox (an email, or a line on the staff's call list)."""

import pytest
from django.core import mail

from events.emails import SIGNUP_CONFIRMATION
from events.models import EventSignup
from events.services import signup_create
from outbox import registry
from outbox.models import Message
from tests.resources.factories import OrganizationFactory, PlacePageFactory

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(calendar):
    hall = PlacePageFactory(title="喜美留公民館", address="和泊町喜美留100")
    return EventPageFactory(
        title="敬老会", start=at("2026-12-10", "10:00"), end=at("2026-12-10", "12:00"),
        place=hall, how_to_apply="form", capacity=30, what_to_bring="上履き、お茶",
        organization=OrganizationFactory(name="喜美留字自治会", phone="0997-84-1234"),
    )  # fmt: skip


def _apply(client, event, **data):
    form = {"name": "和泊 花子", "kana": "", "phone": "", "email": "", "party_size": "2",
            "note": "", **data}  # fmt: skip
    response = client.post(event.url, form)
    assert response.status_code == 302
    return client.get(response["Location"])


def test_the_confirmation_page_repeats_when_where_what_to_bring_and_how_to_cancel(client, event):
    response = _apply(client, event, phone="090-1111-2222")
    html = response.content.decode()
    signup = EventSignup.objects.get()
    assert "2026年12月10日（木） 10:00〜12:00" in html
    assert "喜美留公民館" in html and "和泊町喜美留100" in html
    assert "<dt>持ち物</dt><dd>上履き、お茶</dd>" in html
    assert "<dt>参加人数</dt><dd>2</dd>" in html
    assert f'href="http://localhost{event.url}cancel/{signup.token}/"' in html
    assert 'href="tel:0997841234"' in html and "（喜美留字自治会）" in html
    # Registered by telephone only: no "check your email".
    assert "メールアドレスの入力がないため、メールはお送りしません" in html
    assert "メールをご確認ください" not in html
    assert "no-store" in response["Cache-Control"]


def test_with_an_email_the_page_says_where_the_confirmation_goes(client, event):
    html = _apply(client, event, email="hanako@example.jp").content.decode()
    assert "同じ内容の確認メールを hanako@example.jp にお送りします" in html


def test_another_browser_sees_no_booking_on_the_confirmation_page(client, event):
    _apply(client, event, phone="090-1111-2222")
    signup = EventSignup.objects.get()
    client.cookies.clear()
    html = client.get(f"{event.url}signup/done/").content.decode()
    assert signup.token not in html and "上履き" not in html
    assert "お申し込みを受け付けました" in html


def test_a_cancelled_booking_is_not_shown_again(client, event):
    _apply(client, event, phone="090-1111-2222")
    EventSignup.objects.update(cancelled_at=event.start)
    html = client.get(f"{event.url}signup/done/").content.decode()
    assert "上履き" not in html


def test_the_email_says_the_same(event, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(event=event, name="和泊 花子", email="hanako@example.jp")
    (message,) = mail.outbox
    body = message.body
    assert "日時: 2026年12月10日（木） 10:00〜12:00" in body
    assert "会場: 喜美留公民館" in body and "住所: 和泊町喜美留100" in body
    assert "持ち物: 上履き、お茶" in body
    assert f"http://localhost{event.url}cancel/{signup.token}/" in body
    assert "電話での取り消し・お問い合わせ: 0997-84-1234（喜美留字自治会）" in body


def test_the_call_list_line_says_the_same(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(event=event, name="和泊 一郎", phone="0997-84-5555", party_size=2)
    row = Message.objects.get(kind=SIGNUP_CONFIRMATION)
    assert row.status == Message.Status.TO_CALL and mail.outbox == []
    summary = registry.get(SIGNUP_CONFIRMATION).compose(row).summary
    assert "「敬老会」（2026年12月10日（木） 10:00〜12:00、喜美留公民館）" in summary
    assert "（2 人）" in summary
    assert "持ち物：上履き、お茶。" in summary and "取り消しは電話 0997-84-1234 へ。" in summary
