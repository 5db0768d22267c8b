"""What a community group's editor can and cannot do: the denied cases are the point.

Editor A belongs to ひまわりの会, editor B to うみの会 (tests/community/conftest.py). Each test
requests the real admin URL and checks both the status and that nothing of the other group's
page (its title) is in what comes back.
"""

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage
from resources.models import PlacePage
from tests.matching.factories import ClientFactory
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

DENIED = {302, 403, 404}


def _body(client, url: str, **params) -> tuple[int, str]:
    response = client.get(url, params, follow=False)
    text = response.content.decode()
    if response.status_code == 302:
        text += client.get(response["Location"]).content.decode()
    return response.status_code, text


def _form(client, url: str, **fields):
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    for name, value in fields.items():
        data[name] = value
    return data


# --- editing ---------------------------------------------------------------------------------


def test_editor_opens_the_edit_form_of_their_own_event(client, groups):
    client.force_login(groups.editor_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[groups.event_a.pk]))
    assert response.status_code == 200
    assert "ひまわり料理教室" in response.content.decode()


def test_editor_cannot_open_another_group_s_page(client, groups):
    client.force_login(groups.editor_a)
    for page in (groups.event_b, groups.place_b, groups.opportunity_b):
        status, html = _body(client, reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert status in DENIED
        assert page.title not in html


def test_editor_cannot_change_another_group_s_page_by_posting(client, groups):
    client.force_login(groups.editor_b)
    data = _form(client, reverse("wagtailadmin_pages:edit", args=[groups.event_b.pk]))
    client.force_login(groups.editor_a)
    data["title"] = "書き換え"
    response = client.post(reverse("wagtailadmin_pages:edit", args=[groups.event_b.pk]), data)
    assert response.status_code in DENIED
    event = EventPage.objects.get(pk=groups.event_b.pk)
    assert (
        event.title == "うみの清掃" and event.get_latest_revision().content["title"] == "うみの清掃"
    )


def test_editor_cannot_add_pages_to_another_group_s_section_or_the_index(client, groups):
    client.force_login(groups.editor_a)
    calendar = groups.sections_b["CalendarSectionPage"].get_parent()
    for parent in (groups.sections_b["CalendarSectionPage"], calendar):
        url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", parent.pk])
        assert client.get(url).status_code in DENIED
    assert client.post(url, {"title": "勝手な催し", "slug": "x"}).status_code in DENIED
    assert not EventPage.objects.filter(title="勝手な催し").exists()


def test_editor_cannot_delete_or_unpublish_another_group_s_page(client, groups):
    client.force_login(groups.editor_a)
    page = groups.event_b
    for name in ("delete", "unpublish"):
        response = client.post(reverse(f"wagtailadmin_pages:{name}", args=[page.pk]))
        assert response.status_code in DENIED
    page.refresh_from_db()
    assert page.live


# --- listing: explorer, search, chooser --------------------------------------------------------


def test_explorer_lists_only_the_editor_s_own_section_and_pages(client, groups):
    client.force_login(groups.editor_a)
    calendar = groups.sections_a["CalendarSectionPage"].get_parent()
    _status, html = _body(client, reverse("wagtailadmin_explore", args=[calendar.pk]))
    assert "ひまわりの会" in html and "うみの会" not in html
    own = groups.sections_a["CalendarSectionPage"]
    _status, html = _body(client, reverse("wagtailadmin_explore", args=[own.pk]))
    assert "ひまわり料理教室" in html
    other = groups.sections_b["CalendarSectionPage"]
    _status, html = _body(client, reverse("wagtailadmin_explore", args=[other.pk]))
    assert "うみの清掃" not in html


def _edit_link(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def _chooser(client, url: str, **params) -> str:
    response = client.get(url, params)
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


def test_admin_search_finds_own_pages_and_never_another_group_s(client, groups):
    client.force_login(groups.editor_a)
    url = reverse("wagtailadmin_pages:search")
    _status, html = _body(client, url, q="ひまわり料理教室")
    assert _edit_link(groups.event_a) in html
    for page in (groups.event_b, groups.place_b, groups.opportunity_b):
        _status, html = _body(client, url, q=page.title)
        assert _edit_link(page) not in html and f"/{page.slug}/" not in html


def test_page_chooser_hides_another_group_s_pages(client, groups):
    client.force_login(groups.editor_a)
    directory = groups.sections_a["DirectorySectionPage"].get_parent()
    html = _chooser(client, reverse("wagtailadmin_choose_page_child", args=[directory.pk]))
    assert "ひまわりの会" in html and "うみの会" not in html
    other = groups.sections_b["DirectorySectionPage"]
    html = _chooser(client, reverse("wagtailadmin_choose_page_child", args=[other.pk]))
    assert "うみの家" not in html
    search = reverse("wagtailadmin_choose_page_search")
    assert "うみの家" not in _chooser(client, search, q="うみの家")
    assert "ひまわり食堂" in _chooser(client, search, q="ひまわり食堂")


def test_staff_choose_from_every_group(client, groups):
    client.force_login(groups.staff)
    assert "うみの家" in _chooser(client, reverse("wagtailadmin_choose_page_search"), q="うみの家")


# --- publishing --------------------------------------------------------------------------------


def test_editor_creates_a_draft_in_their_section_and_cannot_publish_it(client, groups):
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", section.pk])
    html = client.get(url).content.decode()
    assert 'name="organization"' not in html  # the section decides the organisation
    assert "action-publish" not in html
    data = _form(
        client, url, title="新しい催し", when_repeat="once", when_date="2030-02-01",
        when_opens="10:00", when_closes="11:00", organization=str(groups.org_b.pk),
        **{"action-publish": "action-publish"},
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    event = EventPage.objects.get(title="新しい催し")
    assert not event.live
    assert event.organization == groups.org_a
    assert event.get_parent().pk == section.pk


def test_editor_s_publish_of_a_live_page_does_not_go_live(client, groups):
    client.force_login(groups.editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[groups.place_a.pk])
    data = _form(client, url, title="ひまわり食堂（改）", **{"action-publish": "action-publish"})
    client.post(url, data)
    place = PlacePage.objects.get(pk=groups.place_a.pk)
    assert place.title == "ひまわり食堂"  # the live version is unchanged
    assert place.has_unpublished_changes


def test_editor_cannot_create_places_in_their_calendar_section(client, groups):
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    url = reverse("wagtailadmin_pages:add", args=["resources", "placepage", section.pk])
    assert client.get(url).status_code in DENIED


# --- personal data and reports -----------------------------------------------------------------


def test_editor_cannot_reach_clients_volunteers_or_reports(client, groups):
    person = ClientFactory(name="秘密 花子")
    volunteer = VolunteerFactory(name="秘密 次郎", email="secret-volunteer@example.jp")
    client.force_login(groups.editor_a)
    urls = [
        "/admin/clients/",
        f"/admin/clients/{person.pk}/",
        f"/admin/clients/{person.pk}/edit/",
        reverse("volunteer_register:index"),
        reverse("volunteer_register:edit", args=[volunteer.pk]),
        reverse("volunteer_signups:index"),
        reverse("volunteer_hours:index"),
        reverse("volunteer_hours_review:index"),
        reverse("volunteer_hours_review:totals"),
        reverse("community_editors"),
        reverse("community_invite", args=[groups.org_b.pk]),
    ]
    for url in urls:
        status, html = _body(client, url)
        assert status in DENIED, url
        assert "秘密" not in html and "secret-volunteer" not in html, url


def test_editor_s_menu_has_no_clients_volunteers_or_reports(client, groups):
    client.force_login(groups.editor_a)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for url in ("/admin/clients/", reverse("volunteer_register:index"), "/admin/reports/"):
        assert url not in html
    assert reverse("community_editors") not in html
    client.force_login(groups.staff)
    assert reverse("community_editors") in client.get(reverse("wagtailadmin_home")).content.decode()


def test_another_group_s_draft_never_appears_to_an_editor(client, groups):
    draft = groups.sections_b["CalendarSectionPage"].add_child(
        instance=EventPage(
            title="うみの下書き", slug="draft", start=groups.event_b.start, live=False
        )
    )
    draft.save_revision()
    client.force_login(groups.editor_a)
    _status, html = _body(client, reverse("wagtailadmin_pages:search"), q="うみの下書き")
    assert _edit_link(draft) not in html
    assert "うみの下書き" not in _chooser(
        client, reverse("wagtailadmin_choose_page_search"), q="うみの下書き"
    )
    assert "うみの下書き" not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert Page.objects.filter(pk=draft.pk).exists()


def test_the_admin_api_behind_the_explorer_menu_hides_another_group_s_pages(client, groups):
    client.force_login(groups.editor_a)
    calendar = groups.sections_a["CalendarSectionPage"].get_parent()
    listing = client.get("/admin/api/main/pages/", {"child_of": calendar.pk, "for_explorer": 1})
    assert listing.status_code == 200
    assert "ひまわりの会" in listing.content.decode()
    assert "うみの会" not in listing.content.decode()
    assert client.get(f"/admin/api/main/pages/{groups.event_b.pk}/").status_code == 404
    found = client.get("/admin/api/main/pages/", {"search": "うみの清掃"}).content.decode()
    assert "うみの清掃" not in found


def test_wagtail_reports_show_an_editor_nothing_of_another_group(client, groups):
    client.force_login(groups.editor_a)
    for name in ("site_history", "aging_pages", "workflow", "workflow_tasks", "page_types_usage"):
        status, html = _body(client, reverse(f"wagtailadmin_reports:{name}"))
        for page in (groups.event_b, groups.place_b, groups.opportunity_b):
            assert page.title not in html, name
    status, _html = _body(client, reverse("wagtailadmin_reports:page_types_usage"))
    assert status in DENIED


def test_staff_still_get_the_page_types_report(client, groups):
    client.force_login(groups.staff)
    assert client.get(reverse("wagtailadmin_reports:page_types_usage")).status_code == 200
    client.logout()
    response = client.get(reverse("wagtailadmin_reports:page_types_usage"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
