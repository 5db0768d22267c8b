"""Town staff decide on a submitted page on the review screen: the checklist (venue, district,
date and time, contact, audience) blocks approval when an item is missing, on the screen and
through Wagtail's own workflow action; a complete page is approved and goes live; sending back
needs a reason, which is kept. Group editors and anonymous visitors cannot open the screen."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import Page, TaskState

from events.models import EventPage
from resources.models import ActivityPage, ScheduleRule
from tests.events.factories import at
from tests.resources.factories import AreaFactory

from .factories import make_editor, make_group

pytestmark = pytest.mark.django_db

COMPLETE = {"address": "和泊町和泊10", "phone": "0997-84-2222", "for_everyone": True}


def _submit(page: Page, section: Page, editor) -> Page:
    """Added as a draft and submitted, as the editor's 「承認に提出」 does."""
    page.live = False
    section.add_child(instance=page)
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    return page


def _event(groups, section=None, editor=None, **values) -> EventPage:
    fields = {
        "title": "敬老会",
        "venue_name": "和泊町中央公民館",
        "slug": "keirokai",
        "start": at("2030-02-01"),
        "end": at("2030-02-01", "12:00"),
        "area": AreaFactory(name="和泊"),
        **COMPLETE,
        **values,
    }
    section = section or groups.sections_a["CalendarSectionPage"]
    return _submit(EventPage(**fields), section, editor or groups.editor_a)


def _activity(groups, *, rules: bool) -> ActivityPage:
    page = ActivityPage(
        title="いきいき体操", slug="taiso", area=AreaFactory(name="和泊"), **COMPLETE,
    )  # fmt: skip
    if rules:
        page.schedule_rules = [
            ScheduleRule(weekday=1, opens_at=dt.time(10), closes_at=dt.time(11, 30))
        ]
    return _submit(page, groups.sections_a["DirectorySectionPage"], groups.editor_a)


def _url(page: Page) -> str:
    return reverse("community_review", args=[page.pk])


def _task_state(page: Page) -> TaskState:
    return Page.objects.get(pk=page.pk).current_workflow_task_state


def _revision_id(page: Page) -> int:
    return Page.objects.get(pk=page.pk).get_latest_revision().pk


def _decide(client, page: Page, decision: str, comment: str = ""):
    data = {"decision": decision, "comment": comment, "revision": _revision_id(page)}
    return client.post(_url(page), data)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


MISSING = {
    "venue": ({"venue_name": "", "address": ""}, "会場がありません"),
    "district": ({"area": None}, "地区が選ばれていません"),
    "contact": ({"phone": ""}, "このページには連絡手段がありません"),
    "audience": ({"for_everyone": False}, "対象が選ばれていません"),
}


@pytest.mark.parametrize("missing", MISSING)
def test_a_missing_item_fails_its_check_and_blocks_approval(client, groups, missing):
    values, reason = MISSING[missing]
    if missing == "contact":  # the group (the page's operator) has no number either
        _organization, sections = make_group("連絡先のない会", phone="")
        silent_editor = make_editor("silent-editor", _organization)
        section = sections["CalendarSectionPage"]
        event = _event(groups, section=section, editor=silent_editor, **values)
    else:
        event = _event(groups, **values)
    client.force_login(groups.staff)

    html = client.get(_url(event)).content.decode()
    assert reason in html and 'data-check-passed="false"' in html
    assert html.count('data-check-passed="false"') == 1  # only the missing item fails
    assert "すべての確認項目がそろうまで承認できません" in html
    assert 'disabled aria-describedby="review-cannot-approve"' in html

    response = _decide(client, event, "approve")  # the disabled button, posted anyway
    assert response.status_code == 400
    assert "すべての確認項目がそろうまで承認できません。" in response.content.decode()

    # Wagtail's own action URL (the edit form's and dashboard's) is refused too…
    task_state = _task_state(event)
    args = [event.pk, "approve", task_state.pk]
    action = reverse("wagtailadmin_pages:workflow_action", args=args)
    assert client.post(action, {"comment": ""}).status_code in {302, 403}
    # …and so is the task itself, whatever calls it.
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, groups.staff, "approve")

    assert not EventPage.objects.get(pk=event.pk).live
    assert _task_state(event).status == TaskState.STATUS_IN_PROGRESS


def test_an_activity_without_a_schedule_fails_the_date_check(client, groups):
    activity = _activity(groups, rules=False)
    client.force_login(groups.staff)
    html = client.get(_url(activity)).content.decode()
    assert "日程がありません" in html
    assert _decide(client, activity, "approve").status_code == 400
    assert not ActivityPage.objects.get(pk=activity.pk).live


def test_the_task_offers_only_sending_back_named_for_what_is_missing(groups):
    event = _event(groups, area=None, for_everyone=False)
    actions = _task_state(event).task.specific.get_actions(event, groups.staff)
    assert actions == [("reject", "差し戻す（不足：地区、対象）", True)]


def test_a_complete_activity_is_approved_and_goes_live(client, groups):
    activity = _activity(groups, rules=True)
    client.force_login(groups.staff)
    html = client.get(_url(activity)).content.decode()
    assert 'data-check-passed="false"' not in html and html.count('data-check-passed="true"') == 5
    assert "毎週火曜 10:00〜11:30" in html  # the schedule, in words

    response = _decide(client, activity, "approve")
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert "「いきいき体操」を承認して公開しました。" in _messages(response)
    assert ActivityPage.objects.get(pk=activity.pk).live
    assert TaskState.objects.get(pk=_task_state_pk(activity)).status == TaskState.STATUS_APPROVED
    client.logout()
    assert client.get(ActivityPage.objects.get(pk=activity.pk).url).status_code == 200


def _task_state_pk(page: Page) -> int:
    return TaskState.objects.filter(workflow_state__object_id=str(page.pk)).latest("pk").pk


def test_sending_back_needs_a_reason(client, groups):
    event = _event(groups, area=None)
    client.force_login(groups.staff)
    response = _decide(client, event, "reject", comment="   ")
    assert response.status_code == 400
    assert "差し戻す理由を書いてください" in response.content.decode()
    assert _task_state(event).status == TaskState.STATUS_IN_PROGRESS


def test_sending_back_with_a_reason_rejects_and_keeps_the_comment(client, groups):
    event = _event(groups, area=None)
    client.force_login(groups.staff)
    response = _decide(client, event, "reject", comment="地区を選んでください。")
    assert response.status_code == 302
    assert "「敬老会」を差し戻しました。" in _messages(response)
    task_state = TaskState.objects.get(pk=_task_state_pk(event))
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "地区を選んでください。"
    assert task_state.finished_by == groups.staff
    assert not EventPage.objects.get(pk=event.pk).live


def test_a_decision_on_a_revision_the_reviewer_did_not_see_is_refused(client, groups):
    event = _event(groups)
    seen = _revision_id(event)
    EventPage.objects.get(pk=event.pk).save_revision(user=groups.editor_a)  # edited meanwhile
    client.force_login(groups.staff)
    response = client.post(_url(event), {"decision": "approve", "revision": seen})
    assert response.status_code == 400
    assert "確認している間にページが変更されました" in response.content.decode()
    assert not EventPage.objects.get(pk=event.pk).live


@pytest.mark.parametrize("who", ["editor_a", "editor_b"])
def test_group_editors_cannot_open_the_review_screen(client, groups, who):
    event = _event(groups)
    client.force_login(getattr(groups, who))
    preview = reverse("community_review_preview", args=[event.pk])
    for response in (client.get(_url(event)), client.get(preview)):
        # Wagtail's admin answers a refusal by sending them to the dashboard.
        assert response.status_code == 403 or response.url == reverse("wagtailadmin_home")
        assert "敬老会" not in response.content.decode()
    assert _decide(client, event, "approve").status_code in {302, 403}
    assert not EventPage.objects.get(pk=event.pk).live
    assert _task_state(event).status == TaskState.STATUS_IN_PROGRESS


def test_anonymous_visitors_are_sent_to_log_in(client, groups):
    event = _event(groups)
    response = client.get(_url(event))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url
    preview = client.get(reverse("community_review_preview", args=[event.pk]))
    assert preview.status_code == 302


def test_the_changes_since_the_published_version_show_a_changed_title(client, groups):
    event = _event(groups)
    _task_state(event).task.specific.on_action(_task_state(event), groups.staff, "approve")
    draft = EventPage.objects.get(pk=event.pk)
    assert draft.live
    draft.title = "敬老会（日程変更）"
    draft.save_revision(user=groups.editor_a)
    draft.get_workflow().start(draft, groups.editor_a)

    client.force_login(groups.staff)
    html = client.get(_url(event)).content.decode()
    assert "公開中の版からの変更" in html
    changes = html.split("公開中の版からの変更")[1].split("住民に表示される内容")[0]
    assert "タイトル" in changes and '<span class="addition">' in changes
    assert "日程変更" in changes
    assert "公開中の版から変更はありません" not in changes
    assert "会場" not in changes  # only what changed is listed


def test_the_preview_shows_the_draft_in_a_frame_of_the_admin(client, groups):
    event = _event(groups)
    client.force_login(groups.staff)
    response = client.get(reverse("community_review_preview", args=[event.pk]))
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "敬老会" in response.content.decode()


def test_moderators_reach_the_review_screen_from_the_dashboard_and_the_edit_form(client, groups):
    event = _event(groups)
    client.force_login(groups.staff)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f'href="{_url(event)}"' in dashboard
    assert "data-workflow-action-url" not in dashboard  # no approve without the checklist

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert f'href="{_url(event)}"' in edit
    assert "data-workflow-action-name" not in edit and 'name="action-publish"' not in edit


def test_the_editor_s_edit_form_keeps_its_own_actions(client, groups):
    event = _event(groups)
    client.force_login(groups.editor_a)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert _url(event) not in edit
