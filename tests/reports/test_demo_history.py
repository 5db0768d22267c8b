"""The demo's sample history: closed cases only, so it sends nothing and asks nothing of anyone."""

import io

import pytest
from django.core.management import call_command

from followups.models import CheckIn
from matching.models import Client, Placement
from outbox.models import Message
from reports.demo import CASES, PREFIX

pytestmark = pytest.mark.django_db


def test_history_is_closed_sample_data_and_loads_once(sample_town):
    history = Client.objects.filter(reference_code__startswith=PREFIX)
    assert history.count() == CASES
    assert set(history.values_list("is_sample", flat=True)) == {True}
    assert set(history.values_list("status", flat=True)) == {Client.Status.CLOSED}
    placements = Placement.objects.filter(client__in=history)
    assert placements.exists()
    assert set(placements.values_list("status", flat=True)) <= set(Placement.CLOSED)
    assert not CheckIn.objects.filter(
        placement__in=placements, status=CheckIn.Status.PENDING
    ).exists()
    messages = Message.objects.count()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "作成済み" in out.getvalue()
    assert history.count() == CASES
    assert Message.objects.count() == messages
