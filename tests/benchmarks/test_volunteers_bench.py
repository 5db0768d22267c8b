"""Reminders and thank-yous over 50,000 shifts: fast, and touching only what is due.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_volunteers_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL). 50,000 shifts over 500 days with two confirmed sign-ups
each; every upcoming one has its reminder queued in the outbox (~94,000 rows), as sign-ups do.
Budgets: the day-before sweep at ten — a claim that reads only the ~200 due rows, then every
reminder composed and delivered in-process — ≤ 20 ms an email (4 s); the hourly thank-you sweep
— hours logged and thank-yous queued for the ~600 sign-ups of shifts that ended in the last three
days — ≤ 2 s, and their delivery ≤ 20 ms an email. An email costs two queries and two
templates to compose (tests/volunteers/test_emails.py holds it to two queries) plus the
outbox's own round trips: lease, commit "sending", send, commit "sent".
"""

import datetime as dt
import sys
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import registry
from outbox import services as outbox
from outbox.models import Message
from tsunagu.celery import app
from volunteers import emails, services
from volunteers.models import HoursEntry, OpportunityPage, Shift, SignUp, Volunteer
from volunteers.models.people import new_calendar_token

from ..volunteers.conftest import local
from ..volunteers.factories import make_opportunity

N_SHIFTS = 50_000
N_PAGES = 50
N_VOLUNTEERS = 2_000
DAYS = 500
SIGNUPS_PER_SHIFT = 2
EMAIL_BUDGET_S = 0.020  # compose, commit "sending", send, commit "sent"
THANKS_SWEEP_BUDGET_S = 2.0
NO_SEARCH_INDEXING = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def shifts() -> list[OpportunityPage]:
    """50,000 shifts from 30 days ago to 470 days ahead, two confirmed sign-ups each, and the
    reminders of the upcoming ones queued (before ten this morning, so none is due yet)."""
    with override_settings(WAGTAILSEARCH_BACKENDS=NO_SEARCH_INDEXING):
        pages = [make_opportunity(shifts=[]) for _ in range(N_PAGES)]
    start = timezone.localdate() - dt.timedelta(days=30)
    Shift.objects.bulk_create(
        (
            Shift(
                opportunity=pages[n % N_PAGES],
                date=start + dt.timedelta(days=n % DAYS),
                starts_at=dt.time(8 + n % 10),
                ends_at=dt.time(10 + n % 10),
                slots=3,
                sort_order=n,
            )
            for n in range(N_SHIFTS)
        ),
        batch_size=5_000,
    )
    Volunteer.objects.bulk_create(
        (
            Volunteer(
                name=f"ベンチ{n}",
                kana="べんち",
                email=f"bench{n}@example.jp",
                status=Volunteer.Status.ACTIVE,
                calendar_token=new_calendar_token(),
            )
            for n in range(N_VOLUNTEERS)
        ),
        batch_size=2_000,
    )
    volunteer_ids = list(Volunteer.objects.values_list("pk", flat=True))
    shift_ids = list(Shift.objects.values_list("pk", flat=True))
    SignUp.objects.bulk_create(
        (
            SignUp(
                volunteer_id=volunteer_ids[(i * SIGNUPS_PER_SHIFT + k) % N_VOLUNTEERS],
                shift_id=shift_id,
                status=SignUp.Status.CONFIRMED,
            )
            for i, shift_id in enumerate(shift_ids)
            for k in range(SIGNUPS_PER_SHIFT)
        ),
        batch_size=10_000,
    )
    with time_machine.travel(local(timezone.localdate(), dt.time(7)), tick=True):
        for page in pages:
            services.shift_reminders_schedule(shifts=Shift.objects.filter(opportunity=page))
    # A worker has its URLconf and templates loaded after its first task; so does this process.
    warm_up = Message.objects.filter(kind=emails.REMINDER).order_by("-due_at").first()
    registry.get(emails.REMINDER).compose(warm_up)
    return pages


def test_day_before_reminders_over_50000_shifts(shifts):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    due = SignUp.objects.filter(shift__date=tomorrow).count()
    queued = Message.objects.filter(kind=emails.REMINDER).count()
    assert Shift.objects.count() == N_SHIFTS
    app.conf.task_always_eager = True
    mail.outbox.clear()

    at_ten = local(timezone.localdate(), services.REMINDER_AT) + dt.timedelta(minutes=1)
    with time_machine.travel(at_ten, tick=True):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as claim_queries:
            claimed = outbox.claim()
        claimed_at = time.perf_counter()
        outbox.publish(claimed)  # in-process: every reminder composed and sent
        finished = time.perf_counter()
        again = outbox.sweep()

    claim_s, deliver_s, total_s = (
        claimed_at - started,
        finished - claimed_at,
        finished - started,
    )
    report(
        f"\nday-before reminders on {connection.vendor}: {N_SHIFTS:,} shifts, "
        f"{SignUp.objects.count():,} sign-ups, {queued:,} reminders queued, {due} due"
    )
    budget_s = due * EMAIL_BUDGET_S
    report(
        f"  claim {claim_s * 1000:.0f} ms ({len(claim_queries)} queries) + deliver {due} "
        f"emails {deliver_s * 1000:.0f} ms = {total_s * 1000:.0f} ms "
        f"(budget {budget_s * 1000:.0f} ms)"
    )

    assert len(claimed) == due > 0  # only the due rows were claimed
    assert Message.objects.filter(status=Message.Status.SENT).count() == due
    assert len(mail.outbox) == due
    assert not again
    assert total_s <= budget_s


def test_thanks_sweep_over_50000_shifts(shifts, django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    mail.outbox.clear()
    # Before ten: no shift of today has ended yet, and no reminder is due to muddle the count.
    now = local(timezone.localdate(), dt.time(9, 30))
    window = now.date() - services.THANKS_WINDOW
    due = SignUp.objects.filter(shift__date__gte=window, shift__date__lt=now.date()).count()

    with time_machine.travel(now, tick=True):
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=False) as bells:
            claimed = services.signup_thanks_claim()
        claimed_at = time.perf_counter()
        for ring in bells:
            ring()  # the outbox's sweep after commit: every thank-you composed and sent
        finished = time.perf_counter()
        again = services.signup_thanks_claim()

    claim_s, deliver_s = claimed_at - started, finished - claimed_at
    budget_s = due * EMAIL_BUDGET_S
    report(
        f"\nthank-you sweep on {connection.vendor}: {due} sign-ups of shifts ended in the last "
        f"{services.THANKS_WINDOW.days} days: hours logged and thank-yous queued in "
        f"{claim_s * 1000:.0f} ms (budget {THANKS_SWEEP_BUDGET_S * 1000:.0f} ms), sent in "
        f"{deliver_s * 1000:.0f} ms (budget {budget_s * 1000:.0f} ms)"
    )

    assert claimed == due > 0 and again == 0
    assert HoursEntry.objects.count() == due
    assert Message.objects.filter(kind=emails.THANKS, status=Message.Status.SENT).count() == due
    assert len(mail.outbox) == due
    assert claim_s <= THANKS_SWEEP_BUDGET_S
    assert deliver_s <= budget_s
