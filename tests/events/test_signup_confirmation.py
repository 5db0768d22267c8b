"""The sign-up confirmation goes through the outbox: enqueued with the sign-up, at most once,
cancelled with it, useless once the event has started, and a call for a phone-only applicant."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from events.emails import SIGNUP_CONFIRMATION, signup_confirmation_key, signup_topic
from events.models import EventSignup
from events.services import signup_cancel, signup_create
from outbox import registry
from outbox import services as outbox
from outbox.models import Message
from outbox.wagtail_hooks import message_viewset

from .conftest import NOW
from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(calendar):
    return EventPageFactory(
        title="ゆり畑ボランティア", start=at("2026-12-10", "08:00"), end=at("2026-12-10", "11:00"),
        how_to_apply="form", capacity=10,
    )  # fmt: skip


def _held(django_capture_on_commit_callbacks, **kwargs) -> EventSignup:
    """A sign-up whose confirmation is enqueued but not sent yet (the bell did not ring)."""
    with django_capture_on_commit_callbacks(execute=False):
        return signup_create(**kwargs)


def _row(signup: EventSignup) -> Message:
    return Message.objects.get(key=signup_confirmation_key(signup.pk))


def test_enqueued_with_the_signup_and_sent_once(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(event=event, name="和泊 花子", email="hanako@example.jp")
    row = _row(signup)
    assert (row.kind, row.object_id, row.topic) == (
        SIGNUP_CONFIRMATION,
        str(signup.pk),
        signup_topic(signup.pk),
    )
    assert row.status == Message.Status.SENT
    # The same key again, a redelivered "send these", a later sweep: nothing more.
    again = outbox.Spec(kind=SIGNUP_CONFIRMATION, object_id=signup.pk, key=row.key)
    assert outbox.enqueue(again) is None
    assert outbox.deliver([row.pk]) == {"skipped": 1}
    assert outbox.sweep()["claimed"] == 0
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]
    assert Message.objects.filter(kind=SIGNUP_CONFIRMATION).count() == 1


def test_a_lost_bell_delays_the_confirmation_but_never_loses_it(
    event, django_capture_on_commit_callbacks
):
    signup = _held(
        django_capture_on_commit_callbacks, event=event, name="花子", email="h@example.jp"
    )
    assert mail.outbox == [] and _row(signup).status == Message.Status.PENDING
    # The lease on a due-now row runs out; the next beat finds it.
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        assert outbox.sweep()["claimed"] == 1
    assert [m.to for m in mail.outbox] == [["h@example.jp"]]


def test_it_is_useless_once_the_event_has_started(event, django_capture_on_commit_callbacks):
    signup = _held(
        django_capture_on_commit_callbacks, event=event, name="花子", email="h@example.jp"
    )
    row = _row(signup)
    assert row.expires_at == event.start
    with time_machine.travel(event.start + dt.timedelta(minutes=1), tick=False):
        assert outbox.deliver_one(row.pk) == "expired"
    assert mail.outbox == []


def test_cancelling_the_signup_cancels_a_confirmation_not_sent_yet(
    event, django_capture_on_commit_callbacks
):
    signup = _held(
        django_capture_on_commit_callbacks, event=event, name="花子", email="h@example.jp"
    )
    signup_cancel(signup=signup)
    row = _row(signup)
    assert row.status == Message.Status.CANCELLED and row.reason == "申込が取り消されました。"
    assert outbox.deliver_one(row.pk) == "skipped"
    assert mail.outbox == []


def test_cancelling_after_it_was_sent_leaves_it_recorded_as_sent(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(event=event, name="花子", email="h@example.jp")
    signup_cancel(signup=signup)
    assert _row(signup).status == Message.Status.SENT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: EventSignup.objects.filter(pk=s.pk).delete(), "記録"),
        (lambda s: EventSignup.objects.filter(pk=s.pk).update(cancelled_at=s.created_at), "取り消"),
        (lambda s: EventSignup.objects.filter(pk=s.pk).update(erased_at=s.created_at), "消去"),
    ],
)
def test_dropped_when_no_longer_needed_at_send_time(
    event, change, reason, django_capture_on_commit_callbacks
):
    # Deleted by an organiser, or cancelled while the row was already being taken.
    signup = _held(
        django_capture_on_commit_callbacks, event=event, name="花子", email="h@example.jp"
    )
    row = _row(signup)
    change(signup)
    assert outbox.deliver_one(row.pk) == "cancelled"
    row.refresh_from_db()
    assert reason in row.reason
    assert mail.outbox == []


def test_a_phone_only_applicant_is_on_the_call_list(
    event, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(event=event, name="和泊 一郎", phone="0997-84-1234", party_size=2)
    row = _row(signup)
    assert row.status == Message.Status.TO_CALL and mail.outbox == []
    call = registry.get(SIGNUP_CONFIRMATION).compose(row)
    assert (call.name, call.phone) == ("和泊 一郎", "0997-84-1234")
    assert "ゆり畑ボランティア" in call.summary and "2026年12月10日" in call.summary
    assert "（2 人）" in call.summary
    html = admin_client.get(reverse(message_viewset.get_url_name("calls"))).content.decode()
    assert "和泊 一郎" in html and "0997-84-1234" in html


def test_the_outbox_row_holds_no_personal_data(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(
            event=event, name="和泊 花子", email="hanako@example.jp", phone="090-1111-2222",
            note="杖を使います",
        )  # fmt: skip
    row = _row(signup)
    stored = " ".join(str(v) for v in (row.object_id, row.key, row.topic, row.reason))
    for secret in ("和泊 花子", "hanako@example.jp", "090-1111-2222", "杖", signup.token):
        assert secret not in stored
    assert row.payload is None
