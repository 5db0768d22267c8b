"""The 重層的支援会議 pack in Chromium: chosen from the admin, checked with axe on screen and with
print media emulated, printed to PDF by the browser (A4 pages with the running header,
「取扱注意」 and page numbers), and a decision recorded from it.

The screenshots (screen and print) are written to the test's ``tmp_path`` for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from pypdf import PdfReader

from matching.models import PlanDecision
from tests.e2e.admin_login import admin_log_in
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, …)
from tests.matching.factories import PASSWORD
from tests.reports.meetings_data import MEETING, build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    """The fixed data set, written at its dates; then the clock runs on from the real now."""
    now = dt.datetime.now(dt.UTC)
    made = build(time_machine, coordinator, other_coordinator)
    time_machine.move_to(now, tick=True)
    return made


def test_the_pack_on_screen_in_print_and_a_decision(cases, page, live_server, tmp_path):
    try:
        _flow(cases, page, live_server.url, tmp_path)
    finally:
        connection.close()  # the ORM connection Playwright's loop made (see test_staff_2fa)


def _flow(cases, page, base: str, shots) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    admin_log_in(page, base, "coord_a", PASSWORD)
    page.goto(base + "/admin/reports/meetings/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "会議資料"
    _assert_accessible(page)

    juso = page.locator("section", has=page.get_by_role("heading", name="重層的支援会議"))
    juso.get_by_label("会議日").fill(MEETING.isoformat())
    juso.get_by_label(cases.team_a.name).check()
    juso.get_by_role("button", name="印刷用に表示").click()
    page.wait_for_url("**/reports/meetings/juso/?**")

    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "重層的支援会議 資料"
    sections = page.get_by_role("heading", level=2).all_inner_texts()
    assert sections == ["1. 決定するプラン", "2. 評価するプラン", "3. 社会資源の充足状況"]
    plans = page.get_by_role("heading", level=3).all_inner_texts()
    assert [p for p in plans if p.startswith("MTG-")] == [
        f"MTG-{code}（{cases.team_a.name}）" for code in ("A1", "A2", "A3", "A5")
    ]
    _assert_accessible(page)
    page.screenshot(path=shots / "pack-screen.png", full_page=True)

    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="MTG-A3の決定を記録").is_visible()
    _assert_accessible(page)
    page.screenshot(path=shots / "pack-print.png", full_page=True)
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    # The browser's PDF puts spaces between runs of text: compare without them.
    texts = ["".join(p.extract_text().split()) for p in printed.pages]
    assert len(texts) >= 4  # the cover and each section on a page of its own
    width, height = (
        float(printed.pages[0].mediabox.width),
        float(printed.pages[0].mediabox.height),
    )
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    for number, text in enumerate(texts, start=1):
        assert "取扱注意" in text and "2026年6月10日" in text
        assert f"{number}/{len(texts)}" in text
    page.emulate_media(media="screen")

    page.get_by_role("link", name="MTG-A3の決定を記録").click()
    page.wait_for_url("**/reports/meetings/plans/**")
    assert page.get_by_label("会議日").input_value() == MEETING.isoformat()
    _assert_accessible(page)
    page.get_by_label("継続", exact=True).check()
    page.get_by_label("評価").fill("週1回通えている。来月から2回に")
    page.get_by_role("button", name="決定を記録する").click()
    page.wait_for_url("**/reports/meetings/juso/?**")
    assert page.get_by_text("この会議での決定：継続 — 週1回通えている。来月から2回に").is_visible()
    assert page.get_by_role("status").inner_text() == "MTG-A3について「継続」を記録しました。"
    decision = PlanDecision.objects.get(plan=cases.plans["MTG-A3"])
    assert (decision.decision, decision.meeting_date) == ("continue", MEETING)
