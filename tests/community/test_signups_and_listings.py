"""Sign-up lists follow page permissions; pages inside sections are listed where residents look."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from events.models import EventSignup
from tests.events.factories import EventPageFactory, EventSignupFactory
from tests.volunteers.factories import make_opportunity, volunteer_index
from volunteers.selectors import opportunities_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def signups(groups):
    return (
        EventSignupFactory(event=groups.event_a, name="参加 ひまわり"),
        EventSignupFactory(event=groups.event_b, name="参加 うみ"),
    )


def test_an_editor_sees_only_their_own_group_s_sign_ups(client, groups, signups):
    client.force_login(groups.editor_a)
    html = client.get(reverse("event_signups:index")).content.decode()
    assert "参加 ひまわり" in html
    assert "参加 うみ" not in html
    assert "うみの清掃" not in html  # not even in the event filter


def test_an_editor_cannot_open_or_delete_another_group_s_sign_up(client, groups, signups):
    client.force_login(groups.editor_a)
    own, other = signups
    assert client.get(reverse("event_signups:inspect", args=[own.pk])).status_code == 200
    response = client.get(reverse("event_signups:inspect", args=[other.pk]))
    assert response.status_code in {302, 403, 404}
    assert "参加 うみ" not in response.content.decode()
    client.post(reverse("event_signups:delete", args=[other.pk]))
    assert EventSignup.objects.filter(pk=other.pk).exists()


def test_the_other_editor_sees_theirs_and_staff_see_all(client, groups, signups):
    client.force_login(groups.editor_b)
    html = client.get(reverse("event_signups:index")).content.decode()
    assert "参加 うみ" in html and "参加 ひまわり" not in html
    client.force_login(groups.staff)
    html = client.get(reverse("event_signups:index")).content.decode()
    assert "参加 うみ" in html and "参加 ひまわり" in html


def test_sign_up_list_query_count_is_flat(client, groups, signups, django_assert_max_num_queries):
    client.force_login(groups.editor_a)
    url = reverse("event_signups:index")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(10):
        EventSignupFactory(event=groups.event_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_events_in_sections_are_on_the_calendar_and_the_home_page(client, rf, groups):
    soon = timezone.localtime() + dt.timedelta(days=2)
    event = EventPageFactory(
        title="ひまわり もうすぐの会",
        start=soon,
        end=soon + dt.timedelta(hours=1),
        parent=groups.sections_a["CalendarSectionPage"],
    )
    calendar = groups.sections_a["CalendarSectionPage"].get_parent()
    upcoming = client.get(calendar.url).content.decode()
    assert "ひまわり もうすぐの会" in upcoming and event.url in upcoming
    month = client.get(calendar.url + f"month/{soon.year}/{soon.month}/").content.decode()
    assert event.url in month
    assert client.get(event.url).status_code == 200
    this_week = Template("{% load events_tags %}{% events_this_week %}").render(
        Context({"request": rf.get("/")})
    )
    assert "ひまわり もうすぐの会</a>" in this_week


def test_opportunities_in_sections_are_listed_on_the_volunteer_index(client, groups):
    opportunity = make_opportunity(
        title="ひまわりの手伝い", parent=groups.sections_a["VolunteerSectionPage"]
    )
    titles = [page.title for page in opportunities_open(index=volunteer_index())]
    assert "ひまわりの手伝い" in titles and "うみの清掃の手伝い" in titles
    assert "ひまわりの手伝い" in client.get(volunteer_index().url).content.decode()
    assert client.get(opportunity.url).status_code == 200


def test_places_in_sections_are_in_the_directory(client, groups):
    directory = groups.sections_a["DirectorySectionPage"].get_parent()
    html = client.get(directory.url).content.decode()
    assert "ひまわり食堂" in html and "うみの家" in html
