"""The sweep: one message per operator listing all their due listings, through the outbox, and
never twice per cycle."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from outbox import registry
from outbox import services as outbox
from outbox.models import Message
from outbox.wagtail_hooks import message_viewset
from tests.resources.factories import directory_page
from tsunagu.models import TownSettings
from verification import emails, services, tasks
from verification.models import VerificationReminder

from .conftest import NOW, REMIND_CUTOFF, TODAY
from .factories import activity, operator, place

pytestmark = pytest.mark.django_db


def sweep(django_capture_on_commit_callbacks) -> list[int]:
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_claim(today=TODAY)


def reminder_messages():
    return Message.objects.filter(kind=emails.KIND).order_by("pk")


def test_one_email_per_operator_lists_every_due_listing(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    group = operator("salon@example.jp", name="手々知名サロン会")
    place(REMIND_CUTOFF, group, title="手々知名公民館")
    activity(dt.date(2026, 1, 10), group, title="いきいきサロン")
    place(TODAY, group, title="最近確認した場所")
    other = operator("npo@example.jp")
    place(REMIND_CUTOFF, other, title="別の団体の場所")

    claimed = sweep(django_capture_on_commit_callbacks)

    assert len(claimed) == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["npo@example.jp", "salon@example.jp"]
    mail = next(m for m in mailoutbox if m.to == ["salon@example.jp"])
    assert mail.subject == "つなぐの掲載情報の確認のお願い（2件）"
    assert "手々知名公民館" in mail.body and "いきいきサロン" in mail.body
    assert "最近確認した場所" not in mail.body and "別の団体の場所" not in mail.body
    assert mail.body.count("http://testserver/verification/confirm/listing/") == 2
    assert mail.body.count("http://testserver/admin/pages/") == 2
    assert "最終確認日: 2026年6月1日" in mail.body
    # One outbox row per recipient; each reminder points at its recipient's, which sent it.
    salon_message = Message.objects.get(object_id=str(group.pk))
    assert mail.extra_headers["Message-ID"] == salon_message.message_id
    assert {m.status for m in reminder_messages()} == {Message.Status.SENT}
    assert reminder_messages().count() == 2
    assert set(VerificationReminder.objects.values_list("route", flat=True)) == {"operator"}
    assert VerificationReminder.objects.filter(message=salon_message).count() == 2


def test_never_twice_running_the_sweep_again_sends_nothing(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    assert len(sweep(django_capture_on_commit_callbacks)) == 1
    assert sweep(django_capture_on_commit_callbacks) == []
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=now.tzinfo), tick=False):
        assert sweep(django_capture_on_commit_callbacks) == []
    assert len(mailoutbox) == 1
    assert VerificationReminder.objects.count() == 1
    assert reminder_messages().count() == 1


def test_delivering_the_same_message_again_sends_nothing(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    sweep(django_capture_on_commit_callbacks)
    (message,) = reminder_messages()
    # A redelivered "send these" (acks_late), and the outbox's own sweep, send nothing more.
    assert outbox.deliver([message.pk]) == {"skipped": 1}
    assert outbox.sweep()["claimed"] == 0
    assert len(mailoutbox) == 1


def test_nothing_is_lost_when_the_bell_after_commit_never_rings(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    # Redis lost the "sweep now", or the worker died before it ran: the claim is committed.
    with django_capture_on_commit_callbacks(execute=False) as bells:
        services.reminders_claim(today=TODAY)
    assert len(bells) == 1 and mailoutbox == []
    assert reminder_messages().get().status == Message.Status.PENDING
    # The outbox's next beat finds the row and sends it.
    assert outbox.sweep()["claimed"] == 1
    assert len(mailoutbox) == 1
    assert reminder_messages().get().status == Message.Status.SENT


def test_a_failed_send_is_retried_by_the_outbox_and_sent_once(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    down = smtplib.SMTPServerDisconnected("down")
    with mock.patch("outbox.delivery.send", side_effect=down):
        sweep(django_capture_on_commit_callbacks)
    message = reminder_messages().get()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert mailoutbox == []
    # Later than the back-off: the sweep brings it round again; once sent, never again.
    later = NOW + dt.timedelta(seconds=settings.OUTBOX_RETRY_MAX_SECONDS * 2)
    with time_machine.travel(later, tick=False):
        assert outbox.sweep()["claimed"] == 1
        assert outbox.sweep()["claimed"] == 0
        assert services.reminders_claim(today=TODAY) == []
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2


def test_a_confirmed_listing_gets_its_next_reminder_six_months_later(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    listing = place(REMIND_CUTOFF, operator("salon@example.jp"))
    sweep(django_capture_on_commit_callbacks)
    services.listing_confirm(page=listing, on=TODAY)
    assert sweep(django_capture_on_commit_callbacks) == []
    later = dt.datetime(2027, 6, 1, 9, tzinfo=now.tzinfo)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_claim(today=later.date())
    assert len(mailoutbox) == 2
    cycles = VerificationReminder.objects.filter(page=listing).order_by("cycle")
    assert list(cycles.values_list("cycle", flat=True)) == [REMIND_CUTOFF, TODAY]
    assert reminder_messages().count() == 2


def test_listings_confirmed_before_the_message_goes_out_are_left_out(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    group = operator("salon@example.jp")
    confirmed = place(REMIND_CUTOFF, group, title="確認済みの場所")
    place(REMIND_CUTOFF, group, title="未確認の場所")
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_claim(today=TODAY)
    services.listing_confirm(page=confirmed, on=TODAY)
    outbox.sweep()
    (mail,) = mailoutbox
    assert "未確認の場所" in mail.body and "確認済みの場所" not in mail.body
    assert mail.subject == "つなぐの掲載情報の確認のお願い（1件）"


def test_a_message_whose_listings_were_all_confirmed_is_dropped(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    listing = place(REMIND_CUTOFF, operator("salon@example.jp"))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_claim(today=TODAY)
    services.listing_confirm(page=listing, on=TODAY)
    outbox.sweep()
    assert mailoutbox == []
    message = reminder_messages().get()
    assert message.status == Message.Status.CANCELLED
    assert "確認" in message.reason
    # The reminder stays: the cycle was reminded, and is never reminded again.
    assert VerificationReminder.objects.get().message_id == message.pk


def test_without_an_operator_address_the_town_office_is_asked(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    directory_page()
    TownSettings.objects.update(email="fukushi@town.example.jp")
    # A telephone number is not enough while the town office has an email address.
    place(REMIND_CUTOFF, operator("", phone="0997-84-1111"), title="連絡先のない場所")
    place(REMIND_CUTOFF, None, title="運営団体のない場所")
    sweep(django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["fukushi@town.example.jp"]]
    assert "運営団体のメールアドレスが登録されていないため、役場にお送りしています。" in (
        mailoutbox[0].body
    )
    assert "連絡先のない場所" in mailoutbox[0].body and "運営団体のない場所" in mailoutbox[0].body
    assert set(VerificationReminder.objects.values_list("route", flat=True)) == {"town"}
    assert reminder_messages().get().object_id == ""


def test_an_operator_with_only_a_telephone_is_on_the_call_list(
    now, mailoutbox, django_capture_on_commit_callbacks, admin_client
):
    directory_page()
    TownSettings.objects.update(email="")
    group = operator("", name="手々知名サロン会", phone="0997-84-1111")
    place(REMIND_CUTOFF, group, title="手々知名公民館")
    activity(REMIND_CUTOFF, group, title="いきいきサロン")
    sweep(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    message = reminder_messages().get()
    assert message.status == Message.Status.TO_CALL
    assert set(VerificationReminder.objects.values_list("route", flat=True)) == {"call"}
    call = registry.get(emails.KIND).compose(message)
    assert (call.name, call.phone) == ("手々知名サロン会", "0997-84-1111")
    assert "手々知名公民館" in call.summary and "いきいきサロン" in call.summary
    html = admin_client.get(reverse(message_viewset.get_url_name("calls"))).content.decode()
    assert "手々知名サロン会" in html and "0997-84-1111" in html


def test_with_no_address_at_all_the_listing_is_left_to_the_report(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    directory_page()
    TownSettings.objects.update(email="")
    place(REMIND_CUTOFF, operator(""))
    sweep(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    reminder = VerificationReminder.objects.get()
    assert reminder.route == "none" and reminder.message is None
    assert not reminder_messages().exists()


def test_operators_own_record_is_in_the_same_email(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    group = operator("salon@example.jp", name="手々知名サロン会", assured_date=REMIND_CUTOFF)
    place(REMIND_CUTOFF, group, title="手々知名公民館")
    sweep(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "手々知名サロン会（運営団体）" in body and "手々知名公民館（居場所）" in body
    assert "/verification/confirm/operator/" in body


def test_the_outbox_row_holds_ids_only(now, mailoutbox, django_capture_on_commit_callbacks):
    group = operator("salon@example.jp", name="手々知名サロン会")
    place(REMIND_CUTOFF, group, title="手々知名公民館")
    sweep(django_capture_on_commit_callbacks)
    message = reminder_messages().get()
    stored = " ".join(
        str(v) for v in (message.object_id, message.key, message.topic, message.reason)
    )
    for secret in ("salon@example.jp", "手々知名", "/verification/confirm/"):
        assert secret not in stored
    assert message.payload is None


def test_the_periodic_task_runs_the_sweep(now, mailoutbox, django_capture_on_commit_callbacks):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.send_verification_reminders.delay()
    assert len(mailoutbox) == 1
    entry = settings.CELERY_BEAT_SCHEDULE["verification-reminders"]
    assert entry["task"] == "verification.tasks.send_verification_reminders"


@pytest.mark.parametrize(("not_due", "operators"), [(2, 1), (30, 1), (30, 4)])
def test_claim_queries_do_not_grow_with_listings_or_recipients(
    now, not_due, operators, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    groups = [operator(f"group{n}@example.jp") for n in range(operators)]
    for n in range(3):
        place(REMIND_CUTOFF, groups[n % operators])
    for n in range(not_due):
        place(TODAY, groups[n % operators])
    # Town settings; savepoint, listings, operators, messages' keys taken, insert messages,
    # read their ids back, insert reminders, read back, release. Nothing per listing that is
    # not due, nor per recipient.
    with django_assert_max_num_queries(10), django_capture_on_commit_callbacks(execute=False):
        claimed = services.reminders_claim(today=TODAY)
    assert len(claimed) == 3
    assert reminder_messages().count() == min(3, operators)


@pytest.mark.parametrize("listings", [1, 10])
def test_composing_does_not_query_per_listing(
    now, listings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    group = operator("salon@example.jp")
    for _ in range(listings):
        place(REMIND_CUTOFF, group)
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_claim(today=TODAY)
    message = reminder_messages().get()
    emails.compose(message)  # the site's root paths, cached from here on
    # Reminders with their pages and operator, then the town office.
    with django_assert_max_num_queries(2):
        email = emails.compose(message)
    assert len(email.to) == 1 and email.body.count("/verification/confirm/") == listings
