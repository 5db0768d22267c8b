"""EventPage rules: validation in Japanese, the RRULE it stores, SEQUENCE, search, page tree."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from events.models import EventExdate, EventIndexPage, EventOccurrence, EventPage
from events.models.occurrences import HORIZON
from events.services import occurrences_extend
from resources.models import DirectoryIndexPage, PlacePage
from tests.resources.factories import AreaFactory, PlacePageFactory
from tsunagu.models import HomePage, install_id
from tsunagu.text import matches

from .conftest import NOW, eager_celery
from .factories import EventPageFactory, at

pytestmark = pytest.mark.django_db


class PageTreeRules(WagtailPageTestCase):
    def test_the_calendar_sits_under_the_home_page_only(self):
        self.assertCanCreateAt(HomePage, EventIndexPage)
        self.assertCanNotCreateAt(Page, EventIndexPage)
        self.assertCanNotCreateAt(DirectoryIndexPage, EventIndexPage)

    def test_events_sit_under_the_calendar_only(self):
        self.assertCanCreateAt(EventIndexPage, EventPage)
        self.assertCanNotCreateAt(DirectoryIndexPage, EventPage)
        self.assertCanNotCreateAt(HomePage, EventPage)
        self.assertAllowedSubpageTypes(EventPage, {})

    def test_an_event_is_routable(self):
        with time_machine.travel(NOW, tick=False):
            event = EventPageFactory()
            self.assertPageIsRoutable(event)
            self.assertPageIsRenderable(event)


def _clean(event: EventPage) -> None:
    # An unsaved page has no tree position yet; the rest is validated as the admin would.
    event.full_clean(exclude=["path", "depth"])


def _errors(event: EventPage) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        _clean(event)
    return caught.value.message_dict


def _event(**kwargs) -> EventPage:
    fields = {"title": "催し", "slug": "e", "start": at("2026-12-10"), **kwargs}
    return EventPage(**fields)


def test_end_before_start_is_refused_in_japanese():
    errors = _errors(_event(end=at("2026-12-10", "09:00")))
    assert errors["end"] == ["終了は開始より後にしてください。"]


def test_all_day_end_may_equal_the_start_day_but_not_precede_it():
    _clean(_event(all_day=True, end=at("2026-12-10", "00:00")))
    errors = _errors(_event(all_day=True, end=at("2026-12-09")))
    assert errors["end"] == ["終了日は開始日以降にしてください。"]


def test_deadline_after_start_is_refused():
    errors = _errors(_event(application_deadline=at("2026-12-11")))
    assert errors["application_deadline"] == ["申込締切は開始より前にしてください。"]


def test_until_and_count_together_are_refused():
    errors = _errors(_event(frequency="weekly", repeat_until=dt.date(2027, 1, 31), repeat_count=4))
    assert errors["repeat_count"] == [
        "「繰り返しの終了日」と「回数」は、どちらか一方だけ入力してください。"
    ]


def test_until_before_start_is_refused():
    errors = _errors(_event(frequency="weekly", repeat_until=dt.date(2026, 12, 1)))
    assert errors["repeat_until"] == ["繰り返しの終了日は開始日以降にしてください。"]


def test_a_start_off_the_rule_is_refused():
    # 2026-12-10 is a Thursday, not the 2nd Tuesday.
    errors = _errors(_event(frequency="monthly", weekdays="TU", weeks_of_month="2"))
    assert errors["start"] == [
        "開始日時が繰り返しの条件に合っていません。初回の日時を入力してください。"
    ]


def test_online_form_is_only_for_events_that_do_not_repeat():
    errors = _errors(_event(frequency="weekly", how_to_apply="form"))
    assert errors["how_to_apply"] == ["申込フォームは繰り返さない催しでのみ使えます。"]


def test_telephone_application_needs_a_number():
    errors = _errors(_event(how_to_apply="phone"))
    assert "申込先の電話番号" in errors["phone"][0]


def test_weekly_rule_defaults_to_the_start_weekday():
    event = _event(frequency="weekly", repeat_count=4)
    _clean(event)
    assert event.weekdays == "TH"
    assert event.rrule_text() == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;COUNT=4"


def test_until_is_the_end_of_that_day_in_tokyo_as_utc():
    event = _event(frequency="weekly", weekdays="TH", repeat_until=dt.date(2027, 1, 28))
    assert event.rrule_text() == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH;UNTIL=20270128T145959Z"


def test_monthly_nth_weekday_rule():
    event = _event(
        start=at("2026-12-08"), frequency="monthly", weekdays="TU", weeks_of_month="2,-1"
    )
    _clean(event)
    assert event.rrule_text() == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU,-1TU"


def test_rule_fields_are_cleared_when_it_does_not_repeat():
    event = _event(weekdays="MO", repeat_count=3, weeks_of_month="2")
    _clean(event)
    assert (event.weekdays, event.repeat_count, event.weeks_of_month) == ("", None, "")


def test_ends_at_is_the_end_of_the_last_occurrence(calendar):
    single = EventPageFactory(start=at("2026-12-10"), end=at("2026-12-10", "12:00"))
    counted = EventPageFactory(
        start=at("2026-12-08"), frequency="monthly", weekdays="TU", weeks_of_month="2",
        repeat_count=3,
    )  # fmt: skip
    forever = EventPageFactory(start=at("2026-12-02"), frequency="weekly")
    assert single.ends_at == at("2026-12-10", "12:00")
    assert counted.ends_at == at("2027-02-09", "12:00")
    assert forever.ends_at is None


def test_all_day_events_end_at_midnight_after_their_last_day(calendar):
    event = EventPageFactory(start=at("2026-12-12", "00:00"), end=at("2026-12-13"), all_day=True)
    assert event.ends_at == at("2026-12-14", "00:00")


def test_sequence_bumps_when_a_published_change_moves_the_time(calendar):
    event = EventPageFactory()
    assert event.sequence == 0
    event.title = "題名だけ変更"
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 0
    event.start += dt.timedelta(hours=1)
    event.end += dt.timedelta(hours=1)
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 1
    event.cancelled = True
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 2


def test_a_draft_does_not_bump_the_published_sequence(calendar):
    event = EventPageFactory()
    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    event.save_revision()
    event.refresh_from_db()
    assert event.sequence == 0
    assert event.start == at("2026-12-10")


def test_sequence_bumps_when_an_exception_date_is_added(calendar):
    event = EventPageFactory(start=at("2026-12-02"), frequency="weekly")
    event.exdates = [EventExdate(date=dt.date(2026, 12, 16))]
    event.save_revision().publish()
    event.refresh_from_db()
    assert event.sequence == 1


def test_held_at_a_place_takes_its_district_and_address(calendar):
    area = AreaFactory(name="国頭")
    place = PlacePageFactory(title="国頭公民館", area=area, address="和泊町国頭1番地")
    event = EventPageFactory(place=place)
    assert (event.area_id, event.address, event.venue) == (area.pk, "和泊町国頭1番地", "国頭公民館")
    assert isinstance(event.place, PlacePage)


def test_search_text_includes_the_venue(calendar):
    event = EventPageFactory(title="敬老会", venue_name="喜美留公民館")
    terms = event.search_text().split()
    assert "公民館" in terms and "キビル" in terms


def test_found_by_the_directory_search_of_listings(calendar):
    event = EventPageFactory(title="子ども食堂の日", venue_name="地域の台所")
    assert matches(event.search_text(), "しょくどう")
    assert matches(event.search_text(), "台所")


def test_saving_stores_the_dates_without_the_exception_dates(calendar):
    event = EventPageFactory(
        start=at("2026-12-02", "17:00"), end=at("2026-12-02", "19:00"), frequency="weekly",
        repeat_count=4, exdates=[dt.date(2026, 12, 16)],
    )  # fmt: skip
    stored = list(EventOccurrence.objects.filter(event=event).values_list("start", "finish"))
    assert stored == [
        (at(day, "17:00"), at(day, "19:00")) for day in ("2026-12-02", "2026-12-09", "2026-12-23")
    ]
    event.start, event.end = at("2026-12-03", "17:00"), at("2026-12-03", "19:00")
    event.weekdays = "TH"
    event.save_revision().publish()
    assert EventOccurrence.objects.filter(event=event).first().start == at("2026-12-03", "17:00")


def test_series_that_never_end_are_stored_up_to_the_horizon_and_extended_daily(calendar, now):
    event = EventPageFactory(start=at("2026-12-07"), frequency="weekly")
    last = EventOccurrence.objects.filter(event=event).last().start
    assert now + HORIZON - dt.timedelta(days=7) < last <= now + HORIZON
    with time_machine.travel(now + dt.timedelta(days=30), tick=False):
        assert occurrences_extend() == 1
    assert EventOccurrence.objects.filter(event=event).last().start > last + dt.timedelta(days=21)


def test_the_stored_vevent_follows_the_site_address(calendar, django_capture_on_commit_callbacks):
    """The URL follows the new address; the UID does not (it is the install's, not the host's),
    so subscribers keep one entry per event."""
    event = EventPageFactory()
    uid = f"{event.hsds_id}@{install_id()}"
    assert icalendar.Event.from_ical(event.ical_vevent)["UID"] == uid
    site = Site.objects.get(is_default_site=True)
    site.hostname = "tsunagu.example.jp"
    with django_capture_on_commit_callbacks(execute=True), eager_celery():
        site.save()
    event.refresh_from_db()
    assert icalendar.Event.from_ical(event.ical_vevent)["UID"] == uid
    assert f"URL:http://tsunagu.example.jp{event.url}" in event.ical_vevent


def test_events_far_ahead_are_stored_beyond_the_horizon(calendar):
    event = EventPageFactory(start=at("2029-06-01"), end=None)
    assert list(EventOccurrence.objects.filter(event=event).values_list("start", flat=True)) == [
        at("2029-06-01")
    ]
