"""A placement's start date is chosen when it starts (default today, back-dating allowed) and
anchors its follow-ups; a placement that ends says why, as a choice counted in the 実績."""

import datetime as dt

import pytest
from django.core import mail

from followups import emails
from followups.models import CheckIn
from matching import services
from matching.models import Consent, Placement
from matching.services import MatchingError
from outbox.models import Message

from .factories import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
LONG_GONE = "参加開始日を過去の日付で記録したため、この日はすでに過ぎていました。"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-11-20 12:00 +0900", tick=False)


@pytest.fixture
def consented(person, coordinator):
    """Consent given in June, so starts weeks back are possible (not before consent)."""
    services.consent_record(
        client=person, stage=Consent.Stage.CONSENTED, obtained_on=dt.date(2026, 6, 1),
        scope="参加", method=Consent.Method.INTERVIEW, by=coordinator,
    )  # fmt: skip
    return person


def accepted(person, activity, by, *, recorded_days_ago: int = 0) -> Placement:
    """An accepted placement, recorded ``recorded_days_ago`` days before today."""
    placement = services.placement_create(client=person, activity=activity, by=by)
    when = placement.created_at - dt.timedelta(days=recorded_days_ago)
    Placement.objects.filter(pk=placement.pk).update(created_at=when)
    placement.created_at = when
    return services.placement_accept(placement=placement, by=by)


def page(placement) -> str:
    return f"/admin/clients/placements/{placement.pk}/"


def followup_messages(placement) -> dict[tuple[int, str], Message]:
    """(offset, kind) → the placement's follow-up message."""
    offsets = {str(c.pk): c.offset_days for c in placement.checkins.all()}
    rows = Message.objects.filter(object_id__in=offsets, kind__startswith="followups.")
    return {(offsets[m.object_id], m.kind): m for m in rows}


# --- the start date --------------------------------------------------------------------------


def test_the_form_offers_today_as_the_start(client, consented, activity, coordinator):
    placement = accepted(consented, activity, coordinator)
    client.force_login(coordinator)
    text = client.get(page(placement)).content.decode()
    assert 'name="started_on"' in text and 'value="2026-11-20"' in text
    assert "開始日" in text


def test_a_past_start_is_stored_and_the_follow_ups_count_from_it(
    client, consented, activity, coordinator
):
    placement = accepted(consented, activity, coordinator, recorded_days_ago=10)
    client.force_login(coordinator)
    response = client.post(page(placement), {"status": "active", "started_on": "2026-11-13"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.status, placement.started_on) == ("active", dt.date(2026, 11, 13))
    due = dict(placement.checkins.values_list("offset_days", "due_on"))
    assert due == {
        0: dt.date(2026, 11, 13),
        14: dt.date(2026, 11, 27),
        42: dt.date(2026, 12, 25),
        91: dt.date(2027, 2, 12),
        182: dt.date(2027, 5, 14),
    }


def test_an_empty_start_means_today(client, consented, activity, coordinator):
    placement = accepted(consented, activity, coordinator)
    client.force_login(coordinator)
    client.post(page(placement), {"status": "active", "started_on": ""})
    placement.refresh_from_db()
    assert placement.started_on == TODAY
    assert placement.checkins.get(offset_days=14).due_on == dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("started_on", "error"),
    [
        ("2026-11-21", "開始日に未来の日付は指定できません。"),
        ("2026-05-31", "開始日は、本人の同意を得た日（2026年6月1日）より前にはできません。"),
        ("11月13日", "日付を正しく入力してください。"),
    ],
)
def test_a_start_in_the_future_or_before_consent_is_refused_and_nothing_changes(
    client, consented, activity, coordinator, started_on, error
):
    placement = accepted(consented, activity, coordinator, recorded_days_ago=10)
    client.force_login(coordinator)
    response = client.post(page(placement), {"status": "active", "started_on": started_on})
    assert response.status_code == 200
    assert error in response.content.decode()
    placement.refresh_from_db()
    assert (placement.status, placement.started_on) == ("accepted", None)
    assert not CheckIn.objects.exists()


def test_the_service_applies_the_same_rules_for_every_caller(consented, activity, coordinator):
    placement = accepted(consented, activity, coordinator, recorded_days_ago=3)
    for day in (TODAY + dt.timedelta(days=1), dt.date(2026, 5, 31)):  # future; before consent
        with pytest.raises(MatchingError):
            services.placement_activate(placement=placement, by=coordinator, started_on=day)
    placement.refresh_from_db()
    assert placement.status == "accepted"
    services.placement_activate(placement=placement, by=coordinator)  # the default: today
    placement.refresh_from_db()
    assert placement.started_on == TODAY


def test_check_ins_already_due_are_written_as_due_and_show_as_overdue(
    client, consented, activity, coordinator
):
    placement = accepted(consented, activity, coordinator, recorded_days_ago=60)
    start = TODAY - dt.timedelta(days=60)
    services.placement_activate(placement=placement, by=coordinator, started_on=start)
    pending = placement.checkins.filter(status=CheckIn.Status.PENDING)
    assert sorted(pending.values_list("offset_days", flat=True)) == [0, 14, 42, 91, 182]
    overdue = [c.offset_days for c in pending.order_by("offset_days") if c.is_overdue]
    assert overdue == [0, 14, 42]
    client.force_login(coordinator)
    home = client.get("/admin/").content.decode()
    assert consented.reference_code in home  # the dashboard's follow-ups panel lists them


def test_reminders_for_days_long_gone_are_not_sent_but_kept_visibly(
    consented, activity, coordinator, team_a, django_capture_on_commit_callbacks
):
    make_user("sup_a", team=team_a, role="supervisor")
    placement = accepted(consented, activity, coordinator, recorded_days_ago=60)
    with django_capture_on_commit_callbacks(execute=True):
        services.placement_activate(
            placement=placement, by=coordinator, started_on=TODAY - dt.timedelta(days=60)
        )
    assert mail.outbox == []
    rows = followup_messages(placement)
    for offset in (14, 42):  # due 46 and 18 days ago; the escalations 39 and 11 days ago
        for kind in emails.KINDS:
            row = rows[offset, kind]
            assert row.status == Message.Status.CANCELLED, (offset, kind)
            assert row.reason == LONG_GONE
    assert {rows[91, kind].status for kind in emails.KINDS} == {Message.Status.PENDING}


def test_a_reminder_due_lately_is_sent_now(
    consented, activity, coordinator, django_capture_on_commit_callbacks
):
    placement = accepted(consented, activity, coordinator, recorded_days_ago=16)
    with django_capture_on_commit_callbacks(execute=True):
        services.placement_activate(
            placement=placement, by=coordinator, started_on=TODAY - dt.timedelta(days=16)
        )
    # The two-week check-in fell due two days ago: the coordinator and the host are asked now;
    # the escalation waits for its own day.
    rows = followup_messages(placement)
    assert rows[14, emails.COORDINATOR].status == Message.Status.SENT
    assert rows[14, emails.HOST].status == Message.Status.SENT
    assert rows[14, emails.ESCALATION].status == Message.Status.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, activity.email])


# --- why it ended ----------------------------------------------------------------------------


@pytest.fixture
def active(consented, activity, coordinator) -> Placement:
    placement = accepted(consented, activity, coordinator)
    return services.placement_activate(placement=placement, by=coordinator)


@pytest.mark.parametrize("status", ["ended", "interrupted"])
def test_ending_without_a_reason_choice_is_refused_in_japanese(active, coordinator, status):
    with pytest.raises(MatchingError, match="終了の理由を選んでください。"):
        services.placement_close(placement=active, status=status, reason="通えなくなった",
                                 by=coordinator)  # fmt: skip
    with pytest.raises(MatchingError, match="終了の理由を選んでください。"):
        services.placement_close(placement=active, status=status, reason="通えなくなった",
                                 end_reason="bored", by=coordinator)  # fmt: skip
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("active", "")


def test_the_choice_and_the_words_are_both_kept(active, coordinator):
    services.placement_close(
        placement=active, status="interrupted", reason="入院のため", end_reason="health",
        by=coordinator,
    )  # fmt: skip
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("interrupted", Placement.EndReason.HEALTH)
    assert active.status_changes.last().reason == "入院のため"


def test_settling_needs_no_reason(active, coordinator):
    services.placement_close(
        placement=active, status="settled", reason="", end_reason="health", by=coordinator
    )
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("settled", "")


def test_the_admin_form_asks_why_and_refuses_without(client, active, coordinator):
    client.force_login(coordinator)
    form = client.get(page(active)).content.decode()
    assert 'name="end_reason"' in form and "体調・入院" in form
    assert 'name="started_on"' not in form  # started already
    response = client.post(page(active), {"status": "ended", "reason": "本人の希望"})
    assert response.status_code == 200
    assert "終了の理由を選んでください。" in response.content.decode()
    active.refresh_from_db()
    assert active.status == "active"
    client.post(page(active), {"status": "ended", "end_reason": "person_wish", "reason": "希望"})
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("ended", "person_wish")
    assert "本人の希望" in client.get(f"/admin/clients/{active.client_id}/").content.decode()


def test_the_follow_up_page_close_form_asks_why_too(client, active, coordinator):
    client.force_login(coordinator)
    url = f"/admin/followups/placements/{active.pk}/"
    client.post(url, {"status": "interrupted", "reason": "通えなくなった"})
    active.refresh_from_db()
    assert active.status == "active"
    client.post(url, {"status": "interrupted", "end_reason": "not_a_fit", "reason": "合わない"})
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("interrupted", "not_a_fit")


def test_a_consent_withdrawal_ends_placements_with_its_own_reason(active, coordinator):
    services.consent_withdraw(
        client=active.client, obtained_on=TODAY, by=coordinator, reason="本人から撤回の申し出"
    )
    active.refresh_from_db()
    assert (active.status, active.end_reason) == ("ended", Placement.EndReason.CONSENT)
