"""The outbox in the admin: who may see it, retrying, and the call list (with what it shows,
to whom, and what a spreadsheet makes of it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox import registry
from outbox.models import Message
from tests.matching.factories import make_editor, make_user

from .conftest import KIND

pytestmark = pytest.mark.django_db

INDEX = "outbox:index"
CALLS = "outbox:calls"
RETRY = "outbox:retry"


def _row(status: str, object_id: str = "1", **kwargs) -> Message:
    now = timezone.now()
    return Message.objects.create(
        kind=KIND, object_id=object_id, status=status, due_at=now, next_attempt_at=now,
        expires_at=now + dt.timedelta(days=1), **kwargs,
    )  # fmt: skip


def _staff(*codenames: str):
    user = make_user("outbox_staff", team=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="outbox", codename__in=codenames)
    )
    return user


@pytest.fixture
def call_row(outcomes) -> Message:
    outcomes["40"] = registry.Call(name='=HYPERLINK("x")', phone="0997-84-0000", summary="明日")
    return _row(Message.Status.TO_CALL, "40")


def test_staff_with_view_permission_see_the_outbox_with_reasons(client):
    _row(Message.Status.FAILED, reason="メールサーバーが受け取りを拒否しました（550）。")
    client.force_login(_staff("view_message"))
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    assert "受け取りを拒否" in response.text


@pytest.mark.parametrize("who", ["anonymous", "editor", "coordinator"])
def test_others_cannot_see_the_outbox_or_the_call_list(client, who, call_row):
    if who == "editor":
        client.force_login(make_editor())
    elif who == "coordinator":
        client.force_login(make_user("plain_coordinator"))
    for name in (INDEX, CALLS, RETRY):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403), (name, response.status_code)
        assert "0997-84-0000" not in response.text
    response = client.post(reverse(CALLS), {"done": [call_row.pk]})
    assert response.status_code in (302, 403)
    call_row.refresh_from_db()
    assert call_row.status == Message.Status.TO_CALL


def test_view_permission_alone_does_not_allow_retry(client):
    row = _row(Message.Status.FAILED)
    client.force_login(_staff("view_message"))
    assert client.post(reverse(RETRY), {"id": row.pk}).status_code in (302, 403)
    row.refresh_from_db()
    assert row.status == Message.Status.FAILED


def test_retry_one_row(client, django_capture_on_commit_callbacks):
    row = _row(Message.Status.FAILED, attempts=5)
    client.force_login(_staff("view_message", "change_message"))
    assert "再送信" in client.get(reverse(RETRY), {"id": row.pk}).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(RETRY), {"id": row.pk})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Message.Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1


def test_retry_all_failed_since_a_time_leaves_older_and_sent_rows(client):
    old = _row(Message.Status.FAILED, "50")
    Message.objects.filter(pk=old.pk).update(due_at=timezone.now() - dt.timedelta(days=10))
    recent = _row(Message.Status.EXPIRED, "51")
    sent = _row(Message.Status.SENT, "52")
    client.force_login(_staff("view_message", "change_message"))
    since = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse(RETRY), {"since": since})
    statuses = {m.pk: m.status for m in Message.objects.all()}
    assert statuses[old.pk] == Message.Status.FAILED
    assert statuses[recent.pk] == Message.Status.PENDING
    assert statuses[sent.pk] == Message.Status.SENT


def test_retry_without_a_choice_says_so_in_japanese_and_changes_nothing(client):
    row = _row(Message.Status.FAILED)
    client.force_login(_staff("view_message", "change_message"))
    response = client.post(reverse(RETRY), {"since": "きのう"})
    assert response.status_code == 200
    assert "日時を入力してください" in response.text
    response = client.post(reverse(RETRY), {})
    assert "メッセージを選ぶか" in response.text
    row.refresh_from_db()
    assert row.status == Message.Status.FAILED


def test_call_list_shows_who_to_call_and_marks_them_done(client, call_row):
    user = _staff("call_message")
    client.force_login(user)
    response = client.get(reverse(CALLS))
    assert response.status_code == 200
    assert 'href="tel:0997-84-0000"' in response.text and "明日" in response.text
    response = client.post(reverse(CALLS), {"done": [call_row.pk]})
    assert response.status_code == 302
    call_row.refresh_from_db()
    assert call_row.status == Message.Status.CALLED and call_row.called_by == user
    assert "いま電話連絡が必要な人はいません" in client.get(reverse(CALLS)).text


def test_call_list_csv_opens_in_excel_without_running_formulas(client, call_row):
    client.force_login(_staff("call_message"))
    response = client.get(reverse(CALLS), {"format": "csv"})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
    assert "0997-84-0000" in body


def test_marking_nothing_says_so(client, call_row):
    client.force_login(_staff("call_message"))
    response = client.post(reverse(CALLS), {}, follow=True)
    assert "電話した人にチェックを付けてください" in response.text


def test_call_entries_of_a_kind_are_only_for_the_staff_who_look_after_those_people(client):
    from events import emails as event_emails
    from tests.events.factories import EventSignupFactory

    signup = EventSignupFactory(email="", phone="0997-11-2222", name="申込 花子")
    row = Message.objects.create(
        kind=event_emails.SIGNUP_CONFIRMATION, object_id=str(signup.pk),
        status=Message.Status.TO_CALL,
    )  # fmt: skip
    caller = _staff("call_message")  # e.g. a volunteer coordinator: not the events' staff
    client.force_login(caller)
    assert "0997-11-2222" not in client.get(reverse(CALLS)).text
    assert "0997-11-2222" not in client.get(reverse(CALLS), {"format": "csv"}).text
    client.post(reverse(CALLS), {"done": [row.pk]})
    row.refresh_from_db()
    assert row.status == Message.Status.TO_CALL
    caller.user_permissions.add(Permission.objects.get(codename="view_eventsignup"))
    caller = type(caller).objects.get(pk=caller.pk)  # the permission cache starts afresh
    client.force_login(caller)
    assert "0997-11-2222" in client.get(reverse(CALLS)).text
