"""Groups' editors get one screen (何を・いつ・どこで・連絡先・対象・費用) with a plain-words
schedule; town staff keep Wagtail's full tabs; internal fields keep their values."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventPage
from resources.models import ActivityPage, PlacePage
from tests.events.factories import EventPageFactory, at
from tests.resources.factories import ActivityPageFactory, AreaFactory, PlacePageFactory

pytestmark = pytest.mark.django_db

SECTIONS = ["何を", "いつ", "どこで", "連絡先", "対象", "費用"]
INTERNAL = ["external_id", "is_sample", "latitude", "longitude", "slug", "assured_date"]
PAGE_TYPES = {
    "EventPage": ("events", "eventpage", "CalendarSectionPage"),
    "ActivityPage": ("resources", "activitypage", "DirectorySectionPage"),
    "PlacePage": ("resources", "placepage", "DirectorySectionPage"),
    "OpportunityPage": ("volunteers", "opportunitypage", "VolunteerSectionPage"),
}
WEEKLY_TUESDAY = {
    "when_repeat": "weekly",
    "when_days": ["1"],
    "when_date": "2030-01-01",  # a Tuesday
    "when_opens": "10:00",
    "when_closes": "11:30",
}


def _add_url(groups, kind: str) -> str:
    app, model, section = PAGE_TYPES[kind]
    return reverse("wagtailadmin_pages:add", args=[app, model, groups.sections_a[section].pk])


def _form(client, url: str, **values) -> dict:
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def _headings(html: str) -> list[str]:
    return [
        text.strip()
        for text in re.findall(r'<h2 class="w-panel__heading[^"]*"[^>]*>(.*?)</h2>', html, re.S)
    ]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_an_editor_sees_one_screen_in_order_without_internal_fields(client, groups, kind):
    client.force_login(groups.editor_a)
    html = client.get(_add_url(groups, kind)).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    expected = SECTIONS if kind != "OpportunityPage" else SECTIONS[:-1]
    positions = [text.find(f" {heading} ") for heading in expected]
    assert -1 not in positions and positions == sorted(positions), (expected, positions)
    for name in INTERNAL:
        assert f'name="{name}"' not in html, name
    assert 'name="seo_title"' not in html and 'name="go_live_at"' not in html
    assert "プロモート" not in text
    if kind != "OpportunityPage":
        assert 'name="when_repeat"' in html and "第何週" not in text


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_town_staff_keep_the_full_form(client, groups, kind):
    client.force_login(groups.staff)
    html = client.get(_add_url(groups, kind)).content.decode()
    for name in INTERNAL:
        assert f'name="{name}"' in html, name
    assert 'name="when_repeat"' not in html


def test_an_editor_makes_a_weekly_event(client, groups):
    area = AreaFactory(name="喜美留", latitude=Decimal("27.4"), longitude=Decimal("128.6"))
    client.force_login(groups.editor_a)
    url = _add_url(groups, "EventPage")
    data = _form(
        client, url, title="健康体操", phone="0997-84-0000", area=str(area.pk),
        **WEEKLY_TUESDAY, **{"action-submit": "action-submit"},
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    event = EventPage.objects.get(title="健康体操")
    assert event.slug  # made from the title: editors never see it
    assert event.rrule_text() == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
    assert (event.start, event.end) == (at("2030-01-01"), at("2030-01-01", "11:30"))
    assert (event.latitude, event.longitude) == (area.latitude, area.longitude)
    assert event.external_id == "" and not event.is_sample
    starts = [o.start for o in event.next_occurrences(at("2030-01-02"), 2)]
    assert starts == [at("2030-01-08"), at("2030-01-15")]


def test_an_editor_makes_a_monthly_event_on_the_last_saturday_at_a_place(client, groups):
    place = groups.place_a
    place.latitude, place.longitude = Decimal("27.41"), Decimal("128.61")
    place.save_revision().publish()
    client.force_login(groups.editor_a)
    url = _add_url(groups, "EventPage")
    data = _form(
        client, url, title="月末の集い", place=str(place.pk), when_repeat="monthly",
        when_days=["5"], when_weeks=["-1"], when_date="2030-01-01", when_opens="13:00",
        when_closes="15:00",
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    event = EventPage.objects.get(title="月末の集い")
    assert event.rrule_text() == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1SA"
    assert event.start == at("2030-01-26", "13:00")  # the first last Saturday from the date
    assert (event.latitude, event.longitude) == (place.latitude, place.longitude)


def test_an_editor_makes_a_weekly_activity(client, groups):
    client.force_login(groups.editor_a)
    url = _add_url(groups, "ActivityPage")
    data = _form(client, url, title="囲碁の会", **WEEKLY_TUESDAY)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    activity = ActivityPage.objects.get(title="囲碁の会")
    rules = list(activity.schedule_rules.all())
    assert [(r.weekday, r.weeks_of_month, r.opens_at, r.closes_at) for r in rules] == [
        (1, "", dt.time(10), dt.time(11, 30))
    ]
    assert rules[0].occurrences(dt.date(2030, 1, 1), dt.date(2030, 1, 14)) == [
        dt.date(2030, 1, 1),
        dt.date(2030, 1, 8),
    ]


def test_the_editor_s_form_shows_the_stored_schedule_and_keeps_internal_fields(client, groups):
    event = EventPageFactory(
        title="朝市", start=at("2030-01-01"), end=at("2030-01-01", "11:30"),
        frequency="weekly", weekdays="TU", external_id="town-17", is_sample=True,
        parent=groups.sections_a["CalendarSectionPage"],
    )  # fmt: skip
    client.force_login(groups.editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[event.pk])
    data = _form(client, url, title="朝市（改）")
    assert data["when_repeat"] == "weekly" and data.getlist("when_days") == ["1"]
    assert (data["when_opens"], data["when_closes"]) == ("10:00", "11:30")
    # ISO, as <input type="date"> requires: a localised 2030年01月01日 is dropped by the browser.
    assert data["when_date"] == "2030-01-01"
    assert client.post(url, data).status_code == 302
    draft = EventPage.objects.get(pk=event.pk).get_latest_revision_as_object()
    assert draft.title == "朝市（改）"
    assert (draft.external_id, draft.is_sample, draft.slug) == ("town-17", True, event.slug)
    assert draft.rrule_text() == event.rrule_text() and draft.start == event.start


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"when_opens": "12:00", "when_closes": "11:00"}, "when_closes", "開始時刻より後"),
        ({"when_days": []}, "when_days", "曜日を1つ以上選んでください"),
        ({"when_repeat": "monthly"}, "when_weeks", "どの週か選んでください"),
        ({"when_repeat": "once", "when_date": ""}, "when_date", "日付を入力してください"),
    ],
)
@pytest.mark.parametrize("kind", ["EventPage", "ActivityPage"])
def test_bad_schedules_get_japanese_errors_and_save_nothing(
    client, groups, kind, values, field, message
):
    client.force_login(groups.editor_a)
    url = _add_url(groups, kind)
    data = _form(client, url, title="まちがい", **{**WEEKLY_TUESDAY, **values})
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not EventPage.objects.filter(title="まちがい").exists()
    assert not ActivityPage.objects.filter(title="まちがい").exists()


def test_the_preview_gives_the_next_dates_in_plain_words(client, groups):
    client.force_login(groups.editor_a)
    url = reverse("resources_schedule_preview")
    data = client.get(url, WEEKLY_TUESDAY).json()
    assert data["text"] == "毎週火曜 10:00〜11:30（2030年1月1日から）"
    assert data["iso"] == ["2030-01-01", "2030-01-08", "2030-01-15", "2030-01-22", "2030-01-29"]
    assert data["dates"][0] == "2030年1月1日（火）"
    monthly = {**WEEKLY_TUESDAY, "when_repeat": "monthly", "when_days": ["5"],
               "when_weeks": ["2", "-1"]}  # fmt: skip
    assert client.get(url, monthly).json()["iso"][:3] == ["2030-01-12", "2030-01-26", "2030-02-09"]
    bad = client.get(url, {**WEEKLY_TUESDAY, "when_days": []})
    assert bad.status_code == 400 and "when_days" in bad.json()["errors"]


def test_the_preview_is_for_admin_users_only(client, groups):
    response = client.get(reverse("resources_schedule_preview"), WEEKLY_TUESDAY)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_editor_chooses_among_public_places_and_their_group_s_own(client, groups):
    draft_a = PlacePage(title="ひまわりの下書き", slug="himawari-draft", live=False)
    groups.sections_a["DirectorySectionPage"].add_child(instance=draft_a)
    draft_b = PlacePage(title="うみの下書き", slug="umi-draft", live=False)
    groups.sections_b["DirectorySectionPage"].add_child(instance=draft_b)
    PlacePageFactory(title="町の公民館")
    client.force_login(groups.editor_a)
    html = client.get(_add_url(groups, "EventPage")).content.decode()
    select = re.search(r'<select name="place".*?</select>', html, re.S).group(0)
    assert "町の公民館" in select and "ひまわりの下書き" in select and "うみの家" in select
    assert "うみの下書き" not in select


def test_a_schedule_the_widget_cannot_say_is_left_alone(client, groups):
    activity = ActivityPageFactory(
        title="体操",
        parent=groups.sections_a["DirectorySectionPage"],
        schedule=[
            {"weekday": 0, "opens_at": "09:00", "closes_at": "12:00"},
            {"weekday": 2, "opens_at": "13:00", "closes_at": "15:00"},
        ],
    )
    client.force_login(groups.editor_a)
    url = reverse("wagtailadmin_pages:edit", args=[activity.pk])
    html = client.get(url).content.decode()
    assert 'name="when_repeat"' not in html and "町の職員に連絡してください" in html
    assert client.post(url, _form(client, url, title="体操（改）")).status_code == 302
    draft = ActivityPage.objects.get(pk=activity.pk).get_latest_revision_as_object()
    assert draft.title == "体操（改）"
    assert sorted((r.weekday, r.opens_at) for r in draft.schedule_rules.all()) == [
        (0, dt.time(9)),
        (2, dt.time(13)),
    ]


def test_a_weekly_event_without_a_date_starts_on_the_next_such_day(client, groups):
    client.force_login(groups.editor_a)
    url = _add_url(groups, "EventPage")
    data = _form(client, url, title="毎週の体操", **{**WEEKLY_TUESDAY, "when_date": ""})
    assert client.post(url, data).status_code == 302
    today = timezone.localdate()
    first = today + dt.timedelta(days=(1 - today.weekday()) % 7)  # Tuesday, today or after
    event = EventPage.objects.get(title="毎週の体操")
    assert event.local_start.date() == first and event.rrule_text().endswith("BYDAY=TU")


@pytest.mark.parametrize("kind", ["ActivityPage", "PlacePage"])
def test_a_new_listing_starts_weekly_so_the_days_and_times_filled_are_kept(client, groups, kind):
    client.force_login(groups.editor_a)
    url = _add_url(groups, kind)
    assert _form(client, url)["when_repeat"] == "weekly"
    schedule = {name: value for name, value in WEEKLY_TUESDAY.items() if name != "when_repeat"}
    assert client.post(url, _form(client, url, title="毎週の体操", **schedule)).status_code == 302
    page = (ActivityPage if kind == "ActivityPage" else PlacePage).objects.get(title="毎週の体操")
    rules = page.get_latest_revision_as_object().schedule_rules.all()
    assert [(r.weekday, r.opens_at) for r in rules] == [(1, dt.time(10))]
