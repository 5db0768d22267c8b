"""Proposals: the host sees the summary only; answers by a one-time link; reminders and expiry
come from the database sweep, once each."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from matching import services
from matching.models import Client, Placement, Proposal
from matching.selectors import client_rank
from matching.services import MatchingError
from matching.tokens import proposal_token

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


def test_declining_demotes_the_activity_next_time(client, sent, secretive, coordinator):
    client.post(f"/matching/respond/{proposal_token(sent.pk)}/", {"decision": "decline"})
    (ranked,) = client_rank(client=secretive)
    assert "以前に辞退あり（順位を下げています）" in ranked.reasons
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


def test_the_sweep_reminds_after_seven_days_once_and_expires_after_fourteen(sent):
    mail.outbox.clear()
    with time_machine.travel(sent.sent_at + dt.timedelta(days=6)):
        assert not services.proposal_sweep()
    with time_machine.travel(sent.sent_at + dt.timedelta(days=7, minutes=1)):
        assert services.proposal_sweep() == {"reminded": 1}
        assert not services.proposal_sweep()
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("【再送】") and proposal_token(sent.pk) in reminder.body
    with time_machine.travel(sent.deadline + dt.timedelta(minutes=1)):
        assert services.proposal_sweep() == {"expired": 1}
        assert not services.proposal_sweep()
    sent.refresh_from_db()
    assert sent.status == Proposal.Status.EXPIRED
    assert len(mail.outbox) == 1


def test_the_sweep_sends_a_notification_a_lost_task_never_sent(draft, coordinator):
    services.proposal_send(proposal=draft, by=coordinator)  # on-commit task never runs
    assert not mail.outbox
    assert services.proposal_sweep() == {"notified": 1}
    assert services.proposal_sweep() == {}
    assert len(mail.outbox) == 1


def test_one_failing_email_does_not_stop_the_sweep(draft, coordinator, activity, monkeypatch):
    services.proposal_send(proposal=draft, by=coordinator)
    monkeypatch.setattr("matching.emails.send_proposal", lambda *a, **k: 1 / 0)
    assert services.proposal_sweep() == {"failed": 1}
    draft.refresh_from_db()
    assert draft.notified_at is None


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
    assert activity.title in page and "水曜午前が合う" in page
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
