"""Submitting while Wagtail's autosave is still writing: the submission waits, then goes through.

The autosave request is held in the browser (Playwright routing) while the editor presses
「町の承認に提出する」: no submission may leave before the autosave has answered, and once it has,
the page is submitted with what the editor typed.
"""

import pytest
from django.db import connection
from wagtail.models import WorkflowState

from events.models import EventPage
from tests.community.factories import PASSWORD, make_editor, make_group
from tests.e2e.admin_login import admin_log_in
from tests.events.factories import EventPageFactory, at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _is_autosave(request) -> bool:
    return request.method == "POST" and "application/json" in request.headers.get("accept", "")


def test_a_submit_pressed_during_an_autosave_waits_for_it(page, live_server):
    try:
        _flow(page, live_server.url)
    finally:
        connection.close()  # Playwright's loop gave this body its own connection


def _flow(page, base: str) -> None:
    organization, sections = make_group("ひまわりの会")
    make_editor("himawari", organization)
    event = EventPageFactory(  # a schedule the editors' plain-words form can show
        title="朝の体操",
        start=at("2030-03-01"),
        end=at("2030-03-01", "11:00"),
        parent=sections["CalendarSectionPage"],
    )
    event.unpublish()
    admin_log_in(page, base, "himawari", PASSWORD)
    page.wait_for_url(base + "/admin/")

    edit_url = f"{base}/admin/pages/{event.pk}/edit/"
    held, submissions = [], []
    page.route(edit_url, lambda route: _hold_autosave(route, held))
    page.on("request", lambda r: _is_submission(r, edit_url) and submissions.append(r))
    page.goto(edit_url)
    page.wait_for_timeout(2500)  # Wagtail takes the form as it stands after 2 s as unchanged
    page.locator("#id_title").fill("朝の体操（雨天中止）")
    for _ in range(50):  # the autosave leaves after its debounce
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no autosave was sent"

    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    page.locator("button[name=action-submit]").click()
    page.wait_for_timeout(1500)
    assert submissions == []  # held back while the autosave is in flight
    assert page.get_by_role("status").filter(has_text="自動保存が終わるのを待って").count() == 1

    with page.expect_navigation():
        held[0].continue_()
    assert len(submissions) == 1
    event = EventPage.objects.get(pk=event.pk)
    state = event.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert event.get_latest_revision_as_object().title == "朝の体操（雨天中止）"


def _is_submission(request, edit_url: str) -> bool:
    return request.url == edit_url and request.method == "POST" and not _is_autosave(request)


def _hold_autosave(route, held: list) -> None:
    if _is_autosave(route.request):
        held.append(route)
    else:
        route.continue_()
