"""A title a sibling already has: a free slug when Wagtail made it, a Japanese error when typed."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage
from resources.models import PlacePage

pytestmark = pytest.mark.django_db


def _create(client, section, model: str, fields: dict):
    app = "events" if model == "eventpage" else "resources"
    url = reverse("wagtailadmin_pages:add", args=[app, model, section.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update({**fields, "action-submit": "action-submit"})
    return client.post(url, data)


def _event(title: str, slug: str) -> dict:
    """Town staff's full form: the slug typed, start and end."""
    return {"title": title, "slug": slug, "start": "2030-02-01 10:00", "end": "2030-02-01 11:00"}


def _editors_event(title: str) -> dict:
    """A group editor's one screen: no slug field, the plain-words schedule."""
    return {
        "title": title,
        "when_repeat": "once",
        "when_date": "2030-02-01",
        "when_opens": "10:00",
        "when_closes": "11:00",
    }


def test_a_slug_made_from_the_title_gets_a_free_suffix_and_the_page_is_submitted(client, groups):
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    for _ in range(3):
        response = _create(client, section, "eventpage", _editors_event("朝の体操"))
        assert response.status_code == 302

    pages = EventPage.objects.child_of(section).filter(title="朝の体操").order_by("pk")
    assert [page.slug for page in pages] == ["朝の体操", "朝の体操-2", "朝の体操-3"]
    assert all(page.workflow_states.filter(status="in_progress").exists() for page in pages)


def test_the_browser_slug_of_a_full_width_title_counts_as_made_from_it(client, groups):
    client.force_login(groups.staff)
    section = groups.sections_a["DirectorySectionPage"]
    PlacePage.objects.filter(pk=groups.place_a.pk).update(slug="ｃａｆｅ-ひまわり")
    response = _create(
        client, section, "placepage", {"title": "Ｃａｆｅ　ひまわり", "slug": "ｃａｆｅ-ひまわり"}
    )
    assert response.status_code == 302
    assert PlacePage.objects.child_of(section).filter(slug="ｃａｆｅ-ひまわり-2").exists()


def test_a_typed_slug_that_clashes_is_refused_in_japanese_next_to_the_title(client, groups):
    client.force_login(groups.staff)
    section = groups.sections_a["CalendarSectionPage"]
    assert _create(client, section, "eventpage", _event("朝の体操", "asa")).status_code == 302

    response = _create(client, section, "eventpage", _event("夕方の体操", "asa"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "ウェブアドレス「asa」をもう使っています" in form.errors["title"][0]
    assert "プロモートタブのスラッグを変える" in form.errors["slug"][0]
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "まだ保存も提出もされていません" in message
    assert "ウェブアドレス「asa」" in message  # the list names the field, whichever tab it is on
    assert not EventPage.objects.filter(title="夕方の体操").exists()


def test_another_groups_slug_is_no_clash(client, groups):
    client.force_login(groups.staff)
    slug = groups.event_b.slug
    fields = _event("うみの清掃", slug)
    response = _create(client, groups.sections_a["CalendarSectionPage"], "eventpage", fields)
    assert response.status_code == 302
    assert EventPage.objects.filter(slug=slug).count() == 2
