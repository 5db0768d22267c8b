"""Editors make events in the Wagtail admin: weekday tick-boxes, Japanese errors."""

import re

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage

from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


def _form(admin_client, url: str, **fields) -> dict:
    html = admin_client.get(url).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    for name, value in fields.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def test_a_monthly_event_made_in_the_admin(admin_client, calendar):
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", calendar.pk])
    assert 'name="weekdays" value="TU"' in admin_client.get(url).content.decode()
    data = _form(
        admin_client, url, title="健康教室", slug="kenko", start="2026-12-08 10:00",
        end="2026-12-08 11:30", frequency="monthly", weekdays=["TU"], weeks_of_month="2",
        repeat_count="6", **{"action-publish": "action-publish"},
    )  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    event = EventPage.objects.get(slug="kenko")
    assert event.live and event.rrule_text() == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=6"
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert re.search(r'name="weekdays" value="TU"[^>]* checked', edit)


def test_admin_shows_the_rule_errors_in_japanese(admin_client, calendar):
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", calendar.pk])
    data = _form(
        admin_client, url, title="健康教室", slug="kenko", start="2026-12-10 10:00",
        end="2026-12-10 09:00", frequency="monthly", weekdays=["TU"], weeks_of_month="2",
        repeat_count="6", repeat_until="2027-06-30", **{"action-publish": "action-publish"},
    )  # fmt: skip
    html = admin_client.post(url, data).content.decode()
    assert "終了は開始より後にしてください。" in html
    assert "どちらか一方だけ入力してください" in html
    assert not EventPage.objects.exists()


def test_saving_the_edit_form_unchanged_works_with_japanese_dates(admin_client, calendar):
    event = EventPageFactory(start=at("2026-12-08"), end=at("2026-12-08", "11:30"))
    url = reverse("wagtailadmin_pages:edit", args=[event.pk])
    data = _form(admin_client, url, **{"action-publish": "action-publish"})
    assert data["start"] == "2026年12月08日 10:00"
    assert admin_client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.start == at("2026-12-08") and event.sequence == 0
