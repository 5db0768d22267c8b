"""Moving reminders and thank-yous to the outbox (0002): nothing pending is lost, nothing already
sent is sent again, and upcoming sign-ups get the reminder the hourly sweep used to give."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from outbox.models import Message
from tests.support.migrations import latest_schema_afterwards  # noqa: F401 - fixture
from volunteers import services
from volunteers.models import HoursEntry, SignUp

from .conftest import local
from .factories import VolunteerFactory, make_opportunity

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("latest_schema_afterwards"),
]

BEFORE = [("volunteers", "0001_initial")]
AFTER = [("volunteers", "0002_notices_to_outbox")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_pending_notices_move_to_the_outbox_and_upcoming_sign_ups_get_reminders():
    today = timezone.localdate()
    tomorrow = make_opportunity().shifts.get()
    next_week = make_opportunity(shifts=[{"date": today + dt.timedelta(days=7)}]).shifts.get()
    yesterday = make_opportunity(shifts=[{"date": today - dt.timedelta(days=1)}]).shifts.get()
    people = [VolunteerFactory() for _ in range(6)]

    old = _migrate(BEFORE)
    OldSignUp, Notice = old.get_model("volunteers", "SignUp"), old.get_model("volunteers", "Notice")
    OldHours = old.get_model("volunteers", "HoursEntry")

    def signup(person, shift, status="confirmed", **notice):
        row = OldSignUp.objects.create(volunteer_id=person.pk, shift_id=shift.pk, status=status)
        if notice:
            Notice.objects.create(signup=row, **notice)
        return row.pk

    unsent_reminder = signup(people[0], tomorrow, kind="reminder")
    sent_reminder = signup(people[1], tomorrow, kind="reminder", delivered_at=timezone.now())
    not_yet_reminded = signup(people[2], next_week)
    signup(people[3], next_week, status="waitlisted")
    thanked = signup(people[4], yesterday, kind="thanks", delivered_at=timezone.now())
    unsent_thanks = signup(people[5], yesterday, kind="thanks")
    for pk, person in ((thanked, people[4]), (unsent_thanks, people[5])):
        OldHours.objects.create(
            volunteer_id=person.pk, signup_id=pk, date=yesterday.date, hours=2, source="shift"
        )

    _migrate(AFTER)

    rows = {(m.kind, m.object_id): m for m in Message.objects.all()}
    assert {key: m.status for key, m in rows.items()} == {
        ("volunteers.reminder", str(unsent_reminder)): Message.Status.PENDING,
        ("volunteers.reminder", str(not_yet_reminded)): Message.Status.PENDING,
        ("volunteers.thanks", str(unsent_thanks)): Message.Status.PENDING,
        # Kept as history, so that its key stops the app queuing a second reminder.
        ("volunteers.reminder", str(sent_reminder)): Message.Status.SENT,
    }
    copied = rows["volunteers.reminder", str(unsent_reminder)]
    assert copied.topic == f"signup:{unsent_reminder}"
    assert copied.next_attempt_at <= timezone.now() and copied.expires_at == tomorrow.starts
    scheduled = rows["volunteers.reminder", str(not_yet_reminded)]
    assert scheduled.due_at == local(next_week.date - dt.timedelta(days=1), dt.time(10))
    assert scheduled.expires_at == next_week.starts
    assert rows["volunteers.thanks", str(unsent_thanks)].key == f"volunteers.thanks:{unsent_thanks}"
    # The keys are the ones the app uses: queuing again adds nothing.
    assert services.shift_reminders_schedule(shifts=[tomorrow, next_week]) == 0
    # Thanked (or claimed) before the move: never logged or thanked again.
    logged = SignUp.objects.filter(hours_logged_at__isnull=False)
    assert set(logged.values_list("pk", flat=True)) == {thanked, unsent_thanks}
    assert services.signup_thanks_claim() == 0
    assert HoursEntry.objects.count() == 2
