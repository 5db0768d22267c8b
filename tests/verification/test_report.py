"""The staff report of stale listings: filters, CSV/XLSX export, and staff only."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from outbox.models import Message
from resources.models import ActivityPage
from tests.resources.factories import AreaFactory
from verification import emails
from verification.models import VerificationReminder
from verification.reports import reminder_state

from .conftest import STALE_CUTOFF, TODAY
from .factories import activity, operator, place

pytestmark = pytest.mark.django_db

URL = "/admin/reports/stale-listings/"


def _user(django_user_model, name: str, group: str | None = None, **flags):
    user = django_user_model.objects.create_user(name, f"{name}@example.jp", "pw", **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def listings(now):
    salon = operator("salon@example.jp", name="手々知名サロン会")
    stale = place(STALE_CUTOFF, salon, title="古い公民館", area=AreaFactory(name="手々知名"))
    sent = Message.objects.create(kind=emails.KIND, status=Message.Status.SENT, sent_at=now)
    VerificationReminder.objects.create(
        page=stale, cycle=STALE_CUTOFF, route="operator", message=sent
    )
    other = activity(STALE_CUTOFF, operator("npo@example.jp", name="NPOゆい"), title="古い活動")
    fresh = place(TODAY, salon, title="新しい公民館")
    return stale, other, fresh


def test_the_url_is_registered_in_the_admin():
    assert reverse("verification_stale_listings") == URL


def test_staff_see_stale_listings_only(client, django_user_model, listings):
    client.force_login(_user(django_user_model, "staff", "Moderators"))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "古い可能性がある掲載情報" in html
    assert "古い公民館" in html and "古い活動" in html
    assert "新しい公民館" not in html
    assert "運営団体に送信済み" in html and "未送信" in html


def test_filters_narrow_the_report(client, django_user_model, listings):
    stale, other, _ = listings
    client.force_login(_user(django_user_model, "admin", is_superuser=True, is_staff=True))
    html = client.get(URL, {"organization": other.organization_id}).content.decode()
    assert "古い活動" in html and "古い公民館" not in html
    html = client.get(URL, {"area": stale.area_id}).content.decode()
    assert "古い公民館" in html and "古い活動" not in html
    activities = ContentType.objects.get_for_model(ActivityPage)
    html = client.get(URL, {"content_type": activities.pk}).content.decode()
    assert "古い活動" in html and "古い公民館" not in html


def test_the_report_exports_csv_and_xlsx(client, django_user_model, listings):
    client.force_login(_user(django_user_model, "admin", is_superuser=True, is_staff=True))
    response = client.get(URL, {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["タイトル", "種類", "運営団体", "地区", "最終確認日"]
    titles = sorted(row[0] for row in rows[1:])
    assert titles == ["古い公民館", "古い活動"]
    assert {row[1] for row in rows[1:]} == {"居場所", "活動"}
    xlsx = client.get(URL, {"export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_community_editors_are_refused(client, django_user_model, listings):
    editor = _user(django_user_model, "editor", "Editors")
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200  # they do use the admin
    # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        response = client.get(URL, params)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages and "アクセス権がありません" in messages[-1]
    assert "stale-listings" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, listings):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_see_the_report_in_the_reports_menu(client, django_user_model):
    client.force_login(_user(django_user_model, "staff", "Moderators"))
    assert URL in client.get("/admin/").content.decode()


def test_administrators_can_grant_the_report_to_a_group(client, django_user_model):
    client.force_login(_user(django_user_model, "admin", is_superuser=True, is_staff=True))
    moderators = Group.objects.get(name="Moderators")
    html = client.get(f"/admin/groups/edit/{moderators.pk}/").content.decode()
    assert "古い可能性がある掲載情報のレポートを見る" in html
    assert moderators.permissions.filter(codename="view_stale_report").exists()
    assert (
        not Group.objects.get(name="Editors")
        .permissions.filter(codename="view_stale_report")
        .exists()
    )


@pytest.mark.parametrize(
    ("route", "status", "label"),
    [
        (None, None, "未送信"),
        ("none", None, "送信先なし（レポートのみ）"),
        ("operator", "pending", "送信待ち"),
        ("operator", "sending", "送信待ち"),
        ("operator", "sent", "運営団体に送信済み"),
        ("operator", None, "運営団体に送信済み"),  # sent before the outbox
        ("town", "sent", "役場に送信済み"),
        ("call", "to_call", "運営団体に電話が必要"),
        ("call", "called", "運営団体に電話済み"),
        ("operator", "failed", "FAILED"),
        ("town", "expired", "EXPIRED"),
        ("operator", "cancelled", "CANCELLED"),
    ],
)
def test_the_reminder_column_reads_the_outbox(route, status, label):
    with translation.override("ja"):
        if label.isupper():
            label = str(Message.Status[label].label)
        assert str(reminder_state(route, status)) == label
