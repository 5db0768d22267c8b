"""The group editor's dashboard links straight to adding a page in their own sections."""

import pytest
from django.urls import reverse

from community.panels import add_shortcuts
from community.status import own_sections
from tests.community.factories import make_editor, make_group

pytestmark = pytest.mark.django_db


def _add_url(model: str, section) -> str:
    app, name = model.split(".")
    return reverse("wagtailadmin_pages:add", args=(app, name, section.pk))


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_gets_one_link_per_page_type_in_the_section_that_allows_it(client, groups):
    a = groups.sections_a
    html = _dashboard(client, groups.editor_a)
    expected = {
        "催しを追加": _add_url("events.eventpage", a["CalendarSectionPage"]),
        "活動を追加": _add_url("resources.activitypage", a["DirectorySectionPage"]),
        "居場所を追加": _add_url("resources.placepage", a["DirectorySectionPage"]),
        "ボランティア募集を追加": _add_url("volunteers.opportunitypage", a["VolunteerSectionPage"]),
    }
    for label, url in expected.items():
        assert f'href="{url}">{label}</a>' in html
    shortcuts = html.split('id="community-add-section"')[1].split("</ul>")[0]
    for section in groups.sections_b.values():
        assert f"/{section.pk}/" not in shortcuts


def test_the_links_lead_to_a_form_the_editor_may_use(client, groups):
    client.force_login(groups.editor_a)
    for shortcut in add_shortcuts(groups.editor_a, own_sections(groups.editor_a)):
        assert client.get(shortcut.url).status_code == 200


def test_never_links_to_another_groups_sections(groups):
    b_sections = {section.pk for section in groups.sections_b.values()}
    urls_b = [s.url for s in add_shortcuts(groups.editor_b, own_sections(groups.editor_b))]
    # Editor B's own links name only B's sections; editor A's none of them.
    assert len(urls_b) == 4
    assert all(int(url.rstrip("/").rsplit("/", 1)[1]) in b_sections for url in urls_b)
    urls_a = [s.url for s in add_shortcuts(groups.editor_a, own_sections(groups.editor_a))]
    assert not any(int(url.rstrip("/").rsplit("/", 1)[1]) in b_sections for url in urls_a)
    # Even asked for B's sections, A has no permission there, so no link.
    assert add_shortcuts(groups.editor_a, own_sections(groups.editor_b)) == []


def test_a_new_editor_with_no_page_yet_gets_the_shortcuts(client):
    organization, sections = make_group("はまゆうの会")
    html = _dashboard(client, make_editor("new-editor", organization))
    assert _add_url("events.eventpage", sections["CalendarSectionPage"]) in html
    assert "グループのページ" not in html  # no page yet: no empty listing


def test_staff_get_no_shortcuts(client, groups):
    assert 'id="community-add-section"' not in _dashboard(client, groups.staff)


def _first_action(client, user, page) -> str:
    """The name of the edit form's main (first rendered) action button."""
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    footer = html.split("<footer", 1)[1]
    return footer.split('name="action-', 1)[1].split('"', 1)[0]


def test_submitting_is_the_group_editors_main_button_not_staffs(client, groups):
    assert _first_action(client, groups.editor_a, groups.event_a) == "submit"
    assert _first_action(client, groups.staff, groups.event_a) != "submit"
