"""The coordinator's panel on the admin home: their clients only, nothing for the others."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followups import services
from followups.selectors import dashboard
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
