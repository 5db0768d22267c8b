"""One sign-up per person and event: the same telephone number or email address, however it is
typed, is refused the second time in Japanese; places are counted right; the database refuses it
too (even if the service's own check were bypassed, and under a race on PostgreSQL)."""

import importlib
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from events import services
from events.models import EventPage, EventSignup
from events.services import signup_cancel, signup_create, signups_erase_expired

from .factories import EventPageFactory, EventSignupFactory, at

pytestmark = pytest.mark.django_db
ALREADY = "この電話番号またはメールアドレスで、この催しへのお申し込みをすでに受け付けています。"


@pytest.fixture
def event(calendar) -> EventPage:
    return EventPageFactory(
        title="敬老会", start=at("2026-12-10", "10:00"), how_to_apply="form", capacity=20
    )


def _refusal(**kwargs) -> str:
    before = EventSignup.objects.count()
    with pytest.raises(ValidationError) as caught:
        signup_create(**kwargs)
    assert EventSignup.objects.count() == before  # nothing written
    return " ".join(caught.value.messages)


def test_the_same_name_and_phone_three_times_takes_one_place(event):
    """The issue's measurement: 20 → 17 places after three submits. Now 20 → 19."""
    signup_create(event=event, name="和泊 花子", phone="0997-84-1234")
    for typed in ("0997841234", "０９９７－８４－１２３４"):
        assert ALREADY in _refusal(event=event, name="和泊 花子", phone=typed)
    assert event.seats_left() == 19


def test_the_same_email_in_other_letters_is_the_same_person(event):
    signup_create(event=event, name="花子", email="Hanako@Example.jp")
    assert ALREADY in _refusal(event=event, name="はなこ", email="ＨＡＮＡＫＯ＠example.JP")


def test_either_contact_matching_is_enough(event):
    signup_create(event=event, name="花子", phone="090-1111-2222")
    message = _refusal(event=event, name="花子", phone="090-1111-2222", email="new@example.jp")
    assert ALREADY in message and "人数" in message  # a family applies once, with its number


def test_other_people_and_other_events_are_not_affected(event, calendar):
    signup_create(event=event, name="花子", phone="090-1111-2222", email="h@example.jp")
    signup_create(event=event, name="一郎", phone="090-3333-4444")
    other = EventPageFactory(start=at("2026-12-11"), how_to_apply="form")
    signup_create(event=other, name="花子", phone="090-1111-2222")
    assert EventSignup.objects.count() == 3


def test_after_cancelling_the_same_person_may_apply_again(event):
    first = signup_create(event=event, name="花子", phone="090-1111-2222", party_size=2)
    signup_cancel(signup=first)
    again = signup_create(event=event, name="花子", phone="090-1111-2222", party_size=3)
    assert again.pk != first.pk and event.seats_left() == 17


def test_the_database_refuses_a_second_active_row_with_the_same_key(event):
    EventSignup.objects.create(event=event, name="一", phone="1", phone_key="0997841234")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventSignup.objects.create(event=event, name="二", phone="2", phone_key="0997841234")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventSignup.objects.create(event=event, name="三", email_key="a@b.jp")
        EventSignup.objects.create(event=event, name="四", email_key="a@b.jp")
    # Cancelled rows and rows without the key (old data, erased rows) are not counted.
    EventSignup.objects.filter(name="一").update(cancelled_at=event.start)
    EventSignup.objects.create(event=event, name="五", phone_key="0997841234")
    EventSignup.objects.create(event=event, name="六")
    EventSignup.objects.create(event=event, name="七")


def test_the_constraint_answers_in_japanese_when_the_check_is_bypassed(event, monkeypatch):
    signup_create(event=event, name="花子", phone="090-1111-2222")
    monkeypatch.setattr(services, "_already_signed_up", lambda signup, event: False)
    assert ALREADY in _refusal(event=event, name="花子", phone="09011112222")


def test_erasing_a_signup_erases_its_keys(event, now):
    signup_create(event=event, name="花子", phone="090-1111-2222", email="h@example.jp")
    EventPage.objects.filter(pk=event.pk).update(ends_at=at("2026-01-01"))
    assert signups_erase_expired() == 1
    erased = EventSignup.objects.get()
    assert (erased.phone_key, erased.email_key) == ("", "")


def test_the_second_try_on_the_page_shows_the_japanese_message(client, event):
    form = {"name": "和泊 花子", "kana": "", "phone": "0997-84-1234", "email": "",
            "party_size": "1", "note": ""}  # fmt: skip
    assert client.post(event.url, form).status_code == 302
    response = client.post(event.url, {**form, "phone": "０９９７８４１２３４"})
    html = response.content.decode()
    assert response.status_code == 200 and ALREADY in html
    assert EventSignup.objects.count() == 1
    assert "残り 19 人" in html


def test_the_migration_keys_old_rows_and_leaves_old_duplicates_unkeyed(event):
    first = EventSignupFactory(event=event, phone="0997-84-1234", email="A@example.jp")
    duplicate = EventSignupFactory(event=event, phone="0997841234")
    other = EventSignupFactory(event=event, phone="090-0000-0000")
    cancelled = EventSignupFactory(event=event, phone="0997-84-1234", cancelled_at=event.start)
    migration = importlib.import_module("events.migrations.0004_signup_keys_and_what_to_bring")

    migration.fill_keys(apps, schema_editor=None)

    keys = dict(EventSignup.objects.values_list("pk", "phone_key"))
    assert keys[first.pk] == "0997841234" and keys[other.pk] == "09000000000"
    assert keys[duplicate.pk] == "" and keys[cancelled.pk] == ""  # nobody's place is dropped
    assert EventSignup.objects.get(pk=first.pk).email_key == "a@example.jp"


@pytest.mark.fullstack
@pytest.mark.django_db(transaction=True)
def test_two_tries_at_once_take_one_place(calendar, eager_tasks):
    """Two submits of the same person at the same moment, each in its own connection."""
    event = EventPageFactory(start=at("2026-12-10"), how_to_apply="form", capacity=20)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def apply(phone: str) -> None:
        try:
            barrier.wait(timeout=10)
            signup_create(event=event, name="和泊 花子", phone=phone)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=apply, args=(phone,)) for phone in ("0997-84-1234", "0997841234")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = [outcome for outcome in outcomes if outcome != "accepted"]
    assert len(outcomes) == 2 and len(refused) == 1 and ALREADY in refused[0]
    assert EventSignup.objects.filter(event=event).count() == 1
    assert event.seats_left() == 19


@pytest.mark.fullstack
@pytest.mark.django_db(transaction=True)
def test_the_constraint_holds_when_two_writers_skip_the_lock(calendar):
    """Without the event lock and the service's check, PostgreSQL's unique index still lets
    exactly one of two concurrent inserts of the same person through."""
    event = EventPageFactory(start=at("2026-12-10"), how_to_apply="form")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def insert(name: str) -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                EventSignup.objects.create(event=event, name=name, phone_key="0997841234")
            outcomes.append("inserted")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert, args=(name,)) for name in ("一", "二")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["inserted", "refused"]
