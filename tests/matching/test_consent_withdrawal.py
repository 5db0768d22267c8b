"""Consent withdrawal that means it (issue 13): after SAMPLE-001 withdrew, her placement stayed
active and the host place received 6 more "how is the person doing?" emails.

Each test runs the follow-up schedule and the outbox sweep past every due date and counts
what reached the host place; the first one shows the count is real (without a withdrawal the
host is asked at every follow-up).
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from followups.models import CheckIn
from matching import services
from matching.models import ClientLogEntry, Consent, Placement, Proposal
from matching.services import MatchingError, OnWithdrawal
from outbox import services as outbox
from outbox.models import Message

from .factories import host_activity

pytestmark = pytest.mark.django_db

HOST = "host@example.jp"
OTHER_HOST = "other-host@example.jp"
REASON = "本人から電話で撤回の申し出"


@pytest.fixture(autouse=True)
def _afternoon():
    """Every test starts at the same time of day: what is due when (a proposal's reminder expires
    at its deadline, a follow-up question is asked at 9:00) must not depend on when CI runs."""
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 14, 0))
    with time_machine.travel(start, tick=True):
        yield


def sweep_past_everything(start: dt.datetime | None = None) -> None:
    """Sweep at every time anything is or was due, then a year later: the whole schedule."""
    start = start or timezone.now()
    moments = sorted({row.due_at for row in Message.objects.all()} | {start})
    moments += [moment + dt.timedelta(days=8) for moment in moments]  # escalations
    for moment in sorted(moments) + [start + dt.timedelta(days=400)]:
        if moment >= start:
            with time_machine.travel(moment + dt.timedelta(minutes=1), tick=False):
                outbox.sweep()


def to_host() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if HOST in m.to or OTHER_HOST in m.to]


@pytest.fixture
def active(consented, activity, coordinator, django_capture_on_commit_callbacks) -> Placement:
    """An active placement with its follow-up schedule, asking the host at each follow-up."""
    with django_capture_on_commit_callbacks(execute=True):
        placement = services.placement_create(client=consented, activity=activity, by=coordinator)
        services.placement_accept(placement=placement, by=coordinator)
        return services.placement_activate(placement=placement, by=coordinator)


@pytest.fixture
def sent_proposal(active, coordinator, django_capture_on_commit_callbacks) -> Proposal:
    """A proposal sent to a second host place (its email goes out at once)."""
    other = host_activity(title="浜の清掃", email=OTHER_HOST)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_create(
            client=active.client, activity_id=other.pk, by=coordinator
        )
        services.proposal_update(proposal=proposal, summary="海が好きな方", by=coordinator)
        return services.proposal_send(proposal=proposal, by=coordinator)


def withdraw(person, by, **kwargs):
    return services.consent_withdraw(
        client=person, obtained_on=dt.date(2026, 12, 1), by=by, reason=REASON, **kwargs
    )


def test_without_a_withdrawal_the_host_is_asked_at_every_follow_up(active, sent_proposal):
    mail.outbox.clear()
    sweep_past_everything()
    follow_ups = active.checkins.filter(kind=CheckIn.Kind.FOLLOW_UP).count()
    # Every follow-up question, and the proposal's reminder: what the withdrawal must stop.
    assert len(to_host()) == follow_ups + 1 == 5


def test_withdrawal_ends_the_placement_closes_proposals_and_the_host_hears_nothing_more(
    active, sent_proposal, coordinator
):
    mail.outbox.clear()
    done = withdraw(active.client, coordinator)

    assert (done.proposals_closed, done.placements_ended, done.placements_paused) == (1, 1, 0)
    active.refresh_from_db()
    sent_proposal.refresh_from_db()
    assert active.status == Placement.Status.ENDED
    assert active.status_changes.last().reason  # the why, in the placement's history
    assert sent_proposal.status == Proposal.Status.WITHDRAWN
    assert not active.checkins.filter(status=CheckIn.Status.PENDING).exists()
    assert not Message.objects.filter(status=Message.Status.PENDING).exists()

    sweep_past_everything()
    assert to_host() == []
    assert mail.outbox == []  # nor the coordinator's reminders of check-ins that are gone


def test_withdrawal_records_who_and_why_and_the_audit_entry_holds_no_reason(active, coordinator):
    done = withdraw(active.client, coordinator)
    record = active.client.latest_consent()
    assert record == done.consent
    assert (record.stage, record.recorded_by, record.note) == (
        Consent.Stage.WITHDRAWN,
        coordinator,
        REASON,
    )
    entry = ClientLogEntry.objects.filter(action="matching.consent.withdraw").get()
    assert entry.user == coordinator
    assert entry.data["placements"] == OnWithdrawal.END
    assert REASON not in str(entry.data)


def test_pausing_keeps_the_place_and_stops_every_contact_until_resumed(
    active, sent_proposal, coordinator
):
    mail.outbox.clear()
    done = withdraw(active.client, coordinator, placements=OnWithdrawal.PAUSE)

    assert (done.proposals_closed, done.placements_ended, done.placements_paused) == (1, 0, 1)
    active.refresh_from_db()
    assert active.status == Placement.Status.PAUSED
    # The check-ins wait (nothing is recorded or thrown away); their messages do not.
    assert active.checkins.filter(status=CheckIn.Status.PENDING).count() == 5
    assert not Message.objects.filter(status=Message.Status.PENDING).exists()
    sweep_past_everything()
    assert mail.outbox == []


def test_a_paused_placement_is_not_resumed_without_consent(active, coordinator):
    withdraw(active.client, coordinator, placements=OnWithdrawal.PAUSE)
    with pytest.raises(MatchingError):
        services.placement_resume(placement=active, by=coordinator)
    active.refresh_from_db()
    assert active.status == Placement.Status.PAUSED
    assert not Message.objects.filter(status=Message.Status.PENDING).exists()


def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(
    active, sent_proposal, coordinator
):
    pending = set(Message.objects.filter(status=Message.Status.PENDING).values_list("pk"))
    for reason in ("", "   "):
        with pytest.raises(MatchingError, match="理由"):
            services.consent_withdraw(
                client=active.client, obtained_on=dt.date(2026, 12, 1), by=coordinator,
                reason=reason,
            )  # fmt: skip
    active.refresh_from_db()
    sent_proposal.refresh_from_db()
    assert active.client.latest_consent().stage == Consent.Stage.CONSENTED
    assert active.status == Placement.Status.ACTIVE
    assert sent_proposal.status == Proposal.Status.SENT
    assert set(Message.objects.filter(status=Message.Status.PENDING).values_list("pk")) == pending


def test_an_unknown_choice_for_the_placements_is_refused(active, coordinator):
    with pytest.raises(MatchingError):
        withdraw(active.client, coordinator, placements="delete")
    active.refresh_from_db()
    assert active.status == Placement.Status.ACTIVE


def test_a_proposed_placement_is_ended_even_when_pausing(consented, activity, coordinator):
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    withdraw(consented, coordinator, placements=OnWithdrawal.PAUSE)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED


# --- the form and the client page -------------------------------------------------------------


def post_withdrawal(client, person, **extra):
    data = {"stage": "withdrawn", "obtained_on": "2026-12-01", "method": "phone", "scope": ""}
    return client.post(f"/admin/clients/{person.pk}/consent/", {**data, **extra})


def test_the_form_ends_placements_by_default(client, active, coordinator):
    client.force_login(coordinator)
    form = client.get(f"/admin/clients/{active.client.pk}/consent/?stage=withdrawn")
    assert re.search(r'value="end"[^>]* checked', form.content.decode())
    response = post_withdrawal(client, active.client, note=REASON)
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == Placement.Status.ENDED


def test_the_form_pauses_when_the_coordinator_chooses_so(client, active, coordinator):
    client.force_login(coordinator)
    response = post_withdrawal(client, active.client, note=REASON, placements="pause")
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == Placement.Status.PAUSED


def test_the_form_without_a_reason_shows_a_japanese_error_and_changes_nothing(
    client, active, coordinator
):
    client.force_login(coordinator)
    response = post_withdrawal(client, active.client, note="")
    assert response.status_code == 200
    assert "撤回の理由を記入してください" in response.content.decode()
    active.refresh_from_db()
    assert active.status == Placement.Status.ACTIVE
    assert active.client.latest_consent().stage == Consent.Stage.CONSENTED


def test_the_client_page_lists_what_the_host_places_already_received(
    client, active, sent_proposal, coordinator
):
    first_follow_up = active.checkins.filter(kind=CheckIn.Kind.FOLLOW_UP).earliest("due_on")
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(first_follow_up.due_on, dt.time(10))), tick=False
    ):
        outbox.sweep()
    withdraw(active.client, coordinator)
    # The proposal, its reminder a week later, and the first follow-up question.
    assert len(to_host()) == 3

    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{active.client.pk}/").content.decode()
    listed = page.split('id="sent-to-hosts-heading"')[1].split("</table>")[0]
    assert listed.count("<tr>") == 4  # a header and one row per message
    assert "受け入れ先への提案" in listed
    assert "受け入れ先への提案の再送" in listed
    assert "受け入れ先への確認" in listed
    assert "海が好きな方" not in listed  # kinds and dates, never what the message said


def test_another_teams_coordinator_cannot_see_or_withdraw(client, active, other_coordinator):
    client.force_login(other_coordinator)
    assert client.get(f"/admin/clients/{active.client.pk}/").status_code == 404
    response = post_withdrawal(client, active.client, note=REASON)
    assert response.status_code == 404
    active.refresh_from_db()
    assert active.status == Placement.Status.ACTIVE
