"""Proposals: the host sees the summary only; answers by a one-time link. The request, its
reminder and the answer notice are outbox rows, sent once each; the proposal sweep expires."""

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from django.utils.formats import date_format

from matching import emails, services
from matching.models import Client, Consent, Placement, Proposal
from matching.selectors import client_rank
from matching.services import MatchingError
from matching.tokens import proposal_token
from outbox import registry
from outbox import services as outbox
from outbox.models import Message
from resources.models import ActivityPage

pytestmark = pytest.mark.django_db

SUMMARY = "畑仕事と花が好きな方です。最初は見学から。"


@pytest.fixture
def secretive(consented) -> Client:
    """A client whose every private field holds a recognisable word."""
    consented.notes = "私的メモ"
    consented.field_disability = consented.field_poverty = True
    consented.save()
    return consented


@pytest.fixture
def draft(secretive, coordinator, activity) -> Proposal:
    proposal = services.proposal_create(client=secretive, activity_id=activity.pk, by=coordinator)
    return services.proposal_update(proposal=proposal, summary=SUMMARY, by=coordinator)


@pytest.fixture
def sent(draft, coordinator, django_capture_on_commit_callbacks) -> Proposal:
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_send(proposal=draft, by=coordinator)
    draft.refresh_from_db()
    return draft


def private_words(person: Client) -> list[str]:
    return [
        person.name, person.kana, person.reference_code, person.notes, str(person.birth_year),
        "高齢", "障害", "生活困窮", "困窮", "disability", "poverty",
        *(term.name for term in person.needs.all()),
    ]  # fmt: skip


def test_sending_emails_the_host_the_summary_and_nothing_else(sent, secretive, activity):
    assert sent.status == Proposal.Status.SENT
    assert sent.deadline - sent.sent_at == dt.timedelta(days=14)
    (message,) = mail.outbox
    assert message.to == [activity.email]
    assert activity.title in message.subject
    assert SUMMARY in message.body
    assert proposal_token(sent.pk) in message.body
    for word in private_words(secretive):
        assert word not in message.subject + message.body, word


def test_the_answer_page_shows_the_summary_only(client, sent, secretive):
    response = client.get(f"/matching/respond/{proposal_token(sent.pk)}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert SUMMARY in text
    for word in private_words(secretive):
        assert word not in text, word
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"


def test_accepting_creates_the_placement_once(client, sent, coordinator):
    url = f"/matching/respond/{proposal_token(sent.pk)}/"
    client.post(url, {"decision": "accept", "comment": "歓迎します"})
    sent.refresh_from_db()
    assert sent.status == Proposal.Status.ACCEPTED
    placement = Placement.objects.get()
    assert (placement.proposal, placement.status) == (sent, Placement.Status.ACCEPTED)
    again = client.post(url, {"decision": "decline"})
    assert again.status_code == 200
    sent.refresh_from_db()
    assert sent.status == Proposal.Status.ACCEPTED
    assert Placement.objects.count() == 1


def test_the_coordinator_is_told_of_the_answer_without_details(
    client, sent, secretive, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "decline"})
    notice = mail.outbox[-1]
    assert notice.to == [coordinator.email]
    assert f"/admin/clients/{secretive.pk}/" in notice.body
    for word in private_words(secretive):
        assert word not in notice.subject + notice.body, word


def test_a_decline_keeps_the_activity_out_this_season_and_demotes_it_after(
    client, sent, secretive, settings
):
    settings.MATCHING_DECLINED_EXCLUDE_DAYS = 30
    client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "decline"})
    assert client_rank(client=secretive) == []
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        (ranked,) = client_rank(client=secretive)
    assert "以前の季節に見送りあり（順位を下げています）" in ranked.reasons
    assert ranked.score < sent.score


def test_a_forged_or_unknown_token_is_404(client, sent):
    token = proposal_token(sent.pk)
    assert client.get(f"/matching/respond/{token[:-2]}xx/").status_code == 404
    other = proposal_token("00000000-0000-4000-8000-000000000000")
    assert client.get(f"/matching/respond/{other}/").status_code == 404


def test_after_the_deadline_the_link_no_longer_accepts(client, sent):
    with time_machine.travel(sent.deadline + dt.timedelta(minutes=1)):
        response = client.post(
            f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "accept"}
        )
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == Proposal.Status.EXPIRED
    assert not Placement.objects.exists()


def _email(proposal: Proposal, kind: str) -> Message:
    return Message.objects.get(kind=kind, object_id=str(proposal.pk))


def test_sending_queues_the_request_now_and_its_reminder_for_a_week_later(sent):
    request, reminder = _email(sent, emails.PROPOSAL), _email(sent, emails.REMINDER)
    assert request.status == Message.Status.SENT and request.sent_at is not None
    assert reminder.status == Message.Status.PENDING
    assert reminder.due_at == sent.sent_at + dt.timedelta(days=7)
    # Useless once the host can no longer answer.
    assert request.expires_at == reminder.expires_at == sent.deadline
    assert {request.topic, reminder.topic} == {f"proposal:{sent.pk}"}
    assert (request.key, reminder.key) == (
        f"matching.proposal:{sent.pk}", f"matching.proposal_reminder:{sent.pk}",
    )  # fmt: skip
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == request.message_id
    assert message.extra_headers["X-Tsunagu-Outbox"] == str(request.pk)


def test_the_reminder_goes_after_seven_days_once_and_the_sweep_expires_after_fourteen(sent):
    mail.outbox.clear()
    with time_machine.travel(sent.sent_at + dt.timedelta(days=6)):
        assert not outbox.sweep()
        assert not services.proposal_sweep()
    with time_machine.travel(sent.sent_at + dt.timedelta(days=7, minutes=1)):
        assert outbox.sweep()["claimed"] == 1
        assert not outbox.sweep()
        assert not services.proposal_sweep()
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("【再送】") and proposal_token(sent.pk) in reminder.body
    assert _email(sent, emails.REMINDER).status == Message.Status.SENT
    with time_machine.travel(sent.deadline + dt.timedelta(minutes=1)):
        assert services.proposal_sweep() == {"expired": 1}
        assert not services.proposal_sweep()
        assert not outbox.sweep()
    sent.refresh_from_db()
    assert sent.status == Proposal.Status.EXPIRED
    assert len(mail.outbox) == 1


def test_a_request_whose_bell_was_lost_is_sent_by_the_outbox_sweep_once(
    draft, coordinator, settings
):
    services.proposal_send(proposal=draft, by=coordinator)  # "send this" after commit never runs
    assert not mail.outbox
    assert not outbox.sweep()  # leased to the lost bell for a while
    later = timezone.now() + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        assert outbox.sweep()["claimed"] == 1
        assert not outbox.sweep()
    (message,) = mail.outbox
    assert SUMMARY in message.body
    assert _email(draft, emails.PROPOSAL).status == Message.Status.SENT


def test_a_second_worker_or_a_late_bell_does_not_send_the_request_again(draft, coordinator):
    services.proposal_send(proposal=draft, by=coordinator)
    pk = _email(draft, emails.PROPOSAL).pk
    assert outbox.deliver([pk, pk]) == {"sent": 1, "skipped": 1}
    assert outbox.deliver_one(pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_the_request_once(secretive, coordinator, activity):
    """PostgreSQL only: the outbox row's lock (SQLite serialises writers, covered above)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    proposal = services.proposal_create(client=secretive, activity_id=activity.pk, by=coordinator)
    services.proposal_update(proposal=proposal, summary=SUMMARY, by=coordinator)
    services.proposal_send(proposal=proposal, by=coordinator)  # autocommit: bell rings at once
    mail.outbox.clear()
    row = _email(proposal, emails.PROPOSAL)
    Message.objects.filter(pk=row.pk).update(
        status=Message.Status.PENDING, sent_at=None, attempts=0
    )
    outcomes = _race(lambda: outbox.deliver_one(row.pk), lambda: outbox.deliver_one(row.pk))
    assert sorted(outcomes) in (["busy", "sent"], ["sent", "skipped"])
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_the_send_never_cancels_what_was_sent(secretive, coordinator, activity):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    proposal = services.proposal_create(client=secretive, activity_id=activity.pk, by=coordinator)
    services.proposal_update(proposal=proposal, summary=SUMMARY, by=coordinator)
    with mock.patch("outbox.services.ring"):  # the bell is lost: the race decides
        services.proposal_send(proposal=proposal, by=coordinator)
    row = _email(proposal, emails.PROPOSAL)
    _race(
        lambda: outbox.deliver_one(row.pk),
        lambda: services.proposal_withdraw(proposal=proposal, reason="本人の都合", by=coordinator),
    )
    row.refresh_from_db()
    if row.status == Message.Status.SENT:
        assert len(mail.outbox) == 1
    else:
        assert row.status == Message.Status.CANCELLED and not mail.outbox
    assert _email(proposal, emails.REMINDER).status == Message.Status.CANCELLED


def _race(*actions) -> list:
    barrier = threading.Barrier(len(actions))
    outcomes: list = []

    def run(action) -> None:
        try:
            barrier.wait()
            outcomes.append(action())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_withdrawing_cancels_the_request_and_the_reminder_not_yet_sent(draft, coordinator):
    services.proposal_send(proposal=draft, by=coordinator)  # not sent yet
    services.proposal_withdraw(proposal=draft, reason="本人の都合で", by=coordinator)
    for kind in (emails.PROPOSAL, emails.REMINDER):
        row = _email(draft, kind)
        assert row.status == Message.Status.CANCELLED
        # The staff see why, but never the coordinator's reason (it may be about the person).
        assert "取り下げ" in row.reason and "本人の都合で" not in row.reason
    assert not outbox.deliver([_email(draft, emails.PROPOSAL).pk]).get("sent")
    assert not mail.outbox


def test_withdrawn_consent_cancels_the_emails_to_the_host(draft, secretive, coordinator):
    from .factories import consent

    services.proposal_send(proposal=draft, by=coordinator)
    consent(secretive, coordinator, stage=Consent.Stage.WITHDRAWN)
    rows = Message.objects.filter(object_id=str(draft.pk))
    assert {row.status for row in rows} == {Message.Status.CANCELLED}
    assert not outbox.sweep() and not mail.outbox


def test_an_answer_cancels_the_reminder_and_tells_the_coordinators_once(
    client, sent, coordinator, django_capture_on_commit_callbacks
):
    url = f"/matching/respond/{proposal_token(sent.pk)}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "accept"})
        client.post(url, {"decision": "decline"})
    assert _email(sent, emails.REMINDER).status == Message.Status.CANCELLED
    notice = _email(sent, emails.ANSWERED)  # one row: the second answer changed nothing
    assert notice.status == Message.Status.SENT
    assert [m.to for m in mail.outbox[1:]] == [[coordinator.email]]


def test_the_expiry_cancels_a_reminder_not_yet_sent(sent):
    with time_machine.travel(sent.deadline + dt.timedelta(minutes=1)):
        assert services.proposal_sweep() == {"expired": 1}
    reminder = _email(sent, emails.REMINDER)
    assert reminder.status == Message.Status.CANCELLED and "期限切れ" in reminder.reason


def test_no_reminder_when_it_would_come_after_the_deadline(draft, coordinator, settings):
    settings.MATCHING_PROPOSAL_REMINDER_DAYS = 14
    services.proposal_send(proposal=draft, by=coordinator)
    assert not Message.objects.filter(kind=emails.REMINDER).exists()


def test_a_message_for_a_proposal_closed_meanwhile_is_dropped(draft, coordinator):
    """The close's cancel missed it (it was being claimed): compose still says no."""
    services.proposal_send(proposal=draft, by=coordinator)
    Proposal.objects.filter(pk=draft.pk).update(status=Proposal.Status.DECLINED)
    pk = _email(draft, emails.PROPOSAL).pk
    assert outbox.deliver_one(pk) == "cancelled"
    row = Message.objects.get(pk=pk)
    assert row.status == Message.Status.CANCELLED and row.reason
    Proposal.objects.filter(pk=draft.pk).delete()
    reminder = _email(draft, emails.REMINDER)
    Message.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver_one(reminder.pk) == "cancelled"
    assert not mail.outbox


def test_a_host_whose_email_was_removed_is_on_the_call_list(draft, coordinator, activity):
    services.proposal_send(proposal=draft, by=coordinator)
    ActivityPage.objects.filter(pk=activity.pk).update(email="", phone="0997-84-0000")
    row = _email(draft, emails.PROPOSAL)
    assert outbox.deliver_one(row.pk) == "to_call"
    row.refresh_from_db()
    assert row.status == Message.Status.TO_CALL
    call = registry.get(row.kind).compose(row)
    assert (call.name, call.phone) == (activity.title, "0997-84-0000")
    assert draft.client.team.name in call.summary
    for word in private_words(draft.client):
        assert word not in call.summary, word
    assert SUMMARY not in call.summary
    assert not mail.outbox


def test_a_host_with_no_email_nor_telephone_is_dropped_with_a_reason(draft, coordinator, activity):
    services.proposal_send(proposal=draft, by=coordinator)
    ActivityPage.objects.filter(pk=activity.pk).update(email="", phone="")
    row = _email(draft, emails.PROPOSAL)
    assert outbox.deliver_one(row.pk) == "cancelled"
    row.refresh_from_db()
    assert "電話" in row.reason


def test_the_answer_goes_to_the_team_when_no_coordinator_has_an_email(
    client, sent, secretive, coordinator, django_capture_on_commit_callbacks
):
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "decline"})
    assert mail.outbox[-1].to == [secretive.team.email]


def test_an_answer_nobody_can_receive_is_dropped_visibly(
    client, sent, secretive, coordinator, django_capture_on_commit_callbacks
):
    type(coordinator).objects.filter(pk=coordinator.pk).update(email="")
    type(secretive.team).objects.filter(pk=secretive.team_id).update(email="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "decline"})
    notice = _email(sent, emails.ANSWERED)
    assert notice.status == Message.Status.CANCELLED
    assert secretive.team.name in notice.reason and "メール" in notice.reason
    assert not mail.outbox


def test_outbox_rows_hold_ids_only(sent, secretive):
    for row in Message.objects.filter(object_id=str(sent.pk)):
        text = " ".join([row.object_id, row.key or "", row.topic, row.reason, str(row.payload)])
        assert row.payload is None
        for word in [*private_words(secretive), SUMMARY]:
            assert word not in text, word


def test_the_proposal_page_shows_when_the_host_was_written_to(client, sent, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/admin/clients/proposals/{sent.pk}/").content.decode()
    sent_at = _email(sent, emails.PROPOSAL).sent_at
    assert "受け入れ先への提案" in html and "受け入れ先への提案の再送" in html
    assert date_format(timezone.localtime(sent_at), "DATETIME_FORMAT") in html


def test_sending_needs_a_summary_and_a_host_email(consented, coordinator, activity):
    proposal = services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    with pytest.raises(MatchingError):
        services.proposal_send(proposal=proposal, by=coordinator)
    services.proposal_update(proposal=proposal, summary=SUMMARY, by=coordinator)
    activity.email = ""
    activity.save()
    with pytest.raises(MatchingError):
        services.proposal_send(proposal=proposal, by=coordinator)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT


def test_a_withdrawn_proposal_cannot_be_answered(client, sent, coordinator):
    services.proposal_withdraw(proposal=sent, reason="本人の都合", by=coordinator)
    response = client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "accept"})
    assert response.status_code == 200
    assert not Placement.objects.exists()


def test_a_full_activity_cannot_be_proposed(consented, coordinator, activity, team_a):
    from .factories import ClientFactory, consent

    for _ in range(activity.placement_capacity):
        other = ClientFactory(team=team_a)
        consent(other, coordinator)
        placement = services.placement_create(client=other, activity=activity, by=coordinator)
        services.placement_accept(placement=placement, by=coordinator)
    assert client_rank(client=consented) == []
    with pytest.raises(MatchingError):
        services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)


def test_the_admin_flow_from_ranking_to_sending(client, consented, coordinator, activity):
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{consented.pk}/propose/").content.decode()
    assert activity.title in page and "水曜の朝に参加可能" in page
    response = client.post(f"/admin/clients/{consented.pk}/propose/", {"activity": activity.pk})
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/admin/clients/proposals/{proposal.pk}/"
    client.post(response["Location"], {"action": "send", "summary": SUMMARY})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.summary) == (Proposal.Status.SENT, SUMMARY)
    assert timezone.now() - proposal.sent_at < dt.timedelta(minutes=1)


def test_beat_runs_the_sweep_task(settings):
    from tsunagu.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["matching-proposal-sweep"]
    assert entry["task"] == "matching.tasks.proposal_sweep"
    app.loader.import_default_modules()  # what a worker does when it starts (autodiscovery)
    assert entry["task"] in app.tasks


def test_a_volunteer_companion_can_go_along_without_being_named_to_the_host(
    client, consented, coordinator, activity, django_capture_on_commit_callbacks
):
    from volunteers.models import Volunteer

    volunteer = Volunteer.objects.create(
        name="付添 ボラ子", kana="つきそい", email="v@example.jp", status=Volunteer.Status.ACTIVE,
        willing_to_accompany=True, availability=1 << 6,  # Wednesday morning
    )  # fmt: skip
    proposal = services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    client.force_login(coordinator)
    url = f"/admin/clients/proposals/{proposal.pk}/"
    assert "付添 ボラ子" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send", "summary": SUMMARY, "companion": volunteer.pk})
    proposal.refresh_from_db()
    assert proposal.companion == volunteer
    (message,) = mail.outbox
    assert "ボランティアが付き添って参加します" in message.body
    assert volunteer.name not in message.body
