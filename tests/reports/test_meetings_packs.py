"""The 重層的支援会議 pack: which plan is in which section (the data set in meetings_data.py),
who may open it, what it logs, how many queries it takes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from matching import services
from matching.access import VIEW_ALL_PERMISSION
from matching.models import ClientLogEntry, SupportPlan
from reports.meetings import selectors
from reports.meetings.audit import PACK_READ
from reports.meetings.services import decision_record
from reports.meetings.views import css_string
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, editor, …)
from tests.matching.factories import ClientFactory, consent, make_user

from .meetings_data import MEETING, TODAY, build

pytestmark = pytest.mark.django_db

JUSO = reverse("reports_meetings:juso")
JUSO_PDF = reverse("reports_meetings:juso_pdf")


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    return build(time_machine, coordinator, other_coordinator)


def _codes(entries) -> list[str]:
    return [entry.case.reference_code for entry in entries]


def _query(cases, day: dt.date = MEETING, teams=None) -> dict:
    return {
        "meeting_date": day.isoformat(),
        "teams": [t.pk for t in (teams or [cases.team_a])],
    }


# --- the sections ------------------------------------------------------------------------------


def test_sections_for_the_meeting_of_10_june(cases, coordinator):
    pack = selectors.juso_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    # A1 draft; A2 reviewed 05-25 after the previous meeting (05-13).
    assert _codes(pack.to_decide) == ["MTG-A1", "MTG-A2"]
    # A3 review due 06-10 (= the meeting); A5 interrupted 05-30. Not: A4 (due 06-11), A6 (ended
    # 05-01, before 05-13), A7 (支援会議 only), A8 (no consent), A9 (withdrawn), A10 (written
    # after the meeting), B1 (team B).
    assert _codes(pack.to_evaluate) == ["MTG-A3", "MTG-A5"]
    assert [(p.team, p.meeting_date) for p in pack.previous] == [
        (cases.team_a.name, dt.date(2026, 5, 13))
    ]
    in_pack = ("MTG-A1", "MTG-A2", "MTG-A3", "MTG-A5")
    assert pack.client_ids == {cases.clients[code].pk for code in in_pack}


def test_the_day_after_the_review_date_is_due_too(cases, coordinator):
    pack = selectors.juso_pack(
        user=coordinator, meeting_date=dt.date(2026, 6, 11), teams=[cases.team_a]
    )
    assert "MTG-A4" in _codes(pack.to_evaluate)


def test_reasons_and_choices_follow_the_plan(cases, coordinator):
    pack = selectors.juso_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    a1, a2 = pack.to_decide
    a3, a5 = pack.to_evaluate
    assert a1.reasons == ("新しいプラン（下書き）：承認が必要",)
    assert [label for _code, label in a1.choices] == ["承認", "見直し", "中断"]
    assert a2.reasons == ("前回の会議の後に見直し",)
    assert a3.reasons == ("見直し時期",)
    assert [label for _code, label in a3.choices] == ["継続", "見直し", "終了", "中断"]
    assert a5.reasons == ("前回の会議の後に終了：評価が必要",)
    assert a5.status == "中断" and a5.closed_on == dt.date(2026, 5, 30)


def test_what_happened_to_a_plan_under_review(cases, coordinator):
    pack = selectors.juso_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    (placement,) = pack.to_evaluate[0].placements
    assert (placement.activity, placement.started_on) == ("花の畑", dt.date(2026, 3, 20))
    assert placement.status == "参加中"
    # Baseline and 14 days recorded; 42, 91 and 182 days planned (the default intervals).
    assert (placement.checkins_done, placement.checkins_planned) == (2, 5)
    scores = [(s.label, s.ucla_total, s.life_satisfaction) for s in placement.scores[:3]]
    assert scores == [
        ("参加開始時（ベースライン）", 10, 4),
        ("開始から14日後", 8, 6),
        ("開始から42日後", None, None),
    ]


def test_a_plan_without_a_previous_meeting_of_its_team(team_b, other_coordinator, time_machine):
    time_machine.move_to(TODAY, tick=False)
    person = ClientFactory(team=team_b, reference_code="MTG-B9")
    consent(person, other_coordinator)
    plan = services.plan_create(client=person, by=other_coordinator, goals="目標")
    plan_agreed = SupportPlan.objects.filter(pk=plan.pk)
    plan_agreed.update(status=SupportPlan.Status.AGREED)
    pack = selectors.juso_pack(user=other_coordinator, meeting_date=dt.date(2026, 6, 20),
                               teams=[team_b])  # fmt: skip
    assert _codes(pack.to_decide) == ["MTG-B9"]
    assert pack.to_decide[0].reasons == ("まだ会議で検討していない",)
    assert pack.previous[0].meeting_date is None


def test_decisions_show_on_the_next_pack(cases, coordinator):
    decision_record(
        plan=cases.plans["MTG-A1"], meeting="juso", meeting_date=MEETING, decision="approve",
        evaluation="", by=coordinator,
    )  # fmt: skip
    decision_record(
        plan=cases.plans["MTG-A3"], meeting="juso", meeting_date=MEETING, decision="continue",
        evaluation="週1回通えている", by=coordinator,
    )  # fmt: skip
    same = selectors.juso_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    # Decided plans stay where they were, with the decision instead of the blank form.
    assert _codes(same.to_decide) == ["MTG-A1", "MTG-A2"]
    assert _codes(same.to_evaluate) == ["MTG-A3", "MTG-A5"]
    assert same.to_decide[0].decided.decision == "承認"
    assert same.to_evaluate[0].decided.evaluation == "週1回通えている"

    later = selectors.juso_pack(
        user=coordinator, meeting_date=dt.date(2026, 7, 8), teams=[cases.team_a]
    )
    assert later.previous[0].meeting_date == MEETING
    # A1 approved and A3 continued (next review 2026-09-09: its own 91-day interval) at the
    # previous meeting, A2 was seen there too; new now: A10's draft (06-15), A4's review (06-11).
    assert _codes(later.to_decide) == ["MTG-A10"]
    assert _codes(later.to_evaluate) == ["MTG-A4"]
    a3 = selectors.juso_pack(
        user=coordinator, meeting_date=dt.date(2026, 9, 9), teams=[cases.team_a]
    ).to_evaluate
    assert "MTG-A3" in _codes(a3)
    entry = next(e for e in a3 if e.case.reference_code == "MTG-A3")
    assert [(h.meeting_date, h.decision, h.evaluation) for h in entry.history] == [
        (MEETING, "継続", "週1回通えている")
    ]


# --- the page ----------------------------------------------------------------------------------


def test_the_pack_page(client, cases, coordinator):
    client.force_login(coordinator)
    response = client.get(JUSO, _query(cases))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for text in ("取扱注意", "重層的支援会議 資料", "2026年6月10日", "MTG-A1", "MTG-A5",
                 "MTG-A3の目標：週に一度外出する", "□ 継続", "評価（会議で記入）",
                 "社会資源の充足状況"):  # fmt: skip
        assert text in html, text
    for absent in ("MTG-A4", "MTG-A6", "MTG-A7", "MTG-A8", "MTG-A9", "MTG-A10", "MTG-B1"):
        assert absent not in html
    record = reverse("reports_meetings:decision", args=[cases.plans["MTG-A1"].pk])
    assert f'href="{record}?meeting=juso&amp;date=2026-06-10&amp;next=' in html


def test_the_pack_logs_each_client_once(client, cases, coordinator):
    client.force_login(coordinator)
    client.get(JUSO, _query(cases))
    client.get(JUSO_PDF, _query(cases))
    entries = ClientLogEntry.objects.filter(action=PACK_READ).order_by("pk")
    expected = ["MTG-A1", "MTG-A2", "MTG-A3", "MTG-A5"]
    assert [e.label for e in entries] == expected * 2
    assert [e.data["format"] for e in entries] == ["html"] * 4 + ["pdf"] * 4
    assert {e.user_id for e in entries} == {coordinator.pk}


def test_the_pack_takes_the_same_queries_for_more_plans(
    client, cases, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    client.get(JUSO, _query(cases))  # warm the session and the content types
    # 9 for the pack itself, the rest the session, the user and the resource summary (H2's).
    with django_assert_max_num_queries(30) as before:
        client.get(JUSO, _query(cases))
    for number in range(10):
        person = ClientFactory(team=cases.team_a, reference_code=f"MTG-X{number}")
        consent(person, coordinator)
        services.plan_create(client=person, by=coordinator, goals="目標")
    SupportPlan.objects.filter(client__reference_code__startswith="MTG-X").update(
        created_at=cases.plans["MTG-A1"].created_at
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(JUSO, _query(cases))
    assert response.content.decode().count('class="plan"') == 14


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-02-30", "日付を正しく入力してください。"),  # Django's own
        ("1800-06-10", "正しい日付を入力してください。"),
    ],
)
def test_a_bad_date_or_no_team_gets_the_choice_page_with_why(
    client, cases, coordinator, day, error
):
    client.force_login(coordinator)
    response = client.get(JUSO, {"meeting_date": day, "teams": []})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert "チームを1つ以上選んでください。" in html
    assert "MTG-A1" not in html
    assert not ClientLogEntry.objects.filter(action=PACK_READ).exists()


def test_with_no_query_the_pack_leads_to_the_choice_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get(JUSO)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports_meetings:index")


# --- who may not -------------------------------------------------------------------------------


def test_another_teams_coordinator_cannot_choose_team_a(client, cases, other_coordinator):
    client.force_login(other_coordinator)
    response = client.get(JUSO, _query(cases))
    assert response.status_code == 400
    html = response.content.decode()
    assert "ご自分のチームの中から選んでください。" in html
    assert "MTG-A1" not in html
    response = client.get(JUSO_PDF, _query(cases))
    assert response.status_code == 400
    assert not ClientLogEntry.objects.filter(action=PACK_READ).exists()


def test_the_choice_offers_only_the_users_teams(client, cases, other_coordinator):
    client.force_login(other_coordinator)
    html = client.get(reverse("reports_meetings:index")).content.decode()
    assert cases.team_b.name in html
    assert cases.team_a.name not in html


@pytest.mark.parametrize("url", [JUSO, JUSO_PDF, reverse("reports_meetings:index")])
def test_a_group_editor_is_turned_away(client, cases, editor, url):
    client.force_login(editor)
    response = client.get(url, _query(cases))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not ClientLogEntry.objects.filter(action=PACK_READ).exists()


@pytest.mark.parametrize("url", [JUSO, JUSO_PDF, reverse("reports_meetings:index")])
def test_anonymous_is_sent_to_the_login(client, cases, url):
    response = client.get(url, _query(cases))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_reader_of_every_team_reads_but_gets_no_record_links(client, cases, supervisor):
    client.force_login(supervisor)
    response = client.get(JUSO, _query(cases))
    assert response.status_code == 200
    html = response.content.decode()
    assert "MTG-A1" in html
    assert "の決定を記録" not in html


def test_view_all_permission_reads_without_record_links(client, cases):
    from django.contrib.auth.models import Permission

    reader = make_user("town_staff")
    app_label, codename = VIEW_ALL_PERMISSION.split(".")
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    client.force_login(reader)
    html = client.get(JUSO, _query(cases)).content.decode()
    assert "MTG-A3" in html
    assert "の決定を記録" not in html


def test_the_menu_item_is_for_client_readers_only(client, cases, coordinator, editor):
    index = reverse("reports_meetings:index")
    client.force_login(editor)
    assert index not in client.get("/admin/").content.decode()
    client.force_login(coordinator)
    assert index in client.get("/admin/").content.decode()


def test_the_running_header_cannot_break_out_of_its_css_string():
    quoted = css_string('会議" } body { display: none } </style><script>')
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert not set(inner) & set('"<>')
    assert "\\22 " in inner and "\\3c " in inner
