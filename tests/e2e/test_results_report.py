"""The 実績 report in Chromium: the admin page and its A4 print version pass axe (screen and
print media), the charts are images with names, and the print version prints to A4 pages.

Screenshots are written to the test's ``tmp_path`` for a person to look at.
"""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from pypdf import PdfReader

from tests.e2e.admin_login import admin_log_in
from tests.matching.conftest import *  # noqa: F403 (team_a, team_b, coordinator)
from tests.matching.factories import PASSWORD
from tests.reports.results_town import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
A4_POINTS = (595, 842)


def _assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_the_report_and_its_print_version(team_a, team_b, coordinator, page, live_server, tmp_path):
    build(team_a, team_b, coordinator)
    try:
        _flow(page, live_server.url, tmp_path)
    finally:
        connection.close()  # the ORM connection Playwright's loop made (see test_staff_2fa)


def _flow(page, base: str, shots) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    admin_log_in(page, base, "coord_a", PASSWORD)
    page.goto(base + "/admin/reports/results/?year=2026&breakdown=area")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "実績"
    charts = page.get_by_role("img", name="対象者：受付から参加まで")
    assert charts.count() == 1
    _assert_accessible(page)
    page.screenshot(path=shots / "results-screen.png", full_page=True)

    page.get_by_role("link", name="印刷用（A4）").click()
    page.wait_for_url("**/reports/results/print/?**")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("img").count() == 5
    _assert_accessible(page)
    page.emulate_media(media="print")
    _assert_accessible(page)
    page.screenshot(path=shots / "results-print.png", full_page=True)
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) >= 2
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    text = "".join(printed.pages[0].extract_text().split())
    assert "実績" in text and "「*」" in text
