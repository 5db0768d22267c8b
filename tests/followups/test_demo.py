"""The sample town's follow-ups: due and overdue at once, reminders without names, idempotent."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from followups.models import CheckIn
from followups.selectors import dashboard
from matching.models import Client, Placement
from outbox import services as outbox
from outbox.delivery import HEADER
from outbox.models import Message


def followup_messages():
    return Message.objects.filter(kind__startswith="followups.")


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(CheckIn.objects.values_list("pk", "status", "due_on")),
        sorted(followup_messages().values_list("pk", "status", "due_at")),
        sorted(Placement.objects.values_list("pk", "status", "started_on")),
    )


@pytest.mark.usefixtures("sample_town")
@pytest.mark.django_db
class TestFollowUpDemo:
    def test_the_dashboard_shows_due_and_overdue_at_once(self):
        from django.contrib.auth import get_user_model

        coordinator = get_user_model().objects.get(username="coord_houkatsu")
        board = dashboard(coordinator)
        assert board.overdue >= 1 and board.due_this_week >= 1
        # matching's demo keeps its own states
        assert {"accepted", "active", "settled", "interrupted"} <= set(
            Placement.objects.values_list("status", flat=True)
        )
        assert CheckIn.objects.filter(status="done").count() >= 3

    def test_the_sweep_sends_the_due_reminders_without_names(self):
        # What ``manage.py outbox_sweep`` runs; the command itself starts with
        # close_old_connections(), which on PostgreSQL closes this test's open transaction.
        assert outbox.sweep()["claimed"] >= 3
        rows = followup_messages().in_bulk([int(m.extra_headers[HEADER]) for m in mail.outbox])
        sent = [m for m in mail.outbox if int(m.extra_headers[HEADER]) in rows]
        kinds = sorted(rows[int(m.extra_headers[HEADER])].kind for m in sent)
        # The six-week check-in, 18 days overdue; the two-week host question was answered.
        assert kinds == ["followups.coordinator", "followups.escalation", "followups.host"]
        names = list(Client.objects.values_list("name", flat=True))
        for message in sent:
            assert not any(name in message.body + message.subject for name in names)
        answered = followup_messages().filter(kind="followups.host", status="cancelled")
        assert answered.filter(reason="受け入れ先はすでに回答しています。").count() == 1

    def test_loading_again_changes_nothing(self):
        before = snapshot()
        output = load()
        assert "フォローアップのサンプルは作成済みです" in output
        assert snapshot() == before
        assert timezone.localdate() - dt.timedelta(days=60) in [
            p.started_on for p in Placement.objects.filter(status="active")
        ]
