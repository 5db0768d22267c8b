"""The 実績 report page, its exports and its print version: who may, what they get, bad input.

Figures are those of tests/reports/results_town.py (hand-computed in test_results_figures.py).
"""

import csv
import io

import openpyxl
import pytest
import time_machine
from django.test import RequestFactory

from reports.cells import SUPPRESSED
from reports.results.hooks import ResultsMenuItem

from .results_town import HOSTILE_NAME, NOW, executed_queries, town_for_module

URL = "/admin/reports/results/"
PRINT_URL = "/admin/reports/results/print/"
FY2026 = {"year": "2026"}
S = SUPPRESSED
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with town_for_module(django_db_blocker) as town:
        yield town


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def funnel(results):
    f = results.total.funnel
    return [f.referred, f.consented, f.planned, f.proposed, f.placed]


def test_the_coordinator_sees_exact_figures_of_their_team(client, town):
    client.force_login(town.coordinator)
    with executed_queries() as queries:
        response = client.get(URL, {**FY2026, "breakdown": "area"})
    # 15 for the figures, the rest for the session, the user, 2FA and the admin's menus
    assert 15 <= len(queries) <= 40
    assert response.status_code == 200
    assert funnel(response.context["results"]) == [3, 2, 2, 3, 3]
    html = response.content.decode()
    assert "2026年度" in html
    assert 'role="img"' in html
    # exact: the total row of the funnel table, small numbers included
    assert '<th scope="row">合計</th><td>3</td><td>2</td><td>2</td><td>3</td><td>3</td>' in html


def test_another_teams_coordinator_does_not_count_team_a(client, town):
    client.force_login(town.other_coordinator)
    response = client.get(URL, FY2026)
    assert funnel(response.context["results"]) == [1, 1, 1, 1, 1]


@pytest.mark.parametrize("path", [URL, URL + "?export=csv", URL + "?export=xlsx", PRINT_URL])
def test_a_community_groups_editor_is_refused(client, town, path):
    client.force_login(town.editor)
    response = client.get(path)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages and "アクセス権がありません" in messages[-1]


@pytest.mark.parametrize("path", [URL, URL + "?export=csv", PRINT_URL])
def test_anonymous_users_are_sent_to_the_login(client, town, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_menu_item_is_for_those_who_see_clients(town):
    item = ResultsMenuItem("実績", URL)
    request = RequestFactory().get("/admin/")
    request.user = town.coordinator
    assert item.is_shown(request)
    request.user = town.editor
    assert not item.is_shown(request)


def test_xlsx_export_is_suppressed_and_formula_safe(client, town):
    client.force_login(town.coordinator)
    response = client.get(URL, {**FY2026, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="results-2026.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["funnel"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["実績", None, None, None, None, None]
    assert rows[1][0] == "2026年度"
    assert "「*」" in rows[2][0]
    # exact 3, 2, 2, 3, 3: the two 2s are hidden
    assert rows[-1] == ["合計", 3, S, S, 3, 3]
    hours = workbook["hours"]
    name = next(cell for row in hours.iter_rows() for cell in row if cell.value == HOSTILE_NAME)
    assert name.data_type == "s"  # text, not a formula


def test_csv_export_is_suppressed_and_formula_safe(client, town):
    client.force_login(town.coordinator)
    response = client.get(URL, {**FY2026, "month": "5", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="results-2026-05.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["実績"]
    assert rows[1] == ["2026年度 2026年5月"]
    # May 2026: P1 and P2 sent (C1) → proposed 1, hidden; L1 started (C1) → placed 1, hidden
    funnel_at = rows.index(["対象者：受付から参加まで"])
    total = next(row for row in rows[funnel_at:] if row and row[0] == "合計")
    assert total == ["合計", "0", "0", "0", S, S]
    assert ["'" + HOSTILE_NAME] == [cell for row in rows for cell in row if HOSTILE_NAME in cell]


@pytest.mark.parametrize(
    "query",
    [{"year": "abc"}, {"year": "1999"}, {"year": "2026", "month": "13"}, {"breakdown": "x"},
     {"field": "notes"}, {"area": "999999"}],
)  # fmt: skip
def test_bad_choices_get_a_japanese_error_and_no_figures(client, town, query):
    client.force_login(town.coordinator)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert "results" not in response.context
    assert "正しく選択してください" in response.content.decode()


def test_another_teams_id_is_refused_like_any_unknown_team(client, town):
    client.force_login(town.coordinator)
    response = client.get(URL, {**FY2026, "team": str(town.team_b.pk), "export": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # no file
    assert "正しく選択してください" in response.content.decode()


def test_the_print_version_is_suppressed_a4_with_charts(client, town):
    client.force_login(town.coordinator)
    response = client.get(PRINT_URL, FY2026)
    assert response.status_code == 200
    html = response.content.decode()
    assert "size: A4" in html
    assert html.count('role="img"') == 5  # funnel, retention, two scores, district map
    assert '<th scope="row">合計</th><td>3</td><td>*</td><td>*</td><td>3</td><td>3</td>' in html
    assert "wagtail" not in html.lower()  # no admin around it


def test_the_print_version_refuses_bad_input(client, town):
    client.force_login(town.coordinator)
    response = client.get(PRINT_URL, {"year": "abc"})
    assert response.status_code == 400
    assert "正しく選択してください" in response.content.decode()
