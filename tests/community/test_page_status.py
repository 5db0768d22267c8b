"""The editor sees where each of their group's pages stands, and why one was sent back."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from community.status import Stage, own_group_statuses, page_status
from tests.events.factories import EventPageFactory, at

pytestmark = pytest.mark.django_db

REASON = "会場の住所が抜けています。\n<b>追記</b>してください。"


def _submit(page, user):
    page.save_revision(user=user)
    page.get_workflow().start(page, user)


def _act(page, user, action: str, comment: str = "") -> None:
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, user, action, comment=comment)


def _resubmit_in_the_editor(client, page) -> None:
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data["action-submit"] = "action-submit"
    assert client.post(url, data).status_code == 302


def _banner(client, page) -> str:
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _draft(groups, title: str):
    page = EventPageFactory(
        title=title, start=at("2030-03-01"), parent=groups.sections_a["CalendarSectionPage"]
    )
    page.unpublish()
    return page


def test_each_stage_is_named_for_the_editor(groups):
    draft = _draft(groups, "下書きの催し")
    submitted = _draft(groups, "提出した催し")
    _submit(submitted, groups.editor_a)
    sent_back = _draft(groups, "差し戻された催し")
    _submit(sent_back, groups.editor_a)
    _act(sent_back, groups.staff, "reject", REASON)
    live_changed = groups.event_a
    _submit(live_changed, groups.editor_a)

    assert page_status(draft).stage == Stage.DRAFT
    assert page_status(submitted).stage == Stage.SUBMITTED
    assert page_status(live_changed).stage == Stage.LIVE_CHANGES_SUBMITTED
    assert page_status(groups.place_a).stage == Stage.LIVE
    status = page_status(sent_back)
    assert status.stage == Stage.CHANGES_REQUESTED
    assert status.rejection.comment == REASON and status.rejection.by == "staff"
    labels = [s.stage.label for s in own_group_statuses(groups.editor_a)]
    assert labels[:2] == ["差し戻し", "下書き"]  # what needs the editor first
    assert {"提出済み・承認待ち", "公開中・変更を承認待ち", "公開中"} <= set(labels)


def test_the_dashboard_lists_only_the_editors_own_groups_pages(client, groups):
    sent_back = _draft(groups, "差し戻された催し")
    _submit(sent_back, groups.editor_a)
    _act(sent_back, groups.staff, "reject", REASON)
    client.force_login(groups.editor_a)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "グループのページ" in html and "差し戻された提出" in html
    assert "ひまわり食堂" in html and "ひまわり料理教室" in html
    assert "会場の住所が抜けています。<br>&lt;b&gt;追記&lt;/b&gt;してください。" in html
    for other_groups_title in ("うみの家", "うみの清掃", "うみの清掃の手伝い"):
        assert other_groups_title not in html


def test_another_groups_editor_and_staff_see_nothing_of_group_a(client, groups):
    sent_back = _draft(groups, "差し戻された催し")
    _submit(sent_back, groups.editor_a)
    _act(sent_back, groups.staff, "reject", REASON)

    assert all(s.page.title.startswith("うみ") for s in own_group_statuses(groups.editor_b))
    client.force_login(groups.editor_b)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "差し戻された催し" not in html and "会場の住所" not in html
    assert own_group_statuses(groups.staff) == []


def test_the_reason_shows_on_the_page_until_it_is_submitted_again(client, groups):
    page = _draft(groups, "差し戻された催し")
    _submit(page, groups.editor_a)
    _act(page, groups.staff, "reject", REASON)
    client.force_login(groups.editor_a)

    banner = _banner(client, page)
    assert "差し戻し" in banner and "直してから、もう一度提出してください。" in banner
    assert "会場の住所が抜けています。<br>&lt;b&gt;追記&lt;/b&gt;してください。" in banner
    assert "staff さんが差し戻しました" in banner

    _resubmit_in_the_editor(client, page)

    banner = _banner(client, page)
    assert "このページの状態：提出済み・承認待ち" in banner
    assert "会場の住所" not in banner
    page.refresh_from_db()
    assert page_status(page).rejection is None


def test_a_rejection_without_a_comment_says_so(client, groups):
    page = _draft(groups, "理由なしの催し")
    _submit(page, groups.editor_a)
    _act(page, groups.staff, "reject")
    client.force_login(groups.editor_a)

    assert "理由は書かれていません。" in _banner(client, page)
