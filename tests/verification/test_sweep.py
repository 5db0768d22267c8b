"""The sweep: one email per operator listing all their due listings, and never twice."""

import datetime as dt
import smtplib

import pytest
import time_machine

from tests.resources.factories import directory_page
from tsunagu.models import TownSettings
from verification import services, tasks
from verification.models import VerificationReminder

from .conftest import REMIND_CUTOFF, TODAY
from .factories import activity, operator, place

pytestmark = pytest.mark.django_db


def sweep(django_capture_on_commit_callbacks) -> list[int]:
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_claim(today=TODAY)


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
    assert set(VerificationReminder.objects.values_list("outcome", flat=True)) == {"sent"}


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


def test_delivering_the_same_batch_again_sends_nothing(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    ids = sweep(django_capture_on_commit_callbacks)
    # A redelivered task message (acks_late) runs delivery a second time.
    assert services.reminders_deliver(reminder_ids=ids) == 0
    assert len(mailoutbox) == 1


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


def test_without_an_operator_address_the_town_office_is_asked(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    directory_page()
    TownSettings.objects.update(email="fukushi@town.example.jp")
    place(REMIND_CUTOFF, operator(""), title="連絡先のない場所")
    place(REMIND_CUTOFF, None, title="運営団体のない場所")
    sweep(django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["fukushi@town.example.jp"]]
    assert "運営団体のメールアドレスが登録されていないため、役場にお送りしています。" in (
        mailoutbox[0].body
    )
    assert "連絡先のない場所" in mailoutbox[0].body and "運営団体のない場所" in mailoutbox[0].body
    assert set(VerificationReminder.objects.values_list("outcome", flat=True)) == {"town"}


def test_with_no_address_at_all_the_listing_is_left_to_the_report(
    now, mailoutbox, django_capture_on_commit_callbacks
):
    directory_page()
    TownSettings.objects.update(email="")
    place(REMIND_CUTOFF, operator(""))
    sweep(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    reminder = VerificationReminder.objects.get()
    assert reminder.outcome == "none" and reminder.delivered_at is not None


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


def test_a_failed_send_is_unmarked_and_retried_once(
    now, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    place(REMIND_CUTOFF, operator("salon@example.jp"))

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("verification.emails.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        ids = services.reminders_claim(today=TODAY)
    assert len(queued) == 1  # delivery is queued only once the claim is committed
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.reminders_deliver(reminder_ids=ids)
    reminder = VerificationReminder.objects.get()
    assert reminder.delivered_at is None and reminder.outcome == "pending"
    monkeypatch.undo()
    services.reminders_deliver(reminder_ids=[reminder.pk])
    services.reminders_deliver(reminder_ids=[reminder.pk])
    assert len(mailoutbox) == 1


def test_the_periodic_task_runs_the_sweep(now, mailoutbox, django_capture_on_commit_callbacks):
    place(REMIND_CUTOFF, operator("salon@example.jp"))
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.send_verification_reminders.delay()
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(("not_due", "operators"), [(2, 1), (30, 1), (30, 4)])
def test_sweep_queries_do_not_grow_with_listings_that_are_not_due(
    now, not_due, operators, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    groups = [operator(f"group{n}@example.jp") for n in range(operators)]
    for n in range(3):
        place(REMIND_CUTOFF, groups[n % operators])
    for n in range(not_due):
        place(TODAY, groups[n % operators])
    # Claim: savepoint, listings, operators, insert, read back, release. Delivery: town
    # settings, savepoint, pending reminders, one update per outcome, release; site root paths
    # for the links. Nothing per listing that is not due, nor per recipient.
    with django_assert_max_num_queries(12):
        claimed = sweep(django_capture_on_commit_callbacks)
    assert len(claimed) == 3
