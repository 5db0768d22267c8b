"""The sample town's follow-ups: due and overdue at once, reminders without names, idempotent."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from followups.models import CheckIn, Reminder
from followups.selectors import dashboard
from matching.models import Client, Placement


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(CheckIn.objects.values_list("pk", "status", "due_on")),
        sorted(Reminder.objects.values_list("pk", "status", "due_at")),
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

    def test_the_sweep_command_sends_the_due_reminders_without_names(self):
        out = io.StringIO()
        call_command("followup_sweep", stdout=out)
        assert "送信依頼" in out.getvalue()
        kinds = sorted(Reminder.objects.get(pk=m.extra_headers["X-Tsunagu-Reminder"]).kind
                       for m in mail.outbox)  # fmt: skip
        assert kinds == ["coordinator", "escalation", "host"]
        names = list(Client.objects.values_list("name", flat=True))
        for message in mail.outbox:
            assert not any(name in message.body + message.subject for name in names)

    def test_loading_again_changes_nothing(self):
        before = snapshot()
        output = load()
        assert "フォローアップのサンプルは作成済みです" in output
        assert snapshot() == before
        assert timezone.localdate() - dt.timedelta(days=60) in [
            p.started_on for p in Placement.objects.filter(status="active")
        ]
