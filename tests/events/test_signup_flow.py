"""A resident signs up on the event page, gets a Japanese confirmation, cancels by link;
organisers see the list in the admin. Sign-up data never shows publicly or in logs."""

import logging

import pytest
from django.core import mail

from events.emails import SIGNUP_CONFIRMATION
from events.models import EventSignup
from outbox.models import Message

from .factories import EventPageFactory, EventSignupFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(calendar):
    return EventPageFactory(
        title="ゆり畑ボランティア", start=at("2026-12-10", "08:00"), end=at("2026-12-10", "11:00"),
        venue_name="出花のゆり畑", how_to_apply="form", capacity=10, phone="0997-84-0000",
    )  # fmt: skip


def _apply(client, event, **data):
    form = {"name": "和泊 花子", "kana": "", "phone": "", "email": "", "party_size": "1",
            "note": "", **data}  # fmt: skip
    return client.post(event.url, form)


def test_the_form_is_on_the_page_with_phone_friendly_inputs(client, event):
    html = client.get(event.url).content.decode()
    assert '<form method="post"' in html
    assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html
    assert 'type="email"' in html and 'inputmode="numeric"' in html
    assert "残り 10 人" in html


def test_signing_up_redirects_and_emails_a_japanese_confirmation(
    client, event, eager_tasks, django_capture_on_commit_callbacks, caplog
):
    other = EventSignupFactory(event=event, name="別の参加者", email="other@example.jp")
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = _apply(
            client, event, email="hanako@example.jp", party_size="２", note="杖を使います"
        )
    assert response.status_code == 302
    assert response["Location"] == f"{event.url}signup/done/"
    assert "お申し込みを受け付けました" in client.get(response["Location"]).content.decode()

    signup = EventSignup.objects.exclude(pk=other.pk).get()
    assert signup.party_size == 2
    (message,) = mail.outbox
    row = Message.objects.get(kind=SIGNUP_CONFIRMATION)
    assert row.status == Message.Status.SENT and row.object_id == str(signup.pk)
    assert message.extra_headers["Message-ID"] == row.message_id
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "【申込受付】ゆり畑ボランティア"
    assert message.body.startswith("和泊 花子 様")
    assert "2026年12月10日（木） 8:00〜11:00" in message.body
    assert "参加人数: 2" in message.body
    assert f"http://localhost{event.url}cancel/{signup.token}/" in message.body
    assert "別の参加者" not in message.body and "other@example.jp" not in message.body
    assert other.token not in message.body
    # Nothing personal in the logs.
    for secret in ("和泊 花子", "hanako@example.jp", "杖を使います"):
        assert secret not in caplog.text


def test_bad_input_shows_japanese_errors_and_writes_nothing(client, event):
    response = _apply(client, event, name="", phone="でんわ", kana="abc")
    html = response.content.decode()
    assert response.status_code == 200
    assert "入力内容を確認してください" in html
    assert "この項目は必須です" in html  # the form's own check, before the service
    assert '<p class="form-field__error" id="id_name_error">' in html  # aria-describedby
    assert not EventSignup.objects.exists()
    response = _apply(client, event, phone="でんわ", kana="abc")
    html = response.content.decode()
    assert "電話番号は数字で入力してください" in html and "ふりがなは" in html
    assert not EventSignup.objects.exists()


def test_a_full_event_says_so_and_shows_no_form(client, event):
    EventSignupFactory(event=event, party_size=10)
    html = client.get(event.url).content.decode()
    assert '<form method="post"' not in html
    assert "定員に達しました" in html and "満員" in html
    assert _apply(client, event, phone="0997840000").status_code == 200
    assert EventSignup.objects.count() == 1


def test_signup_data_never_appears_on_the_public_page(client, event):
    EventSignupFactory(event=event, name="秘密の名前", phone="090-0000-1111", note="持病あり")
    html = client.get(event.url).content.decode()
    for secret in ("秘密の名前", "090-0000-1111", "持病あり"):
        assert secret not in html


def test_cancel_by_link_asks_first_then_cancels(client, event):
    signup = EventSignupFactory(event=event, party_size=3)
    url = f"{event.url}cancel/{signup.token}/"
    html = client.get(url).content.decode()
    assert "3 人分の申込を取り消しますか" in html
    signup.refresh_from_db()
    assert signup.cancelled_at is None  # a mail scanner following the link cancels nothing
    html = client.post(url).content.decode()
    assert "申込を取り消しました" in html
    signup.refresh_from_db()
    assert signup.cancelled_at is not None
    assert "このリンクは使えません" in client.post(url).content.decode()
    assert (
        "このリンクは使えません" in client.get(f"{event.url}cancel/wrong-token/").content.decode()
    )


def test_organisers_list_in_the_admin_is_view_and_delete_only(client, event, django_user_model):
    EventSignupFactory(event=event, name="和泊 一郎")
    admin = django_user_model.objects.create_superuser("staff", "s@example.jp", "x" * 12)
    client.force_login(admin)
    html = client.get("/admin/event_signups/").content.decode()
    assert "和泊 一郎" in html and "ゆり畑ボランティア" in html
    assert client.get(f"/admin/event_signups/?event={event.pk}").status_code == 200
    assert client.get("/admin/event_signups/new/").status_code in {302, 403}
    signup = EventSignup.objects.get()
    assert client.get(f"/admin/event_signups/edit/{signup.pk}/").status_code in {302, 403}
    assert client.get(f"/admin/event_signups/inspect/{signup.pk}/").status_code == 200


def test_editors_without_the_permission_cannot_see_signups(client, event, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x" * 12)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/event_signups/").status_code in {302, 403}
