"""The day-before reminder sweep over 50,000 shifts: fast, and touching only the due sign-ups.

Run alone: .venv/bin/python -m pytest tests/benchmarks/test_volunteers_bench.py -q -s -p no:logging
(with DATABASE_URL for PostgreSQL). Budget: the sweep — claim plus every reminder delivered
in-process — ≤ 2 s. 50,000 shifts over 500 days with two sign-ups each: ~200 are due.
"""

import datetime as dt
import sys
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tsunagu.celery import app
from volunteers import emails, services
from volunteers.models import Notice, OpportunityPage, Shift, SignUp, Volunteer
from volunteers.models.people import new_calendar_token

from ..volunteers.factories import make_opportunity

N_SHIFTS = 50_000
N_PAGES = 50
N_VOLUNTEERS = 2_000
DAYS = 500
SIGNUPS_PER_SHIFT = 2
SWEEP_BUDGET_S = 2.0
WRITE_STATEMENTS = ("UPDATE", "INSERT", "DELETE")
NO_SEARCH_INDEXING = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def shifts() -> int:
    """50,000 shifts from 30 days ago to 470 days ahead, two confirmed sign-ups each."""
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
    # A worker has its URLconf and templates loaded after its first task; so does this process.
    warm_up = SignUp.objects.select_related("volunteer", "shift__opportunity").first()
    emails.send_signup_email(kind="reminder", signup=warm_up, town=None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return SignUp.objects.filter(shift__date=tomorrow).count()


def test_reminder_sweep_over_50000_shifts(shifts, django_capture_on_commit_callbacks):
    due = shifts
    assert OpportunityPage.objects.count() == N_PAGES
    assert Shift.objects.count() == N_SHIFTS
    app.conf.task_always_eager = True
    mail.outbox.clear()

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as claim_queries:
        with django_capture_on_commit_callbacks(execute=False) as deliveries:
            claimed = services.signup_reminders_claim()
    claimed_at = time.perf_counter()
    for deliver in deliveries:
        deliver()
    finished = time.perf_counter()

    writes = [
        q["sql"] for q in claim_queries if q["sql"].lstrip().upper().startswith(WRITE_STATEMENTS)
    ]
    claim_s, deliver_s, total_s = (
        claimed_at - started,
        finished - claimed_at,
        finished - started,
    )
    report(
        f"\nreminder sweep on {connection.vendor}: {N_SHIFTS:,} shifts, "
        f"{SignUp.objects.count():,} sign-ups, {due} due tomorrow"
    )
    report(
        f"  claim {claim_s * 1000:.0f} ms ({len(claim_queries)} queries, "
        f"{len(writes)} write statements) + deliver {due} emails {deliver_s * 1000:.0f} ms "
        f"= {total_s * 1000:.0f} ms (budget {SWEEP_BUDGET_S * 1000:.0f} ms)"
    )
    second_started = time.perf_counter()
    again = services.signup_reminders_claim()
    second_ms = (time.perf_counter() - second_started) * 1000
    report(f"  a second sweep: {again} claimed in {second_ms:.0f} ms")

    assert claimed == due > 0
    assert Notice.objects.count() == due  # only the due sign-ups were touched
    assert len(writes) == 1  # one INSERT of the notices; nothing else written
    assert len(mail.outbox) == due
    assert again == 0
    assert total_s <= SWEEP_BUDGET_S
