"""Two people racing for the last seat: the event row lock lets exactly one in (PostgreSQL)."""

import threading
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from events.models import EventSignup
from events.models.signups import EventSignupQuerySet
from events.services import signup_create

from .factories import EventPageFactory, at

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(
    not POSTGRES,
    reason="row locks need PostgreSQL (DATABASE_URL); SQLite serialises every write anyway",
)
@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_take_the_last_seat(calendar, monkeypatch, eager_tasks):
    event = EventPageFactory(start=at("2026-12-10"), how_to_apply="form", capacity=1)
    first_counted = threading.Event()
    original = EventSignupQuerySet.seats_taken

    def slow_count(self, *, event):
        # The first applicant pauses after counting the seats, inside its transaction: without
        # the lock the second would count the same free seat meanwhile.
        taken = original(self, event=event)
        if threading.current_thread().name == "first":
            first_counted.set()
            time.sleep(0.5)
        return taken

    monkeypatch.setattr(EventSignupQuerySet, "seats_taken", slow_count)
    outcomes: dict[str, str] = {}

    def apply(name: str) -> None:
        try:
            signup_create(event=event, name=name, phone="0997-84-0000")
            outcomes[name] = "accepted"
        except ValidationError as exc:
            outcomes[name] = exc.message_dict["__all__"][0]
        finally:
            connection.close()

    first = threading.Thread(target=apply, args=("一郎",), name="first")
    second = threading.Thread(target=apply, args=("二郎",), name="second")
    first.start()
    assert first_counted.wait(timeout=10)
    second.start()
    first.join(timeout=20)
    second.join(timeout=20)

    assert outcomes == {
        "一郎": "accepted",
        "二郎": "申し訳ありません。この催しは定員に達しました。",
    }
    assert list(EventSignup.objects.values_list("name", flat=True)) == ["一郎"]
