"""Which listings are due a reminder, and which are stale: the boundaries, by the day."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from resources.models import ListingPage
from tests.events.factories import EventPageFactory, at
from tests.volunteers.factories import make_opportunity
from verification import selectors
from verification.models import VerificationReminder

from .conftest import REMIND_CUTOFF, STALE_CUTOFF, TODAY
from .factories import activity, operator, place

pytestmark = pytest.mark.django_db


def _due_ids() -> set[int]:
    return set(selectors.due_listings(today=TODAY).values_list("pk", flat=True))


def test_a_listing_verified_exactly_six_months_ago_is_due_and_a_day_later_is_not(now):
    due = place(REMIND_CUTOFF)
    not_yet = place(REMIND_CUTOFF + dt.timedelta(days=1))
    assert _due_ids() == {due.pk}
    assert not_yet.pk not in _due_ids()


def test_the_cutoff_follows_the_setting(now):
    listing = place(dt.date(2026, 9, 1))
    assert listing.pk not in _due_ids()
    with override_settings(VERIFICATION_REMIND_AFTER_MONTHS=3):
        assert listing.pk in _due_ids()


def test_without_a_verification_date_the_publication_date_counts():
    with time_machine.travel(at("2026-06-01", "10:00"), tick=False):
        published_then = activity(None)
    with time_machine.travel(at("2026-06-02", "10:00"), tick=False):
        published_later = activity(None)
    with time_machine.travel(at("2026-12-01", "09:00"), tick=False):
        assert _due_ids() == {published_then.pk}
        row = selectors.due_listings(today=TODAY).get()
        assert row.cycle == dt.date(2026, 6, 1)
        assert published_later.pk not in _due_ids()


def test_unpublished_sample_and_already_reminded_listings_are_not_due(now):
    unpublished = place(REMIND_CUTOFF)
    unpublished.unpublish()
    place(REMIND_CUTOFF, is_sample=True)
    reminded = place(REMIND_CUTOFF)
    VerificationReminder.objects.create(page=reminded, cycle=REMIND_CUTOFF)
    assert _due_ids() == set()


def test_a_reminder_for_an_older_cycle_does_not_stop_the_next_one(now):
    listing = place(REMIND_CUTOFF)
    VerificationReminder.objects.create(page=listing, cycle=dt.date(2025, 6, 1))
    assert _due_ids() == {listing.pk}


def test_finished_events_need_no_verification_but_series_still_running_do(now):
    over = EventPageFactory(start=at("2026-11-20"), assured_date=REMIND_CUTOFF)
    running = EventPageFactory(
        start=at("2026-06-02"),
        frequency="weekly",
        weekdays="TU",
        assured_date=REMIND_CUTOFF,
    )
    assert _due_ids() == {running.pk}
    assert not selectors.listing_is_stale(over, today=TODAY)


def test_opportunities_are_listings_too(now):
    opportunity = make_opportunity(assured_date=REMIND_CUTOFF)
    assert _due_ids() == {opportunity.pk}


def test_operators_records_are_due_by_their_own_date(now):
    due = operator(assured_date=REMIND_CUTOFF)
    operator(assured_date=REMIND_CUTOFF + dt.timedelta(days=1))
    assert list(selectors.due_organizations(today=TODAY).values_list("pk", flat=True)) == [due.pk]


def test_stale_means_a_further_month_has_passed(now):
    stale = place(STALE_CUTOFF)
    due_only = place(STALE_CUTOFF + dt.timedelta(days=1))
    stale_ids = set(selectors.stale_listings(today=TODAY).values_list("pk", flat=True))
    assert stale_ids == {stale.pk}
    assert selectors.listing_is_stale(ListingPage.objects.get(pk=stale.pk), today=TODAY)
    assert not selectors.listing_is_stale(ListingPage.objects.get(pk=due_only.pk), today=TODAY)
