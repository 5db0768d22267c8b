"""The coordinator's panel on the admin home: their clients only, nothing for the others."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups import emails, services
from followups.selectors import dashboard
from outbox import services as outbox
from outbox.models import Message
from tests.matching.factories import ClientFactory, consent

from .conftest import make_active

pytestmark = pytest.mark.django_db


def test_counts_for_the_coordinators_own_clients(placement, coordinator, team_b, activity,
                                                  other_coordinator):  # fmt: skip
    other = ClientFactory(team=team_b)
    consent(other, other_coordinator)
    make_active(other, activity, other_coordinator)
    today = placement.started_on + dt.timedelta(days=40)  # 14 overdue, 42 in two days

    mine = dashboard(coordinator, today=today)
    assert (mine.due_this_week, mine.overdue, mine.failed_sends) == (1, 1, 0)
    assert dict(mine.by_state) == {"参加中": 1}
    theirs = dashboard(other_coordinator, today=today)
    assert (theirs.due_this_week, theirs.overdue) == (1, 1)
    assert [c.placement.client_id for c in mine.upcoming] == [placement.client_id] * 2


def _refused_at(day: dt.date) -> None:
    """The mail server refuses every follow-up message due by ``day``."""
    refused = smtplib.SMTPRecipientsRefused({"x@example.jp": (550, b"no such user")})
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour=10)))
    with (
        time_machine.travel(when, tick=False),
        mock.patch("outbox.delivery.send", side_effect=refused),
    ):
        outbox.sweep()


def test_failed_and_expired_sends_of_the_users_own_clients_only(
    placement, coordinator, team_b, activity, other_coordinator, supervisor
):
    other = ClientFactory(team=team_b)
    consent(other, other_coordinator)
    theirs = make_active(other, activity, other_coordinator)
    today = placement.started_on + dt.timedelta(days=14)
    _refused_at(today)  # both placements: the coordinator's reminder and the host's question
    assert Message.objects.filter(status="failed").count() == 4
    # One of the other team's expired instead: it counts too, for them.
    Message.objects.filter(
        topic=f"placement:{theirs.pk}", kind=emails.HOST, status="failed"
    ).update(status="expired")

    assert dashboard(coordinator, today=today).failed_sends == 2
    assert dashboard(other_coordinator, today=today).failed_sends == 2
    assert dashboard(supervisor, today=today).failed_sends == 4  # a supervisor sees every client


def test_counting_failed_sends_costs_the_same_queries_however_many_failed(
    placement, coordinator, django_assert_num_queries
):
    _refused_at(placement.started_on + dt.timedelta(days=14))
    dashboard(coordinator)  # the user's permissions, cached on the user
    with CaptureQueriesContext(connection) as few:
        assert dashboard(coordinator).failed_sends == 2
    # Day 42's two fail, and day 14's escalation (due on day 21) expired meanwhile.
    _refused_at(placement.started_on + dt.timedelta(days=42))
    with django_assert_num_queries(len(few.captured_queries)):
        assert dashboard(coordinator).failed_sends == 5


def test_recorded_check_ins_are_not_overdue(placement, coordinator):
    services.checkin_record(
        checkin=placement.checkins.get(offset_days=14), by=coordinator, attendance="continuing"
    )
    assert dashboard(coordinator, today=placement.started_on + dt.timedelta(days=40)).overdue == 0


def test_the_panel_on_the_admin_home(client, placement, coordinator):
    later = timezone.now() + dt.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        client.force_login(coordinator)
        text = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="followups-panel-heading"' in text
    assert placement.client.reference_code in text
    assert placement.client.name not in text


def test_no_panel_for_users_without_client_access(client, placement, editor):
    client.force_login(editor)
    text = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "followups-panel-heading" not in text
    assert dashboard(editor) is None
