"""Supervisors export the client audit log for a period as XLSX; nobody else can."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from matching import audit_export
from matching.models import Client, ClientLogEntry

pytestmark = pytest.mark.django_db

URL = "/admin/client-audit-log/"
TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-20"}


def entry(person, when: dt.datetime, action="matching.client.view", user=None, **data):
    return ClientLogEntry.objects.create(
        client_id=person.pk,
        content_type=ContentType.objects.get_for_model(Client),
        label=person.reference_code,
        action=action,
        timestamp=when,
        user=user,
        data=data,
    )


@pytest.fixture
def logged(person, coordinator):
    """Entries at the edges of 1–20 November 2026, Tokyo time."""
    return {
        "before": entry(person, dt.datetime(2026, 10, 31, 23, 59, tzinfo=TOKYO), user=coordinator),
        "first": entry(person, dt.datetime(2026, 11, 1, 0, 0, tzinfo=TOKYO), user=coordinator),
        "last": entry(
            person,
            dt.datetime(2026, 11, 20, 23, 30, tzinfo=TOKYO),
            action="matching.consent.record",
            note='=HYPERLINK("http://example.com")',
        ),
        "after": entry(person, dt.datetime(2026, 11, 21, 0, 0, tzinfo=TOKYO), user=coordinator),
    }


def exports() -> int:
    return ClientLogEntry.objects.filter(action="matching.log.export").count()


def rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_a_supervisor_exports_the_period_in_tokyo_time(client, supervisor, person, logged):
    client.force_login(supervisor)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    header, *body = rows(response)
    assert header == ("日時", "ユーザー", "操作", "整理番号", "詳細")
    assert body == [
        (
            dt.datetime(2026, 11, 1, 0, 0),
            "coord_a",
            "対象者の記録を閲覧",
            person.reference_code,
            None,  # no details: an empty cell
        ),
        (
            dt.datetime(2026, 11, 20, 23, 30),
            "system",
            "本人同意を記録",
            person.reference_code,
            'note==HYPERLINK("http://example.com")',
        ),
    ]
    assert "attachment" in response["Content-Disposition"]


def test_text_cells_are_never_formulas(client, supervisor, logged):
    client.force_login(supervisor)
    sheet = load_workbook(io.BytesIO(client.get(URL, PERIOD).content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_export_is_itself_logged(client, supervisor, person, logged):
    client.force_login(supervisor)
    client.get(URL, PERIOD)
    (logged_export,) = ClientLogEntry.objects.filter(action="matching.log.export")
    assert (logged_export.client_id, logged_export.user) == (person.pk, supervisor)
    assert logged_export.data == {"date_from": "2026-11-01", "date_to": "2026-11-20"}


def test_a_superuser_may_export_with_the_date_pickers_format(client, person, logged):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "x")
    client.force_login(admin)
    response = client.get(URL, {"date_from": "2026年11月01日", "date_to": "2026年11月20日"})
    assert response.status_code == 200
    assert len(rows(response)) == 3


def test_the_form_is_shown_without_dates(client, supervisor):
    client.force_login(supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    assert "開始日" in response.content.decode()
    assert exports() == 0


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator", "editor"])
def test_others_get_no_file(client, request, who, logged):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL, PERIOD)
    # Wagtail answers an admin PermissionDenied with a redirect to the dashboard and a message.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert exports() == 0


def test_anonymous_is_sent_to_the_login(client, logged):
    response = client.get(URL, PERIOD)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert exports() == 0


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"date_from": "2026-11-20", "date_to": "2026-11-01"}, "終了日は開始日以降にしてください"),
        ({"date_from": "2025-01-01", "date_to": "2026-11-01"}, "366 日まで"),
        ({"date_from": "2026-13-01", "date_to": "2026-11-01"}, "日付を正しく入力してください"),
        ({"date_from": "", "date_to": "2026-11-01"}, "この項目は必須です"),
    ],
)
def test_a_bad_period_gets_a_japanese_error_and_no_file(
    client, supervisor, logged, period, message
):
    client.force_login(supervisor)
    response = client.get(URL, period)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert exports() == 0


def test_too_many_rows_are_refused(client, supervisor, logged, monkeypatch):
    monkeypatch.setattr(audit_export, "MAX_ROWS", 1)
    client.force_login(supervisor)
    response = client.get(URL, PERIOD)
    assert response.status_code == 400
    assert "上限の 1 件を超えています" in response.content.decode()
    assert exports() == 0
