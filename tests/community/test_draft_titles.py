"""Another group's drafts stay unseen: Wagtail 8.0.1's move-confirm view checks no permission
before it shows the page, and its page chooser lists every draft to anyone with admin access.

Editor A belongs to ひまわりの会, editor B to うみの会 (tests/community/conftest.py); the
coordinator has admin access and no page permission at all.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.models import EventPage
from tests.matching.factories import TeamFactory, make_user

pytestmark = pytest.mark.django_db

DRAFT = "うみの下書き"
# Wagtail's answer to PermissionDenied in the admin: back to the dashboard with a message.
DENIED = {302, 403}


@pytest.fixture
def draft(groups) -> EventPage:
    page = groups.sections_b["CalendarSectionPage"].add_child(
        instance=EventPage(title=DRAFT, slug="umi-draft", start=groups.event_b.start, live=False)
    )
    page.save_revision()
    return page


@pytest.fixture
def coordinator(db):
    return make_user("coord-drafts", team=TeamFactory(name="地域包括支援センター"))


def _move_confirm(page, destination) -> str:
    return reverse("wagtailadmin_pages:move_confirm", args=[page.pk, destination.pk])


def _refused(response) -> bool:
    return response.status_code in DENIED and response.get("Location", "/admin/") == "/admin/"


def _chooser_html(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


# --- moving


def test_an_editor_cannot_read_another_group_s_draft_through_move_confirm(client, groups, draft):
    client.force_login(groups.editor_a)

    response = client.get(_move_confirm(draft, groups.sections_a["CalendarSectionPage"]))

    assert _refused(response)
    assert DRAFT not in client.get("/admin/").content.decode() + response.content.decode()


def test_a_clashing_slug_does_not_reveal_the_draft_s_slug_either(client, groups, draft):
    """Wagtail answers a slug clash with a message naming the slug, before any hook runs."""
    own_section = groups.sections_a["CalendarSectionPage"]
    groups.event_a.slug = draft.slug
    groups.event_a.save(update_fields=["slug"])
    client.force_login(groups.editor_a)

    response = client.get(_move_confirm(draft, own_section))

    assert _refused(response)
    assert draft.slug not in client.get("/admin/").content.decode()


def test_moving_it_is_refused_too(client, groups, draft):
    client.force_login(groups.editor_a)
    destination = groups.sections_a["CalendarSectionPage"]

    response = client.post(_move_confirm(draft, destination))

    assert _refused(response)
    draft.refresh_from_db()
    assert draft.get_parent().pk == groups.sections_b["CalendarSectionPage"].pk


def test_a_coordinator_cannot_read_drafts_through_move_confirm(client, groups, draft, coordinator):
    client.force_login(coordinator)

    response = client.get(_move_confirm(draft, groups.sections_b["CalendarSectionPage"]))

    assert _refused(response)
    assert DRAFT not in client.get("/admin/").content.decode() + response.content.decode()


def test_who_may_move_the_page_still_sees_the_confirmation_and_moves_it(client, groups, draft):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "x")
    client.force_login(admin)
    destination = groups.sections_a["CalendarSectionPage"]

    page = client.get(_move_confirm(draft, destination))
    assert page.status_code == 200
    assert DRAFT in page.content.decode()

    client.post(_move_confirm(draft, destination))
    draft.refresh_from_db()
    assert draft.get_parent().pk == destination.pk


# --- choosing a page (for a link)


def test_a_coordinator_s_chooser_shows_live_pages_but_no_drafts(client, groups, draft, coordinator):
    client.force_login(coordinator)
    section = groups.sections_b["CalendarSectionPage"]

    browse = _chooser_html(client, reverse("wagtailadmin_choose_page_child", args=[section.pk]))
    search = _chooser_html(client, reverse("wagtailadmin_choose_page_search"), q="うみ")

    for html in (browse, search):
        assert DRAFT not in html
        assert groups.event_b.title in html  # published pages stay choosable for links


def test_the_group_that_writes_the_draft_still_chooses_it(client, groups, draft):
    client.force_login(groups.editor_b)
    section = groups.sections_b["CalendarSectionPage"]

    browse = _chooser_html(client, reverse("wagtailadmin_choose_page_child", args=[section.pk]))
    search = _chooser_html(client, reverse("wagtailadmin_choose_page_search"), q=DRAFT)

    assert DRAFT in browse and DRAFT in search


def test_town_staff_still_choose_every_draft(client, groups, draft):
    client.force_login(groups.staff)

    search = _chooser_html(client, reverse("wagtailadmin_choose_page_search"), q=DRAFT)

    assert DRAFT in search
