"""Recording check-ins: the wellbeing scales, settling, stopping, and who may do it."""

import datetime as dt

import pytest
from django.urls import reverse

from followups import emails, services
from followups.models import CheckIn
from matching.models import ClientLogEntry, Placement
from outbox.models import Message

pytestmark = pytest.mark.django_db

SCORES = {"ucla_no_company": 3, "ucla_left_out": 2, "ucla_isolated": 4, "life_satisfaction": 6}


def page(placement) -> str:
    return reverse("followups_admin:placement", args=[placement.pk])


def record_url(checkin) -> str:
    return reverse("followups_admin:record", args=[checkin.pk])


def test_the_baseline_and_a_check_in_are_recorded_with_scores(placement, coordinator):
    baseline = placement.checkins.get(kind="baseline")
    services.checkin_record(checkin=baseline, by=coordinator, **SCORES)
    checkin = services.checkin_record(
        checkin=placement.checkins.get(offset_days=14), by=coordinator,
        attendance="continuing", ucla_no_company=1, ucla_left_out=1, ucla_isolated=2,
        life_satisfaction=8, notes="元気",
    )  # fmt: skip

    assert checkin.status == "done" and checkin.ucla_total == 4
    assert CheckIn.objects.get(pk=baseline.pk).ucla_total == 9
    # the coordinator's reminder and the escalation are no longer needed; the host's still is
    rows = Message.objects.filter(object_id=str(checkin.pk))
    assert dict(rows.values_list("kind", "status")) == {
        emails.COORDINATOR: "cancelled", emails.ESCALATION: "cancelled", emails.HOST: "pending",
    }  # fmt: skip
    assert ClientLogEntry.objects.filter(action="followups.checkin.record").count() == 2


def test_three_loneliness_answers_or_none(placement, coordinator):
    checkin = placement.checkins.get(offset_days=14)
    with pytest.raises(services.FollowUpError):
        services.checkin_record(
            checkin=checkin, by=coordinator, attendance="continuing", ucla_no_company=2
        )
    with pytest.raises(services.FollowUpError):
        services.checkin_record(checkin=checkin, by=coordinator, attendance="continuing",
                                life_satisfaction=11)  # fmt: skip
    checkin.refresh_from_db()
    assert checkin.status == "pending"


def test_the_last_follow_up_continuing_settles_the_placement(placement, coordinator):
    for checkin in placement.checkins.filter(kind="follow_up").order_by("offset_days"):
        placement.refresh_from_db()
        assert placement.status == Placement.Status.ACTIVE
        services.checkin_record(checkin=checkin, by=coordinator, attendance="continuing")

    placement.refresh_from_db()
    assert placement.status == Placement.Status.SETTLED
    assert placement.status_changes.last().to_status == "settled"


def test_the_last_follow_up_irregular_does_not_settle(placement, coordinator):
    for checkin in placement.checkins.filter(kind="follow_up").order_by("offset_days"):
        services.checkin_record(checkin=checkin, by=coordinator, attendance="irregular")
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE


def test_the_form_shows_the_cabinet_office_wording(client, placement, coordinator):
    client.force_login(coordinator)
    response = client.get(record_url(placement.checkins.get(offset_days=14)))

    text = response.content.decode()
    for words in (
        "あなたは、自分には人とのつきあいがないと感じることがありますか",
        "自分は取り残されていると感じることがありますか",
        "自分は他の人たちから孤立していると感じることがありますか",
        "決してない", "ほとんどない", "時々ある", "常にある",
        "現在の生活にどの程度満足していますか", "全く満足していない", "非常に満足している",
    ):  # fmt: skip
        assert words in text, words


def test_recording_through_the_admin_and_a_japanese_error(client, placement, coordinator):
    client.force_login(coordinator)
    checkin = placement.checkins.get(offset_days=14)

    bad = client.post(record_url(checkin), {"attendance": "continuing", "ucla_left_out": "2"})
    assert bad.status_code == 200
    assert "孤独感の3つの質問" in bad.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == "pending"

    good = client.post(
        record_url(checkin), {"attendance": "continuing", "ucla_no_company": "2",
                              "ucla_left_out": "2", "ucla_isolated": "1",
                              "life_satisfaction": "7", "notes": "畑で笑顔"},
    )  # fmt: skip
    assert good.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.ucla_total, checkin.life_satisfaction) == (5, 7)


def test_the_page_shows_scores_over_time_as_table_and_svg(client, placement, coordinator):
    services.checkin_record(checkin=placement.checkins.get(kind="baseline"), by=coordinator,
                            **SCORES)  # fmt: skip
    services.checkin_record(checkin=placement.checkins.get(offset_days=14), by=coordinator,
                            attendance="continuing", ucla_no_company=2, ucla_left_out=2,
                            ucla_isolated=2, life_satisfaction=8)  # fmt: skip
    client.force_login(coordinator)

    text = client.get(page(placement)).content.decode()

    assert "<svg" in text and 'role="img"' in text and "<polyline" in text
    assert "9 → 6" in text  # loneliness totals, in the SVG's accessible title
    assert "6 → 8" in text
    assert "<script" not in text.split('id="scores-heading"')[1].split("</section>")[0]


def test_stopped_prompts_closing_and_a_new_round_of_proposals(client, placement, coordinator):
    services.checkin_record(
        checkin=placement.checkins.get(offset_days=14), by=coordinator, attendance="stopped"
    )
    client.force_login(coordinator)
    text = client.get(page(placement)).content.decode()
    assert 'id="stopped-heading"' in text

    missing = client.post(page(placement), {"status": "interrupted", "reason": ""})
    assert missing.status_code == 200
    placement.refresh_from_db()
    assert placement.status == "active"

    client.post(
        page(placement),
        {"status": "interrupted", "end_reason": "health", "reason": "体調不良で通えない"},
    )
    placement.refresh_from_db()
    assert (placement.status, placement.end_reason) == ("interrupted", "health")
    text = client.get(page(placement)).content.decode()
    assert reverse("matching_client:propose", args=[placement.client_id]) in text
    assert set(placement.checkins.filter(kind="follow_up", offset_days__gt=14)
               .values_list("status", flat=True)) == {"cancelled"}  # fmt: skip


@pytest.mark.parametrize("who", ["other_coordinator", "editor"])
def test_others_cannot_see_or_record(request, client, placement, who):
    client.force_login(request.getfixturevalue(who))
    checkin = placement.checkins.get(offset_days=14)

    assert client.get(page(placement)).status_code == 404
    assert client.get(record_url(checkin)).status_code == 404
    posted = client.post(record_url(checkin), {"attendance": "stopped"})
    assert posted.status_code == 404
    move = reverse("followups_admin:reschedule", args=[checkin.pk])
    assert client.post(move, {"due_on": "2030-01-01"}).status_code == 404
    checkin.refresh_from_db()
    assert checkin.status == "pending" and checkin.due_on != dt.date(2030, 1, 1)


def test_anonymous_is_sent_to_the_login(client, placement):
    checkin = placement.checkins.get(offset_days=14)
    for url in (page(placement), record_url(checkin)):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.post(record_url(checkin), {"attendance": "stopped"})
    checkin.refresh_from_db()
    assert checkin.status == "pending"


def test_a_supervisor_of_another_team_sees_but_cannot_record(client, placement, supervisor):
    client.force_login(supervisor)
    checkin = placement.checkins.get(offset_days=14)

    assert client.get(page(placement)).status_code == 200
    assert record_url(checkin) not in client.get(page(placement)).content.decode()
    response = client.post(record_url(checkin), {"attendance": "stopped"})
    # Refused before the form: reading every client never grants a write (Wagtail turns the
    # 403 into a redirect to the dashboard with its message).
    assert response.status_code == 302 and response["Location"] == "/admin/"
    checkin.refresh_from_db()
    assert checkin.status == "pending"


def test_viewing_the_page_is_audited(client, placement, coordinator):
    client.force_login(coordinator)
    client.get(page(placement))
    entry = ClientLogEntry.objects.filter(action="matching.client.view").latest("timestamp")
    assert entry.data.get("page") == "followups"


def test_the_page_costs_the_same_queries_however_much_is_recorded(
    client, placement, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = page(placement)
    client.get(url)  # warm the session and per-process caches
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    services.checkin_record(checkin=placement.checkins.get(kind="baseline"), by=coordinator,
                            **SCORES)  # fmt: skip
    for checkin in placement.checkins.filter(kind="follow_up").order_by("offset_days")[:3]:
        services.checkin_record(checkin=checkin, by=coordinator, attendance="irregular", **SCORES)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
