"""Consent: no proposal or placement without it; withdrawal blocks at once; history kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from matching import services
from matching.models import Consent, Placement, Proposal
from matching.services import MatchingError

from .factories import consent

pytestmark = pytest.mark.django_db


def test_without_consent_there_is_no_proposal(person, coordinator, activity):
    with pytest.raises(MatchingError):
        services.proposal_create(client=person, activity_id=activity.pk, by=coordinator)
    assert not Proposal.objects.exists()


def test_the_support_meeting_stage_allows_no_placement(person, coordinator, activity):
    consent(person, coordinator, stage=Consent.Stage.SUPPORT_MEETING)
    with pytest.raises(MatchingError):
        services.placement_create(client=person, activity=activity, by=coordinator)
    assert not Placement.objects.exists()


def test_consent_needs_a_scope(person, coordinator):
    with pytest.raises(MatchingError):
        services.consent_record(
            client=person, stage=Consent.Stage.CONSENTED, obtained_on=dt.date(2026, 11, 1),
            by=coordinator,
        )  # fmt: skip
    assert not person.consents.exists()


def test_withdrawal_withdraws_open_proposals_and_blocks_sending(consented, coordinator, activity):
    proposal = services.proposal_create(client=consented, activity_id=activity.pk, by=coordinator)
    services.proposal_update(proposal=proposal, summary="畑が好きな方", by=coordinator)
    services.proposal_send(proposal=proposal, by=coordinator)
    consent(consented, coordinator, stage=Consent.Stage.WITHDRAWN)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    response = services.proposal_respond(proposal_id=proposal.pk, accept=True)
    assert response.status == Proposal.Status.WITHDRAWN
    assert not Placement.objects.exists()


def test_withdrawal_ends_placements_already_under_way(consented, coordinator, activity):
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    consent(consented, coordinator, stage=Consent.Stage.WITHDRAWN)
    with pytest.raises(MatchingError):
        services.placement_accept(placement=placement, by=coordinator)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED


def test_the_latest_record_decides(person, coordinator, activity):
    consent(person, coordinator)
    consent(person, coordinator, stage=Consent.Stage.WITHDRAWN)
    consent(person, coordinator)
    assert person.latest_consent().stage == Consent.Stage.CONSENTED
    assert [c.stage for c in person.consents.all()] == ["consented", "withdrawn", "consented"]
    services.proposal_create(client=person, activity_id=activity.pk, by=coordinator)


def test_consent_records_are_never_changed_or_deleted(consented):
    record = consented.latest_consent()
    record.note = "書き換え"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    assert consented.consents.count() == 1


def test_the_consent_form_records_a_withdrawal(client, consented, coordinator):
    client.force_login(coordinator)
    url = f"/admin/clients/{consented.pk}/consent/"
    assert 'value="withdrawn" selected' in client.get(url + "?stage=withdrawn").content.decode()
    response = client.post(
        url,
        {
            "stage": "withdrawn",
            "obtained_on": "2026-11-20",
            "method": "phone",
            "scope": "",
            "note": "本人から電話で撤回の申し出",
        },
    )
    assert response.status_code == 302
    assert consented.latest_consent().stage == Consent.Stage.WITHDRAWN


def test_the_consent_form_refuses_consent_without_scope(client, person, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/admin/clients/{person.pk}/consent/",
        {"stage": "consented", "obtained_on": "2026-11-20", "method": "written", "scope": ""},
    )
    assert response.status_code == 200
    assert not person.consents.exists()
