"""Wagtail's workflow notices reach editors and town staff in Japanese, with the reviewer's reason.

The project overrides wagtailadmin/notifications/ (site/templates): Wagtail's own templates are
English sentences around our Japanese names (「The page … has been rejected during 町の承認」).
"""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from community import services
from tests.resources.factories import AreaFactory
from tests.support.english import english_in

pytestmark = pytest.mark.django_db

REASON = "日付が去年のままです。2030年に直してください"


@pytest.fixture
def html_mail(settings) -> None:
    """Wagtail sends an HTML part too when asked: it must be as Japanese as the text."""
    settings.WAGTAILADMIN_NOTIFICATION_USE_HTML = True


def _mails_to(user) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if user.email in message.to]


def _submit(groups, run):
    """The group's event, complete enough for the review checklist, submitted by its editor."""
    page = groups.event_a
    page.venue_name, page.area, page.for_everyone = "公民館", AreaFactory(name="和泊"), True
    page.save_revision(user=groups.editor_a)
    with run(execute=True):  # Wagtail's notices are outbox rows, sent on commit
        services.ensure_moderation().start(page, groups.editor_a)
    return page


def _act(client, groups, page, action: str, comment: str, run) -> None:
    state = WorkflowState.objects.get(object_id=str(page.pk)).current_task_state
    client.force_login(groups.staff)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])
    with run(execute=True):
        assert client.post(url, {"comment": comment}).status_code in {200, 302}


def _japanese(message: mail.EmailMessage, *user_names: str) -> None:
    """No English beyond the people's user names (latin letters by choice, not by omission)."""
    html = message.alternatives[0].content if message.alternatives else ""
    for text in (message.subject, message.body, html):
        assert english_in(text) - set(user_names) == set(), text


def test_staff_get_a_japanese_request_to_check_the_page(
    groups, html_mail, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    _submit(groups, django_capture_on_commit_callbacks)
    (notice,) = _mails_to(groups.staff)
    assert notice.subject == "【確認のお願い】「ひまわり料理教室」"
    assert "確認はこちらから" in notice.body
    assert f"/admin/pages/{groups.event_a.pk}/edit/" in notice.body
    _japanese(notice, "staff")
    assert not _mails_to(groups.editor_b)  # another group's editor hears nothing


def test_the_editor_gets_the_reason_when_the_page_is_sent_back(
    client, groups, html_mail, django_capture_on_commit_callbacks
):
    page = _submit(groups, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _act(client, groups, page, "reject", REASON, django_capture_on_commit_callbacks)
    (notice,) = _mails_to(groups.editor_a)
    assert notice.subject == "【差し戻し】「ひまわり料理教室」が差し戻されました"
    assert "staff さんが「町職員による承認」で「ひまわり料理教室」を差し戻しました" in notice.body
    assert f"理由： {REASON}" in notice.body
    assert REASON in notice.alternatives[0].content
    assert notice.body.startswith("editor-a 様")
    _japanese(notice, "staff")


def test_the_editor_hears_in_japanese_that_the_page_is_approved(
    client, groups, html_mail, django_capture_on_commit_callbacks
):
    page = _submit(groups, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _act(client, groups, page, "approve", "", django_capture_on_commit_callbacks)
    (notice,) = _mails_to(groups.editor_a)
    assert notice.subject == "【承認】「ひまわり料理教室」が承認されました"
    assert "サイトに公開されています" in notice.body and page.full_url in notice.body
    _japanese(notice)
