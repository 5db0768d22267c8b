"""Submit → approve (town staff) → live; reject → stays a draft; staff publish directly."""

from urllib.parse import unquote

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage
from outbox.models import Message
from tests.resources.factories import AreaFactory

pytestmark = pytest.mark.django_db


def _submit_new_event(client, groups, title: str = "新しい催し") -> EventPage:
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", section.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(
        {"title": title, "when_repeat": "once", "when_date": "2030-02-01",
         "when_opens": "10:00", "when_closes": "11:00", "venue_name": "公民館",
         "area": AreaFactory().pk, "for_everyone": "on", "action-submit": "action-submit"}
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    return EventPage.objects.get(title=title)


def _task_state(event: EventPage):
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(event.pk))
    return state.current_task_state


def test_submitting_starts_the_town_workflow_and_emails_staff(
    client, groups, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # Wagtail's notice is an outbox row
        event = _submit_new_event(client, groups)
    assert not event.live
    state = WorkflowState.objects.get(object_id=str(event.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "町の承認"
    recipients = {address for message in mail.outbox for address in message.to}
    assert groups.staff.email in recipients
    assert groups.editor_b.email not in recipients
    assert any("新しい催し" in message.subject for message in mail.outbox)
    notices = Message.objects.filter(kind="outbox.stored")
    assert notices and all(n.status == Message.Status.SENT for n in notices)
    assert all(n.payload is None for n in notices)  # content not kept once sent


def test_staff_approve_and_the_event_goes_live_on_the_calendar(client, groups):
    event = _submit_new_event(client, groups)
    task_state = _task_state(event)
    client.force_login(groups.staff)
    url = reverse("wagtailadmin_pages:workflow_action", args=[event.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code in {200, 302}
    event.refresh_from_db()
    assert event.live and event.organization == groups.org_a
    calendar = event.get_parent().get_parent()
    client.logout()
    month = client.get(calendar.url + "month/2030/2/").content.decode()
    # The slug is made from the Japanese title (editors do not see it); links may encode it.
    assert "新しい催し" in month and unquote(event.url) in unquote(month)
    assert client.get(event.url).status_code == 200
    assert "新しい催し" in client.get(reverse("events:ical-all")).content.decode()


def test_an_editor_cannot_approve_their_own_submission(client, groups):
    event = _submit_new_event(client, groups)
    task_state = _task_state(event)
    url = reverse("wagtailadmin_pages:workflow_action", args=[event.pk, "approve", task_state.pk])
    client.post(url, {"comment": ""})
    event.refresh_from_db()
    assert not event.live


def test_staff_reject_and_the_event_stays_a_draft(client, groups):
    event = _submit_new_event(client, groups)
    task_state = _task_state(event)
    client.force_login(groups.staff)
    url = reverse("wagtailadmin_pages:workflow_action", args=[event.pk, "reject", task_state.pk])
    client.post(url, {"comment": "日付を確認してください"})
    event.refresh_from_db()
    assert not event.live
    state = WorkflowState.objects.get(object_id=str(event.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    client.logout()
    assert "新しい催し" not in client.get(reverse("events:ical-all")).content.decode()


def test_staff_publish_directly_without_the_workflow(client, groups):
    client.force_login(groups.staff)
    url = reverse("wagtailadmin_pages:edit", args=[groups.event_b.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update({"title": "うみの清掃（変更）", "action-publish": "action-publish"})
    assert client.post(url, data).status_code == 302
    event = EventPage.objects.get(pk=groups.event_b.pk)
    assert event.live and event.title == "うみの清掃（変更）"
    assert not WorkflowState.objects.filter(object_id=str(event.pk)).exists()
