"""Sign-ups lose their personal data EVENTS_SIGNUP_RETENTION_DAYS after the event ends."""

import datetime as dt

import pytest
from django.conf import settings

from events.models import EventSignup
from events.services import signups_erase_expired
from events.tasks import erase_expired_signups
from tsunagu.celery import app

from .conftest import NOW
from .factories import EventPageFactory, EventSignupFactory

pytestmark = pytest.mark.django_db


def _event_ended(days_ago: int, **kwargs):
    end = NOW - dt.timedelta(days=days_ago)
    return EventPageFactory(start=end - dt.timedelta(hours=2), end=end, **kwargs)


def test_anonymises_signups_of_events_that_ended_long_ago(calendar):
    old = EventSignupFactory(
        event=_event_ended(31), name="和泊 花子", kana="わどまり", email="h@example.jp",
        note="杖を使います", party_size=3,
    )  # fmt: skip
    recent = EventSignupFactory(event=_event_ended(29), name="国頭 一郎")
    erase_expired_signups()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.kana, old.phone, old.email, old.note, old.token) == (
        "",
        "",
        "",
        "",
        "",
        None,
    )
    assert old.erased_at is not None and old.party_size == 3  # attendance can still be counted
    assert recent.name == "国頭 一郎" and recent.erased_at is None


def test_is_idempotent_and_batches_by_primary_key(calendar):
    event = _event_ended(40)
    EventSignupFactory.create_batch(5, event=event)
    assert signups_erase_expired(batch_size=2) == 5
    assert signups_erase_expired(batch_size=2) == 0
    assert not EventSignup.objects.exclude(name="").exists()


def test_repeating_events_keep_signups_until_the_series_ends(calendar):
    forever = EventPageFactory(
        start=NOW - dt.timedelta(days=70), frequency="weekly", how_to_apply="none"
    )
    signup = EventSignupFactory(event=forever)
    assert signups_erase_expired() == 0
    signup.refresh_from_db()
    assert signup.erased_at is None


def test_retention_period_is_a_setting(calendar, settings):
    settings.EVENTS_SIGNUP_RETENTION_DAYS = 7
    EventSignupFactory(event=_event_ended(8))
    assert signups_erase_expired() == 1


def test_runs_daily_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["events-erase-expired-signups"]
    assert entry["task"] == "events.tasks.erase_expired_signups"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert settings.EVENTS_SIGNUP_RETENTION_DAYS == 30
