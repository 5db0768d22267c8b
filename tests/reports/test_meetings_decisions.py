"""Recording a meeting's decision: what each decision does to the plan, the Japanese refusals
that change nothing, who may record, the decision page, and erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from matching.access import VIEW_ALL_PERMISSION
from matching.erasure import client_erase
from matching.models import ClientLogEntry, PlanDecision, SupportPlan
from matching.services import MatchingError
from reports.meetings import services
from reports.meetings.audit import DECISION
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, supervisor, …)
from tests.matching.factories import make_user

from .meetings_data import MEETING, build

pytestmark = pytest.mark.django_db

Status = SupportPlan.Status


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    return build(time_machine, coordinator, other_coordinator)


def _record(plan, by, decision, evaluation="評価の記録", **kwargs):
    values = {"meeting": "juso", "meeting_date": MEETING, **kwargs}
    return services.decision_record(
        plan=plan, decision=decision, evaluation=evaluation, by=by, **values
    )


def _fresh(plan) -> SupportPlan:
    return SupportPlan.objects.get(pk=plan.pk)


def _snapshot(plan) -> tuple:
    plan = _fresh(plan)
    return (
        plan.status, plan.meeting_date, plan.reviewed_on, plan.review_due, plan.review_note,
        plan.closed_on, plan.close_reason, PlanDecision.objects.filter(plan=plan).count(),
        ClientLogEntry.objects.filter(client_id=plan.client_id).count(),
    )  # fmt: skip


# --- each decision -------------------------------------------------------------------------


def test_approve_agrees_the_draft_at_the_meeting(cases, coordinator):
    plan = cases.plans["MTG-A1"]
    record = _record(plan, coordinator, "approve", evaluation="")
    plan = _fresh(plan)
    assert (plan.status, plan.meeting_date) == (Status.AGREED, MEETING)
    assert (record.meeting, record.meeting_date, record.decision) == ("juso", MEETING, "approve")
    assert record.recorded_by == coordinator
    entry = ClientLogEntry.objects.filter(client_id=plan.client_id, action=DECISION).get()
    assert entry.data == {
        "plan": str(plan.pk), "decision": "approve", "meeting": "juso",
        "meeting_date": "2026-06-10",
    }  # fmt: skip


def test_continue_reviews_the_plan_at_its_own_interval(cases, coordinator):
    plan = cases.plans["MTG-A3"]  # agreed 03-11, review due 06-10: a 91-day interval
    _record(plan, coordinator, "continue", evaluation="週1回通えている")
    plan = _fresh(plan)
    assert plan.status == Status.AGREED
    assert (plan.reviewed_on, plan.review_due) == (MEETING, dt.date(2026, 9, 9))
    assert plan.review_note == "週1回通えている"
    assert ClientLogEntry.objects.filter(
        client_id=plan.client_id, action="matching.plan.review"
    ).exists()


def test_continue_with_a_chosen_next_review(cases, coordinator):
    plan = cases.plans["MTG-A3"]
    _record(plan, coordinator, "continue", next_review=dt.date(2026, 12, 1))
    assert _fresh(plan).review_due == dt.date(2026, 12, 1)


def test_a_plan_without_a_review_date_continues_by_the_default_interval(cases, coordinator):
    plan = cases.plans["MTG-A1"]
    SupportPlan.objects.filter(pk=plan.pk).update(status=Status.AGREED)
    _record(plan, coordinator, "continue")
    assert _fresh(plan).review_due == MEETING + dt.timedelta(days=90)


@pytest.mark.parametrize(("decision", "status"), [("end", Status.ENDED),
                                                  ("interrupt", Status.INTERRUPTED)])  # fmt: skip
def test_end_and_interrupt_close_the_plan_with_the_evaluation(cases, coordinator, decision, status):
    plan = cases.plans["MTG-A3"]
    _record(plan, coordinator, decision, evaluation="目標を達成した")
    plan = _fresh(plan)
    assert (plan.status, plan.closed_on, plan.close_reason) == (status, MEETING, "目標を達成した")


def test_revise_leaves_the_plan_and_notes_the_decision(cases, coordinator):
    plan = cases.plans["MTG-A3"]
    before = _snapshot(plan)
    _record(plan, coordinator, "revise", evaluation="目標を見直す")
    after = _snapshot(plan)
    assert after[:7] == before[:7]
    assert after[7] == before[7] + 1
    assert PlanDecision.objects.get(plan=plan).evaluation == "目標を見直す"


def test_a_plan_ended_between_meetings_is_evaluated_without_moving(cases, coordinator):
    plan = cases.plans["MTG-A5"]  # interrupted by the coordinator on 05-30
    _record(plan, coordinator, "interrupt", evaluation="入院のため中断、退院後に再開を検討")
    plan = _fresh(plan)
    assert (plan.status, plan.closed_on, plan.close_reason) == (
        Status.INTERRUPTED, dt.date(2026, 5, 30), "入院のため",
    )  # fmt: skip
    assert PlanDecision.objects.filter(plan=plan, decision="interrupt").count() == 1


# --- refusals change nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kwargs", "message"),
    [
        ("MTG-A1", {"decision": "continue"}, "「下書き」のプランに「継続」は決定できません。"),
        ("MTG-A5", {"decision": "end"}, "「中断」のプランに「終了」は決定できません。"),
        ("MTG-A3", {"decision": "approve"}, "「合意済み」のプランに「承認」は決定できません。"),
        ("MTG-A3", {"decision": "end", "evaluation": "  "}, "会議での評価を記入してください。"),
        ("MTG-A3", {"decision": "maybe"}, "会議の決定を選んでください。"),
        ("MTG-A3", {"decision": "end", "meeting": "other"}, "会議を選んでください。"),
        (
            "MTG-A3",
            {"decision": "end", "meeting_date": dt.date(2026, 6, 21)},
            "会議を開いた日を入力してください（未来の日付は入力できません）。",
        ),
        (
            "MTG-A1",
            {"decision": "approve", "meeting_date": dt.date(2026, 5, 31)},
            "会議日がプランの作成日より前です。",
        ),
        (
            "MTG-A3",
            {"decision": "continue", "next_review": MEETING},
            "次回の見直し予定は会議日より後にしてください。",
        ),
    ],
)
def test_a_refused_decision_says_why_and_changes_nothing(cases, coordinator, code, kwargs, message):
    plan = cases.plans[code]
    before = _snapshot(plan)
    values = {"evaluation": "評価", **kwargs}
    with pytest.raises(MatchingError) as refused:
        _record(plan, coordinator, **values)
    assert str(refused.value) == message
    assert _snapshot(plan) == before


def test_a_failure_after_the_plan_moved_rolls_the_whole_decision_back(
    cases, coordinator, monkeypatch
):
    plan = cases.plans["MTG-A3"]
    before = _snapshot(plan)

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PlanDecision.objects, "create", fail)
    with pytest.raises(RuntimeError):
        _record(plan, coordinator, "end")
    assert _snapshot(plan) == before  # the plan_close inside was rolled back too


# --- who may record --------------------------------------------------------------------------


def _view_all_user():
    user = make_user("town_staff")
    app_label, codename = VIEW_ALL_PERMISSION.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


@pytest.mark.parametrize("who", ["other_coordinator", "supervisor", "view_all"])
def test_only_the_clients_team_may_record(cases, request, who):
    user = _view_all_user() if who == "view_all" else request.getfixturevalue(who)
    plan = cases.plans["MTG-A3"]
    before = _snapshot(plan)
    with pytest.raises(PermissionDenied):
        _record(plan, user, "end")
    assert _snapshot(plan) == before


# --- the decision page -------------------------------------------------------------------------


def _url(plan) -> str:
    return reverse("reports_meetings:decision", args=[plan.pk])


def test_the_decision_page_records_and_returns_to_the_pack(client, cases, coordinator):
    client.force_login(coordinator)
    plan = cases.plans["MTG-A3"]
    pack = f"{reverse('reports_meetings:juso')}?meeting_date=2026-06-10&teams={cases.team_a.pk}"
    page = client.get(_url(plan), {"meeting": "juso", "date": "2026-06-10", "next": pack})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'value="2026-06-10"' in html
    assert "2026年9月9日" in html  # the default next review, shown before choosing
    response = client.post(
        _url(plan),
        {"meeting": "juso", "meeting_date": "2026-06-10", "decision": "continue",
         "evaluation": "週1回通えている", "next_review": "", "next": pack},
    )  # fmt: skip
    assert (response.status_code, response["Location"]) == (302, pack)
    assert _fresh(plan).review_due == dt.date(2026, 9, 9)
    # The decision shows on the plan's page from now on, and on the pack.
    html = client.get(_url(plan)).content.decode()
    assert "継続" in html and "週1回通えている" in html
    assert "この会議での決定：継続 — 週1回通えている" in client.get(pack).content.decode()


def test_the_decision_page_shows_a_refusal_in_japanese(client, cases, coordinator):
    client.force_login(coordinator)
    plan = cases.plans["MTG-A3"]
    before = _snapshot(plan)
    response = client.post(
        _url(plan),
        {"meeting": "juso", "meeting_date": "2026-06-10", "decision": "end", "evaluation": ""},
    )
    assert response.status_code == 400
    assert "会議での評価を記入してください。" in response.content.decode()
    assert _snapshot(plan)[:8] == before[:8]


def test_an_offsite_next_is_not_followed(client, cases, coordinator):
    client.force_login(coordinator)
    plan = cases.plans["MTG-A3"]
    response = client.post(
        _url(plan),
        {"meeting": "juso", "meeting_date": "2026-06-10", "decision": "revise",
         "evaluation": "見直す", "next": "https://evil.example/"},
    )  # fmt: skip
    assert response["Location"] == _url(plan)


def test_a_reader_of_every_team_sees_the_page_without_the_form(client, cases, supervisor):
    client.force_login(supervisor)
    plan = cases.plans["MTG-A3"]
    html = client.get(_url(plan)).content.decode()
    assert "決定を記録できるのはご本人のチームの相談員とスーパーバイザーだけです" in html
    assert 'name="decision"' not in html
    before = _snapshot(plan)
    response = client.post(
        _url(plan),
        {"meeting": "juso", "meeting_date": "2026-06-10", "decision": "end", "evaluation": "x"},
    )
    assert response.status_code in (302, 403)
    assert _snapshot(plan)[:8] == before[:8]


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_team_and_editors_cannot_find_the_plan(
    client, cases, other_coordinator, editor, method
):
    plan = cases.plans["MTG-A3"]
    before = _snapshot(plan)
    data = {"meeting": "juso", "meeting_date": "2026-06-10", "decision": "end", "evaluation": "x"}
    client.force_login(other_coordinator)
    assert getattr(client, method)(_url(plan), data).status_code == 404
    client.force_login(editor)
    response = getattr(client, method)(_url(plan), data)
    assert response.status_code in (302, 404)
    assert "MTG-A3" not in response.content.decode()
    client.logout()
    response = getattr(client, method)(_url(plan), data)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert _snapshot(plan)[:8] == before[:8]


# --- erasure -----------------------------------------------------------------------------------


def test_erasure_blanks_the_meetings_evaluations(cases, coordinator):
    plan = cases.plans["MTG-A3"]
    _record(plan, coordinator, "revise", evaluation="本人の様子についての評価")
    client_erase(reference_code="MTG-A3", by=coordinator, force=True)
    decision = PlanDecision.objects.get(plan=plan)
    assert decision.evaluation == ""
    assert (decision.decision, decision.meeting_date) == ("revise", MEETING)
