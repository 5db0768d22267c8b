"""The canary: a unique string in a client's name and notes, then every flow — and the string
turns up in no log record, no email, no outbox row, no Celery payload, no host page and no
error report."""

import datetime as dt
import io
import json
import logging
import uuid

import pytest
import time_machine
from celery import Celery
from celery.app.task import Task
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils.log import AdminEmailHandler

from matching import services
from matching.models import Proposal
from matching.tokens import proposal_token
from outbox import services as outbox
from outbox.models import Message

from .factories import host_activity

pytestmark = pytest.mark.django_db

CANARY = f"canary{uuid.uuid4().hex[:12]}"


@pytest.fixture
def task_payloads(monkeypatch):
    """Every task published (or run eagerly): name, args and kwargs as the broker would see."""
    sent: list[str] = []
    apply_async, send_task = Task.apply_async, Celery.send_task

    def recording_apply_async(self, args=None, kwargs=None, *rest, **options):
        sent.append(repr((self.name, args, kwargs, options)))
        return apply_async(self, args, kwargs, *rest, **options)

    def recording_send_task(self, name, args=None, kwargs=None, **options):
        sent.append(repr((name, args, kwargs, options)))
        return send_task(self, name, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording_apply_async)
    monkeypatch.setattr(Celery, "send_task", recording_send_task)
    return sent


@pytest.fixture
def canary_client(consented):
    consented.name = f"{CANARY}太郎"
    consented.kana = f"{CANARY}たろう"
    consented.notes = f"家族関係の詳細 {CANARY}"
    consented.save()
    return consented


def test_the_canary_never_leaves_the_coordinators_screens(
    client, canary_client, coordinator, supervisor, caplog, task_payloads,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    first = host_activity(title="花の畑", email="hana@example.jp")
    second = host_activity(title="ゆりの会", email="yuri@example.jp")
    host_pages: list[str] = []

    client.force_login(coordinator)
    client.post(
        "/admin/clients/new/",
        {"name": f"{CANARY}次郎", "notes": CANARY, "team": canary_client.team_id,
         "status": "consulting"},
    )  # fmt: skip
    client.get(f"/admin/clients/{canary_client.pk}/edit/")
    client.get(f"/admin/clients/{canary_client.pk}/propose/")
    for activity in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/admin/clients/{canary_client.pk}/propose/", {"activity": activity.pk})
            proposal = Proposal.objects.get(activity=activity)
            client.post(
                f"/admin/clients/proposals/{proposal.pk}/",
                {"action": "send", "summary": "土いじりが好きな方です"},
            )
    client.logout()

    accepted, waiting = Proposal.objects.get(activity=first), Proposal.objects.get(activity=second)
    url = f"/matching/respond/{proposal_token(accepted.pk)}/"
    with django_capture_on_commit_callbacks(execute=True):
        host_pages.append(client.get(url).content.decode())
        host_pages.append(client.post(url, {"decision": "accept"}).content.decode())
    host_pages.append(
        client.get(f"/matching/respond/{proposal_token(waiting.pk)}/").content.decode()
    )

    with time_machine.travel(waiting.sent_at + dt.timedelta(days=7, hours=1)):
        assert outbox.sweep()["claimed"] == 1  # the reminder
    with time_machine.travel(waiting.sent_at + dt.timedelta(days=15)):
        assert services.proposal_sweep()["expired"] == 1

    client.force_login(supervisor)
    export = client.get("/admin/clients/?export=csv")
    exported = b"".join(export.streaming_content).decode()
    assert canary_client.reference_code in exported
    client.get("/admin/clients/?export=xlsx")
    client.get(f"/admin/clients/{canary_client.pk}/history/")
    out = io.StringIO()
    call_command("propose", canary_client.reference_code, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["client"] == canary_client.reference_code

    assert len(mail.outbox) >= 4  # two proposals, one answer notice, one reminder
    for message in mail.outbox:
        assert CANARY not in message.subject + message.body + " ".join(message.to)
    for row in Message.objects.values():  # what the outbox keeps, sent or not
        assert CANARY not in repr(row)
    assert task_payloads and not [payload for payload in task_payloads if CANARY in payload]
    for page in host_pages:
        assert CANARY not in page
    assert CANARY not in exported + out.getvalue()
    for record in caplog.records:
        assert CANARY not in record.getMessage(), record.name
        assert CANARY not in repr(record.args), record.name


@override_settings(ADMINS=[("運用担当", "ops@example.jp")], DEBUG=False)
@pytest.mark.parametrize("include_html", [False, True])
def test_an_error_report_does_not_carry_what_was_posted(
    client, canary_client, coordinator, monkeypatch, include_html,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A crash while saving a record: the report an administrator would get (with or without
    the HTML part that lists every frame's variables) has no canary."""
    handler = AdminEmailHandler(include_html=include_html)
    handler.setLevel(logging.ERROR)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    monkeypatch.setattr("matching.services.consent_record", lambda **kwargs: 1 / 0)
    client.raise_request_exception = False
    client.force_login(coordinator)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the report is an outbox row
            response = client.post(
                f"/admin/clients/{canary_client.pk}/consent/",
                {"stage": "consented", "obtained_on": "2026-11-20", "scope": CANARY,
                 "note": CANARY},
            )  # fmt: skip
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    (report,) = [m for m in mail.outbox if "ops@example.jp" in m.to]
    html = "".join(content for content, _type in report.alternatives)
    assert CANARY not in report.subject + report.body + html
