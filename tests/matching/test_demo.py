"""The sample participation support loads after the directory's demo, once."""

import io

import pytest
from django.core.management import call_command

from matching.models import Client, Consent, Placement, Proposal, Team, TeamMembership

pytestmark = pytest.mark.django_db


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_two_teams_three_staff_and_ten_sample_clients():
    output = load()
    assert Team.objects.filter(is_sample=True).count() == 2
    roles = dict(TeamMembership.objects.values_list("user__username", "role"))
    assert roles == {
        "coord_houkatsu": "coordinator", "coord_kodomo": "coordinator", "supervisor": "supervisor"
    }  # fmt: skip
    assert output.count("参加支援のアカウント") == 3
    clients = Client.objects.exclude(reference_code__startswith="SAMPLE-H")  # reports' history
    assert clients.count() == 10
    assert all(c.is_sample and c.reference_code.startswith("SAMPLE-") for c in clients)
    assert all("サンプル" in c.name for c in clients)
    stages = {c.reference_code: c.latest_consent() for c in clients}
    assert stages["SAMPLE-004"].stage == Consent.Stage.SUPPORT_MEETING
    assert stages["SAMPLE-007"].stage == Consent.Stage.WITHDRAWN
    assert stages["SAMPLE-010"] is None
    placement_states = set(Placement.objects.values_list("status", flat=True))
    assert {"accepted", "active", "settled", "interrupted"} <= placement_states
    proposal_states = set(Proposal.objects.values_list("status", flat=True))
    assert {"draft", "sent", "declined"} <= proposal_states


def test_loading_again_changes_nothing():
    load()
    counts = (Client.objects.count(), Proposal.objects.count(), Placement.objects.count())
    output = load()
    assert (Client.objects.count(), Proposal.objects.count(), Placement.objects.count()) == counts
    assert "パスワード" not in output.replace("パスワードは変更していません", "")
