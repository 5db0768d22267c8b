"""The 推進会議 pack: the fiscal year's 実績 and the resource summary, aggregates only (small
cells suppressed by those parts), as a print page and a PDF."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from matching.models import ClientLogEntry
from reports.meetings import selectors
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, editor, …)

from .meetings_data import TODAY, build

pytestmark = pytest.mark.django_db

ANNUAL = reverse("reports_meetings:annual")
ANNUAL_PDF = reverse("reports_meetings:annual_pdf")


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    return build(time_machine, coordinator, other_coordinator)


def test_the_annual_pack_page(client, cases, coordinator):
    client.force_login(coordinator)
    logged = ClientLogEntry.objects.count()
    response = client.get(ANNUAL, {"fiscal_year": "2025"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for text in ("重層的支援推進会議 資料", "2025年度（2025年4月〜2026年3月）", "1. 実績",
                 "2. 社会資源の充足状況", 'class="results-summary"',
                 'class="sufficiency-summary"'):  # fmt: skip
        assert text in html, text
    for code in ("MTG-A1", "MTG-A3", "MTG-A7"):
        assert code not in html
    # One placement started in FY2025 (A3, 2026-03-20): the pack leaves the team, so it is "*".
    assert re.search(r"<th[^>]*>参加開始</th>\s*<td[^>]*>\*</td>", html)
    assert ClientLogEntry.objects.count() == logged  # aggregates: nobody's record was read


def test_the_annual_pdf(client, cases, coordinator):
    client.force_login(coordinator)
    response = client.get(ANNUAL_PDF, {"fiscal_year": "2025"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="suishin-2025.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "重層的支援推進会議 資料" in text
    assert "1. 実績" in text and "2. 社会資源の充足状況" in text
    assert "取扱注意" in text
    assert "MTG-A3" not in text
    assert re.search(r"参加開始\s*\*", text)


def test_a_part_not_built_yet_is_named_as_missing(client, cases, coordinator, monkeypatch):
    monkeypatch.setattr(selectors, "optional_part", lambda module, function: None)
    client.force_login(coordinator)
    html = client.get(ANNUAL, {"fiscal_year": "2025"}).content.decode()
    assert "実績の集計は、まだ利用できません。" in html
    assert "社会資源の充足状況の集計は、まだ利用できません。" in html
    text = PdfReader(io.BytesIO(client.get(ANNUAL_PDF, {"fiscal_year": "2025"}).content))
    assert "実績の集計は、まだ利用できません。" in "".join(p.extract_text() for p in text.pages)


def test_a_year_not_offered_is_refused(client, coordinator, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(coordinator)
    response = client.get(ANNUAL, {"fiscal_year": "1999"})
    assert response.status_code == 400
    assert "正しく選択してください" in response.content.decode()


@pytest.mark.parametrize("url", [ANNUAL, ANNUAL_PDF])
def test_editor_and_anonymous_are_refused(client, editor, url):
    client.force_login(editor)
    assert client.get(url, {"fiscal_year": "2025"})["Location"] == "/admin/"
    client.logout()
    assert client.get(url, {"fiscal_year": "2025"})["Location"].startswith("/admin/login/")
