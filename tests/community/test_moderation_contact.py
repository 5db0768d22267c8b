"""Town staff cannot approve a listing or event nobody can be reached about: neither the page nor
its operator has a telephone number or an email address. The reviewer is offered only "request
changes" (named for what is missing), an approval posted anyway is refused and nothing goes
live; the editor is told why in the editor. With a number entered, approval works again."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Task, WorkflowState, WorkflowTask
from wagtail.test.utils.form_data import querydict_from_html

from community import services
from community.models import ReachableApprovalTask
from community.moderation import contact_problem
from events.models import EventPage
from resources.models import PlacePage
from tests.events.factories import EventPageFactory, at
from tests.resources.factories import (
    AreaFactory,
    OrganizationFactory,
    PlacePageFactory,
    directory_page,
)

from .factories import make_editor, make_group, make_staff

pytestmark = pytest.mark.django_db

REFUSAL = "このページには連絡手段がありません"


@pytest.fixture
def directory(db):
    return directory_page()


@pytest.fixture
def silent():
    """A group with no telephone number or email on record, its editor and town staff."""
    organization, sections = make_group("連絡先のない会", phone="")
    return organization, sections, make_editor("silent-editor", organization), make_staff()


def _form(client, url: str, **values) -> dict:
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(values)
    return data


def _submit_event(client, editor, section, **values) -> EventPage:
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", section.pk])
    data = _form(
        client, url, title="敬老会", when_repeat="once", when_date="2030-02-01",
        when_opens="10:00", when_closes="11:00", venue_name="公民館",
        area=AreaFactory(name="和泊").pk, for_everyone="on",
        **{"action-submit": "action-submit"}, **values,
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    return EventPage.objects.get(title="敬老会")


def _task_state(page):
    return WorkflowState.objects.get(object_id=str(page.pk)).current_task_state


def _approve(client, staff, page):
    client.force_login(staff)
    task_state = _task_state(page)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    return client.post(url, {"comment": ""})


def test_the_check_passes_with_the_page_s_or_the_operator_s_contact(directory):
    assert contact_problem(PlacePageFactory(phone="0997-84-1111")) is None
    assert contact_problem(PlacePageFactory(email="salon@example.jp")) is None
    with_operator = PlacePageFactory(organization=OrganizationFactory(email="kai@example.jp"))
    assert contact_problem(with_operator) is None
    # A name in "how to contact" is no way to reach anyone; nor is the town office.
    nobody = PlacePageFactory(contact_note="喜美留字自治会", organization=OrganizationFactory())
    assert REFUSAL in contact_problem(nobody)


def test_pages_that_are_not_listings_have_no_such_rule(directory):
    assert contact_problem(directory) is None


def test_staff_cannot_approve_an_event_nobody_can_be_reached_about(client, silent):
    _organization, sections, editor, staff = silent
    event = _submit_event(client, editor, sections["CalendarSectionPage"])
    response = _approve(client, staff, event)
    assert response.status_code in {302, 403}  # Wagtail answers a refused action so
    event.refresh_from_db()
    assert not event.live
    assert _task_state(event).status == "in_progress"  # still waiting for a decision
    client.logout()
    assert "敬老会" not in client.get(reverse("events:ical-all")).content.decode()


def test_the_reviewer_is_offered_only_request_changes_named_for_the_reason(client, silent):
    _organization, sections, editor, staff = silent
    event = _submit_event(client, editor, sections["CalendarSectionPage"])
    task = _task_state(event).task.specific
    assert isinstance(task, ReachableApprovalTask)
    assert task.get_actions(event, staff) == [("reject", "差し戻す（不足：連絡先）", True)]
    client.force_login(staff)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "不足：連絡先" in dashboard
    editor_page = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk]))
    html = editor_page.content.decode()
    assert REFUSAL in html  # the reason, in the editor
    # Staff decide on the review screen, which shows the checklist (tests/community/test_review_*).
    assert reverse("community_review", args=[event.pk]) in html
    assert 'data-workflow-action-name="approve"' not in html


def test_with_a_telephone_number_entered_the_event_can_be_approved(client, silent):
    _organization, sections, editor, staff = silent
    event = _submit_event(client, editor, sections["CalendarSectionPage"], phone="0997-84-5555")
    task = _task_state(event).task.specific
    assert [name for name, _label, _modal in task.get_actions(event, staff)].count("approve") == 2
    client.force_login(staff)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert REFUSAL not in html
    assert _approve(client, staff, event).status_code in {200, 302}
    event.refresh_from_db()
    assert event.live


def test_the_draft_under_review_is_what_is_checked(client, silent):
    """A live page whose pending draft removed the number: approving would publish the draft."""
    organization, sections, editor, staff = silent
    place = PlacePageFactory(
        title="いきいきサロン喜美留",
        phone="0997-84-6666",
        parent=sections["DirectorySectionPage"],
    )
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[place.pk])
    data = _form(client, url, phone="", **{"action-submit": "action-submit"})
    assert client.post(url, data).status_code == 302
    assert PlacePage.objects.get(pk=place.pk).phone == "0997-84-6666"  # live copy unchanged
    assert _approve(client, staff, place).status_code in {302, 403}
    assert PlacePage.objects.get(pk=place.pk).phone == "0997-84-6666"
    assert PlacePage.objects.get(pk=place.pk).has_unpublished_changes


def test_an_approval_posted_from_a_stale_screen_is_refused_with_the_reason(client, silent):
    """Approve was offered when the screen was drawn; the page lost its number since."""
    _organization, sections, editor, staff = silent
    event = _submit_event(client, editor, sections["CalendarSectionPage"], phone="0997-84-5555")
    task_state = _task_state(event)
    draft = EventPage.objects.get(pk=event.pk)
    draft.phone = ""
    draft.save_revision(user=editor)  # the draft approving would publish has no number now
    with pytest.raises(PermissionDenied) as refused:
        task_state.task.specific.on_action(task_state, staff, "approve")
    assert REFUSAL in str(refused.value)
    assert not EventPage.objects.get(pk=event.pk).live


def test_the_town_workflow_uses_the_checking_task(db):
    workflow = services.ensure_moderation()
    (task,) = [wt.task.specific for wt in WorkflowTask.objects.filter(workflow=workflow)]
    assert isinstance(task, ReachableApprovalTask) and task.name == services.TASK_NAME
    assert services.ensure_moderation() == workflow  # idempotent: still one task
    assert Task.objects.filter(name=services.TASK_NAME).count() == 1


def test_the_migration_turns_the_existing_task_into_the_checking_one_in_place(db):
    staff_group = services.staff_group()
    plain = GroupApprovalTask.objects.create(name=services.TASK_NAME)
    plain.groups.add(staff_group)
    migration = importlib.import_module("community.migrations.0003_reachable_approval_task")

    migration.convert_town_task(apps, schema_editor=None)

    task = Task.objects.get(pk=plain.pk).specific
    assert isinstance(task, ReachableApprovalTask)
    assert list(task.groups.all()) == [staff_group]
    migration.convert_town_task(apps, schema_editor=None)  # again: nothing to do
    assert ReachableApprovalTask.objects.count() == 1


def test_an_event_with_its_own_contact_in_a_silent_group_is_approved(client, silent):
    _organization, sections, editor, staff = silent
    event = EventPageFactory(
        title="海岸清掃", start=at("2030-01-10"), email="umi@example.jp",
        parent=sections["CalendarSectionPage"],
    )  # fmt: skip
    assert contact_problem(event) is None
