"""The 支援会議 pack shows a case only through its whitelist: never a name, kana, notes, consent
notes, check-in notes or a host place's comment — in the HTML or in the PDF's text."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from matching.models import ClientLogEntry
from reports.meetings import selectors
from reports.meetings.audit import PACK_READ
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, editor, …)

from .meetings_data import CANARIES, MEETING, build

pytestmark = pytest.mark.django_db

SHIEN = reverse("reports_meetings:shien")
SHIEN_PDF = reverse("reports_meetings:shien_pdf")


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    return build(time_machine, coordinator, other_coordinator)


@pytest.fixture
def query(cases) -> dict:
    return {"meeting_date": MEETING.isoformat(), "teams": [cases.team_a.pk]}


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_only_cases_at_the_support_meeting_stage(cases, coordinator):
    pack = selectors.shien_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    (case,) = pack.cases
    assert case.case.reference_code == "MTG-A7"
    assert case.case.age_band == "70代"  # born 1950: 76 in 2026
    assert case.case.district == "和泊"
    assert case.case.fields == ("高齢",)
    assert case.goals == "MTG-A7の目標：見守りを続ける"
    assert case.support_details == "民生委員と地域包括が訪問を調整"
    assert (case.plan_status, str(case.review_due)) == ("下書き", "2026-07-01")


def test_the_case_structure_holds_the_whitelist_only():
    assert set(selectors.ShienCase.__dataclass_fields__) == {
        "case", "plan_id", "plan_status", "goals", "support_details", "review_due",
        "last_decision", "last_decision_on", "writable",
    }  # fmt: skip
    assert set(selectors.CaseProfile.__dataclass_fields__) == {
        "client_id", "reference_code", "team", "age_band", "district", "fields",
    }  # fmt: skip


def test_the_page_shows_none_of_the_forbidden_fields(client, cases, coordinator, query):
    client.force_login(coordinator)
    response = client.get(SHIEN, query)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "MTG-A7" in html and "民生委員と地域包括が訪問を調整" in html
    assert "社会福祉法第106条の6" in html
    for canary in CANARIES:
        assert canary not in html, canary
    for other in ("MTG-A1", "MTG-A3", "1950", "花の畑", "孤独感"):
        assert other not in html, other


def test_the_pdf_shows_none_of_the_forbidden_fields(client, cases, coordinator, query):
    client.force_login(coordinator)
    response = client.get(SHIEN_PDF, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    assert "MTG-A7" in text and "民生委員と地域包括が訪問を調整" in text
    for canary in CANARIES:
        assert canary not in text, canary
    for other in ("MTG-A1", "MTG-A3", "1950", "花の畑"):
        assert other not in text, other


def test_the_pack_is_logged_for_the_case_shown(client, cases, coordinator, query):
    client.force_login(coordinator)
    client.get(SHIEN, query)
    entries = ClientLogEntry.objects.filter(action=PACK_READ)
    assert [(e.label, e.data["meeting"]) for e in entries] == [("MTG-A7", "shien")]


def test_another_team_cannot_open_team_as_pack(client, cases, other_coordinator, query):
    client.force_login(other_coordinator)
    for url in (SHIEN, SHIEN_PDF):
        response = client.get(url, query)
        assert response.status_code == 400
        assert b"MTG-A7" not in response.content
    assert not ClientLogEntry.objects.filter(action=PACK_READ).exists()


def test_editor_and_anonymous_cannot_open_it(client, cases, editor, query):
    client.force_login(editor)
    assert client.get(SHIEN_PDF, query)["Location"] == "/admin/"
    client.logout()
    assert client.get(SHIEN_PDF, query)["Location"].startswith("/admin/login/")
    assert not ClientLogEntry.objects.filter(action=PACK_READ).exists()
