"""A refused save or submission says in Japanese that nothing was sent and what to do."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage

pytestmark = pytest.mark.django_db


def test_a_submission_with_a_missing_field_lists_it_and_says_what_to_do(client, groups):
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", section.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update({"title": "", "slug": "asa", "action-submit": "action-submit"})

    response = client.post(url, data)

    assert response.status_code == 200
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "ページを作成できませんでした" in message and "validation" not in message
    assert "まだ保存も提出もされていません" in message
    assert "同じボタンをもう一度押してください" in message
    assert "<li>" in message  # each field's error is listed, whichever tab it is on
    assert not EventPage.objects.filter(slug="asa").exists()


def test_a_valid_submission_gets_no_such_message(client, groups):
    client.force_login(groups.editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[groups.event_a.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data["action-submit"] = "action-submit"

    response = client.post(url, data, follow=True)

    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "まだ保存も提出もされていません" not in message
