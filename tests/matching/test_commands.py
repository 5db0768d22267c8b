"""propose and assign_batch: JSON for scripts, with the directory's ids; scoped like the admin."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from matching import services
from resources.models import Term
from tests.resources.factories import TermFactory

from .factories import ClientFactory, consent, host_activity

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def farming():
    return TermFactory(name="農作業", kind=Term.Kind.INTEREST)


def test_propose_lists_ranked_activities_with_external_ids(consented, farming):
    consented.interests.add(farming)
    host_activity(title="花の畑", external_id="WAD-A-001", tags=[farming])
    host_activity(title="おしゃべり会", external_id="WAD-A-002")
    payload = json.loads(run("propose", consented.reference_code, "--top", "5", "--format", "json"))
    assert payload["client"] == consented.reference_code
    ranked = payload["proposals"]
    assert [p["activity"]["external_id"] for p in ranked] == ["WAD-A-001", "WAD-A-002"]
    assert ranked[0]["score"] > ranked[1]["score"]
    assert "関心が1つ一致（農作業）" in ranked[0]["reasons"]
    assert ranked[0]["activity"]["hsds_id"]
    assert consented.name not in json.dumps(payload, ensure_ascii=False)


def test_propose_text_and_top(consented):
    host_activity(title="花の畑")
    host_activity(title="おしゃべり会")
    text = run("propose", consented.external_id or consented.reference_code, "--top", "1")
    assert text.startswith("1. ") and "2. " not in text


def test_propose_refuses_what_the_user_cannot_see_or_without_consent(
    consented, person, other_coordinator, team_b
):
    with pytest.raises(CommandError):
        run("propose", consented.reference_code, "--by", other_coordinator.username)
    unconsented = ClientFactory(team=team_b)
    with pytest.raises(CommandError):
        run("propose", unconsented.reference_code)
    with pytest.raises(CommandError):
        run("propose", "C-NOSUCH")


def test_assign_batch_places_waiting_clients_within_capacity(team_a, coordinator, farming):
    only_place = host_activity(
        title="一人だけの畑", placement_capacity=1, tags=[farming], external_id="A1"
    )
    keen, other, busy = (ClientFactory(team=team_a) for _ in range(3))
    for person in (keen, other, busy):
        consent(person, coordinator)
    keen.interests.add(farming)
    services.placement_create(client=busy, activity=only_place, by=coordinator)
    ClientFactory(team=team_a)  # no consent: not waiting
    payload = json.loads(run("assign_batch", "--format", "json"))
    assert [a["client"] for a in payload["assignments"]] == [keen.reference_code]
    assert payload["assignments"][0]["activity"]["external_id"] == "A1"
    assert payload["unassigned"] == [other.reference_code]
    assert payload["total_score"] == payload["assignments"][0]["score"]


def test_assign_batch_sees_only_the_users_clients(team_a, team_b, other_coordinator, coordinator):
    host_activity()
    mine, theirs = ClientFactory(team=team_b), ClientFactory(team=team_a)
    consent(mine, other_coordinator)
    consent(theirs, coordinator)
    payload = json.loads(
        run("assign_batch", "--format", "json", "--by", other_coordinator.username)
    )
    everyone = [a["client"] for a in payload["assignments"]] + payload["unassigned"]
    assert everyone == [mine.reference_code]
