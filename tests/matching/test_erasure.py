"""Erasing a client (``erase_client``) and the retention job (``erase_expired_clients``).

The erasure test writes a distinctive canary into every free-text field a client's records
have, in matching, follow-ups and the outbox, erases, and then looks for it everywhere: every
column of every table with raw SQL (the search index tables included), and every model's
values through the ORM (which decrypts encrypted fields). The statistics must not move.
"""

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from followups import services as followups
from followups.models import CheckIn
from matching import services
from matching.erasure import client_erase
from matching.models import (
    Client,
    ClientLogEntry,
    Consent,
    Placement,
    PlacementStatusChange,
    Proposal,
    SupportPlan,
)
from matching.models.clients import FIELD_FLAGS
from matching.tasks import erase_expired_clients
from outbox.models import Message
from resources.models import Term
from tests.resources.factories import TermFactory

from .factories import ClientFactory, host_activity

pytestmark = pytest.mark.django_db

MARK = "kanariya"  # lower-case ASCII: survives LOWER() and full-text normalisation


def canary(field: str) -> str:
    return f"{MARK}-{field}-消去確認"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- a client with a canary in every free-text field ------------------------------------------


@pytest.fixture
def marked(team_a, coordinator, django_capture_on_commit_callbacks) -> Client:
    """Name, kana, notes, external ID; two plans; a consent; three proposals (one withdrawn,
    one declined, one accepted into an active placement), a placement interrupted with a reason,
    recorded check-ins with notes and the host's comment; an outbox row holding content."""
    farming = TermFactory(name="農作業", kind=Term.Kind.INTEREST)
    person = ClientFactory(
        team=team_a,
        name=canary("name"),
        kana=canary("kana"),
        notes=canary("notes"),
        external_id=canary("external_id"),
        field_disability=True,
        status=Client.Status.SUPPORTING,
    )
    person.coordinators.add(coordinator)
    person.interests.add(farming)
    services.consent_record(
        client=person, stage=Consent.Stage.CONSENTED, obtained_on=dt.date(2026, 11, 1),
        scope=canary("consent.scope"), note=canary("consent.note"), by=coordinator,
    )  # fmt: skip
    old = services.plan_create(
        client=person, by=coordinator, goals=canary("plan.goals.old"),
        support_details=canary("plan.details.old"),
    )  # fmt: skip
    services.plan_close(plan=old, status=SupportPlan.Status.INTERRUPTED,
                        reason=canary("plan.close_reason"), closed_on=dt.date(2026, 11, 5),
                        by=coordinator)  # fmt: skip
    plan = services.plan_create(
        client=person, by=coordinator, goals=canary("plan.goals"),
        support_details=canary("plan.details"), meeting_date=dt.date(2026, 11, 10),
        meeting_organisations=canary("plan.organisations"),
    )  # fmt: skip
    services.plan_review(plan=plan, reviewed_on=dt.date(2026, 11, 20),
                         note=canary("plan.review_note"), by=coordinator)  # fmt: skip

    activities = [host_activity(title=f"受け入れ{i}", tags=[farming]) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        proposals = []
        for i, activity in enumerate(activities):
            proposal = services.proposal_create(
                client=person, activity_id=activity.pk, by=coordinator
            )
            services.proposal_update(
                proposal=proposal, summary=canary(f"proposal.summary.{i}"), by=coordinator
            )
            proposals.append(services.proposal_send(proposal=proposal, by=coordinator))
        withdrawn, declined, accepted = proposals
        services.proposal_withdraw(
            proposal=withdrawn, reason=canary("proposal.status_reason"), by=coordinator
        )
        services.proposal_respond(
            proposal_id=declined.pk, accept=False, comment=canary("proposal.response.no")
        )
        services.proposal_respond(
            proposal_id=accepted.pk, accept=True, comment=canary("proposal.response.yes")
        )
    Proposal.objects.filter(pk=accepted.pk).update(reasons=[canary("proposal.reasons")])

    placement = Placement.objects.get(proposal=accepted)
    placement = services.placement_activate(placement=placement, by=coordinator)
    baseline, first = placement.checkins.order_by("offset_days")[:2]
    followups.checkin_record(
        checkin=baseline, by=coordinator, ucla_no_company=2, ucla_left_out=2, ucla_isolated=3,
        life_satisfaction=6, notes=canary("checkin.notes"),
        next_action=canary("checkin.next_action"),
    )  # fmt: skip
    followups.host_answer(
        checkin_id=first.pk, attending="yes", concern=False, comment=canary("checkin.host")
    )

    # A second placement, interrupted with a reason in its history.
    other = host_activity(title="受け入れ3")
    second = services.placement_create(client=person, activity=other, by=coordinator)
    services.placement_accept(placement=second, by=coordinator)
    services.placement_close(placement=second, status=Placement.Status.INTERRUPTED,
                             reason=canary("placement.reason"),
                             end_reason=Placement.EndReason.HEALTH, by=coordinator)  # fmt: skip

    # Content held by an outbox row about the person (a stored email waiting to go).
    Message.objects.create(
        kind="outbox.stored",
        topic=f"placement:{placement.pk}",
        payload={"subject": canary("outbox.subject"), "body": canary("outbox.body")},
    )
    return person


# --- where the canaries could be -------------------------------------------------------------


def raw_hits() -> tuple[dict[str, int], set[str]]:
    """Every column of every table, cast to text: table.column → rows holding the mark."""
    hits: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # names from the catalogue
                    f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                    [f"%{MARK}%"],
                )
                if count := cursor.fetchone()[0]:
                    hits[f"{table}.{column.name}"] = count
    return hits, set(tables)


def orm_hits() -> dict[str, int]:
    """Every concrete field of every model, read through the ORM (decrypted)."""
    hits: Counter[str] = Counter()
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or model._meta.db_table not in tables:
            continue  # a proxy reads its parent's table; a table not created has no rows
        fields = [f for f in model._meta.concrete_fields if not f.is_relation]
        for obj in model._base_manager.all().iterator():
            for field in fields:
                if MARK in str(field.value_from_object(obj)).lower():
                    hits[f"{model._meta.label}.{field.name}"] += 1
    return dict(hits)


def statistics() -> dict[str, object]:
    """What the town's reports count: clients by field and status, and every record by status."""

    def by(model, *fields):
        rows = model.objects.values_list(*fields).annotate(n=Count("pk")).order_by()
        return sorted(rows)

    return {
        **{flag: Client.objects.filter(**{flag: True}).count() for flag in FIELD_FLAGS},
        "clients": by(Client, "status"),
        "consents": by(Consent, "stage"),
        "plans": by(SupportPlan, "status"),
        "proposals": by(Proposal, "status"),
        "placements": by(Placement, "status"),
        "status_changes": by(PlacementStatusChange, "to_status"),
        "checkins": by(CheckIn, "status", "attendance"),
        "ucla": Counter(CheckIn.objects.values_list("ucla_no_company", "life_satisfaction")),
        "interests": Counter(Client.interests.through.objects.values_list("term_id")),
        "dates": Counter(Placement.objects.values_list("started_on", "ended_on")),
    }


# --- erase_client ----------------------------------------------------------------------------


def test_erasure_leaves_no_canary_anywhere_and_the_statistics_unchanged(marked, coordinator):
    before_orm = orm_hits()
    # The scan can fail: before erasure it finds the canary of every field that holds one.
    assert {
        "matching.Client.name", "matching.Client.kana", "matching.Client.notes",
        "matching.Client.external_id", "matching.SupportPlan.goals",
        "matching.SupportPlan.support_details", "matching.SupportPlan.meeting_organisations",
        "matching.SupportPlan.review_note", "matching.SupportPlan.close_reason",
        "matching.Consent.scope", "matching.Consent.note", "matching.Proposal.summary",
        "matching.Proposal.status_reason", "matching.Proposal.response_comment",
        "matching.Proposal.reasons", "matching.PlacementStatusChange.reason",
        "followups.CheckIn.notes", "followups.CheckIn.next_action",
        "followups.CheckIn.host_comment", "outbox.Message.payload",
    } <= set(before_orm)  # fmt: skip
    before_raw, _tables = raw_hits()
    assert before_raw  # unencrypted columns (summaries, reasons) show it in raw SQL too
    active = marked.placements.get(status=Placement.Status.ACTIVE)
    services.placement_close(placement=active, status=Placement.Status.SETTLED, reason="",
                             by=coordinator)  # fmt: skip
    stats = statistics()
    code = marked.reference_code

    out = run("erase_client", code, "--by", coordinator.username)

    assert code in out
    assert orm_hits() == {}
    after_raw, tables = raw_hits()
    assert after_raw == {}
    assert any("indexentry" in table for table in tables)  # the search index was scanned
    assert statistics() == stats
    marked.refresh_from_db()
    assert marked.reference_code == code
    assert marked.erased_at is not None
    assert (marked.birth_year, marked.age_band) == (None, 60)
    if hasattr(marked, "kana_hash"):  # the search hash, where encryption added one
        assert not marked.kana_hash


def test_erasure_is_audited_without_personal_data_and_a_second_run_changes_nothing(
    marked, coordinator
):
    run("erase_client", marked.reference_code, "--force", "--reason", "request")
    entry = ClientLogEntry.objects.get(action="matching.client.erase")
    assert entry.user is None  # the system: no --by
    assert entry.client_id == marked.pk
    assert entry.label == marked.reference_code
    assert MARK not in str(entry.data).lower()
    assert entry.data["reason"] == "request"

    marked.refresh_from_db()
    erased_at, updated_at = marked.erased_at, marked.updated_at
    out = run("erase_client", marked.reference_code)
    assert "消去済み" in out
    marked.refresh_from_db()
    assert (marked.erased_at, marked.updated_at) == (erased_at, updated_at)
    assert ClientLogEntry.objects.filter(action="matching.client.erase").count() == 1


def test_an_unknown_reference_is_refused_in_japanese(marked):
    with pytest.raises(CommandError, match="整理番号 C-NOSUCH の対象者はいません"):
        run("erase_client", "C-NOSUCH")
    marked.refresh_from_db()
    assert marked.erased_at is None


def test_an_open_placement_is_refused_without_force_and_nothing_changes(marked):
    before = orm_hits()
    with pytest.raises(CommandError, match="終了していない参加が 1 件"):
        run("erase_client", marked.reference_code)
    assert orm_hits() == before
    assert not ClientLogEntry.objects.filter(action="matching.client.erase").exists()


def test_another_teams_coordinator_cannot_erase(marked, other_coordinator):
    with pytest.raises(CommandError):
        run("erase_client", marked.reference_code, "--force", "--by", other_coordinator.username)
    marked.refresh_from_db()
    assert marked.erased_at is None
    assert marked.name == canary("name")


def test_erasure_cancels_what_is_still_waiting_about_the_person(marked):
    placement = marked.placements.get(status=Placement.Status.ACTIVE)
    waiting = Message.objects.filter(
        topic=f"placement:{placement.pk}", status=Message.Status.PENDING
    )
    assert waiting.count() > 1
    client_erase(reference_code=marked.reference_code, by=None, force=True)
    assert not waiting.exists()


# --- retention -------------------------------------------------------------------------------


@pytest.fixture
def closed_case(consented) -> Client:
    consented.status = Client.Status.CLOSED
    consented.save()
    consented.refresh_from_db()
    assert consented.closed_at is not None
    return consented


def later(case: Client, *, years: int, days: int = 0) -> dt.datetime:
    return case.closed_at.replace(year=case.closed_at.year + years) + dt.timedelta(days=days)


def test_reopening_a_case_stops_the_retention_clock(closed_case):
    closed_case.status = Client.Status.SUPPORTING
    closed_case.save(update_fields=["status"])
    closed_case.refresh_from_db()
    assert closed_case.closed_at is None


def test_a_case_closed_four_years_ago_is_kept(closed_case):
    with time_machine.travel(later(closed_case, years=4, days=300), tick=False):
        erase_expired_clients()
        out = run("erase_expired_clients")
    assert "0 件を消去" in out
    closed_case.refresh_from_db()
    assert closed_case.erased_at is None
    assert closed_case.name == "山田花子"


def test_a_case_closed_more_than_five_years_ago_is_erased_by_the_daily_task(closed_case):
    with time_machine.travel(later(closed_case, years=5, days=1), tick=False):
        erase_expired_clients()
    closed_case.refresh_from_db()
    assert closed_case.erased_at is not None
    assert (closed_case.name, closed_case.kana) == ("", "")
    entry = ClientLogEntry.objects.get(action="matching.client.erase")
    assert entry.data["reason"] == "retention"


def test_the_dry_run_lists_and_changes_nothing(closed_case):
    with time_machine.travel(later(closed_case, years=5, days=1), tick=False):
        out = run("erase_expired_clients", "--dry-run")
    assert closed_case.reference_code in out
    closed_case.refresh_from_db()
    assert closed_case.erased_at is None
    assert closed_case.name == "山田花子"
    assert not ClientLogEntry.objects.filter(action="matching.client.erase").exists()


def test_the_retention_period_is_a_setting(closed_case, settings):
    settings.CLIENT_RETENTION_YEARS = 3
    with time_machine.travel(later(closed_case, years=3, days=1), tick=False):
        run("erase_expired_clients")
    closed_case.refresh_from_db()
    assert closed_case.erased_at is not None
