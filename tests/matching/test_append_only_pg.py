"""Append-only (and a referral's closing once), proven on PostgreSQL as the application's role.

A throwaway login role is created in the test database's cluster, given the application's
privileges by ``manage.py grant_app_role`` and used over a psycopg connection of its own — the
way gunicorn and the workers connect in docker-compose.yml.
"""

import io
import secrets
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from matching import services
from matching.models import ClientLogEntry, Consent, PlacementStatusChange, Referral

from .factories import ClientFactory

pytestmark = [pytest.mark.fullstack, pytest.mark.django_db(transaction=True)]

HISTORY = ("matching_consent", "matching_placementstatuschange", "matching_clientlogentry")


def owner(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture
def app_role():
    """(role name, psycopg connection as that role); the role is dropped afterwards."""
    role = f"tsunagu_app_{uuid.uuid4().hex[:10]}"
    password = secrets.token_urlsafe(16)
    owner(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        call_command("grant_app_role", role, stdout=io.StringIO())
        call_command("grant_app_role", role, stdout=io.StringIO())  # idempotent
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            dbname=settings["NAME"],
            user=role,
            password=password,
            autocommit=True,
        ) as conn:
            yield role, conn
    finally:
        owner(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
        owner(f"DROP OWNED BY {role}")
        owner(f"DROP ROLE {role}")


@pytest.fixture
def history(consented, coordinator, activity):
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    services.placement_close(
        placement=placement, status="ended", reason="本人の希望で終了",
        end_reason="person_wish", by=coordinator,
    )  # fmt: skip
    return consented


def run(conn, sql: str, params: tuple = ()) -> int:
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(conn, sql: str) -> str:
    """The error PostgreSQL gives the app role for ``sql`` (the test fails if it succeeds)."""
    with pytest.raises(psycopg.Error) as error:
        run(conn, sql)
    return str(error.value)


def snapshot() -> list[list[dict]]:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Consent, PlacementStatusChange, ClientLogEntry)
    ]


def test_the_app_role_cannot_rewrite_or_erase_history(app_role, history):
    _, conn = app_role
    before = snapshot()
    assert all(before)
    for sql in (
        "UPDATE matching_consent SET stage = 'withdrawn'",
        "UPDATE matching_placementstatuschange SET to_status = 'settled'",
        "UPDATE matching_clientlogentry SET action = 'matching.client.export'",
        *(f"DELETE FROM {table}" for table in HISTORY),
        *(f"TRUNCATE {table}" for table in HISTORY),
    ):
        assert "permission denied" in refused(conn, sql), sql
    for table in HISTORY:
        for sql in (
            f"DROP TRIGGER {table}_append_only ON {table}",
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} DROP COLUMN id",
            f"DROP TABLE {table}",
        ):
            assert "must be owner" in refused(conn, sql), sql
    assert "permission denied" in refused(conn, "CREATE TABLE scratch (id int)")
    # An erasable column may only become '': the trigger refuses any other text.
    for sql in (
        "UPDATE matching_consent SET scope = '同意の範囲を書き換え'",
        "UPDATE matching_placementstatuschange SET reason = '別の理由'",
        "UPDATE matching_clientlogentry SET label = 'C-OTHER'",
    ):
        assert "append-only" in refused(conn, sql), sql
    assert snapshot() == before


def test_the_triggers_hold_even_if_the_role_were_granted_too_much(app_role, history):
    role, conn = app_role
    for table in HISTORY:
        owner(f"GRANT ALL ON {table} TO {role}")
    before = snapshot()
    for table in HISTORY:
        assert "append-only" in refused(conn, f"DELETE FROM {table}")
        assert "append-only" in refused(conn, f"TRUNCATE {table}")
    for sql in (
        "UPDATE matching_consent SET scope = '', stage = 'withdrawn'",
        "UPDATE matching_consent SET recorded_by_id = NULL",
        "UPDATE matching_placementstatuschange SET changed_at = now()",
        "UPDATE matching_clientlogentry SET label = '', data = '{}', user_id = NULL",
    ):
        assert "append-only" in refused(conn, sql), sql
    assert snapshot() == before


def test_the_app_role_inserts_history_and_blanks_free_text(app_role, history, coordinator):
    _, conn = app_role
    consent = Consent.objects.get(client=history)
    run(
        conn,
        "INSERT INTO matching_consent (id, seq, client_id, stage, scope, obtained_on, method,"
        " note, recorded_by_id, recorded_at) VALUES (%s, 1, %s, 'withdrawn', '', '2026-12-01',"
        " 'phone', '本人から電話', %s, now())",
        (uuid.uuid4(), history.pk, coordinator.pk),
    )
    placement = history.placements.get()
    run(
        conn,
        "INSERT INTO matching_placementstatuschange (placement_id, from_status, to_status,"
        " reason, changed_by_id, changed_at) VALUES (%s, 'ended', 'ended', 'メモ', %s, now())",
        (placement.pk, coordinator.pk),
    )
    run(
        conn,
        "INSERT INTO matching_clientlogentry (client_id, label, action, data, timestamp,"
        " content_changed, deleted) VALUES (%s, %s, 'matching.client.view', '{}', now(),"
        " false, false)",
        (history.pk, history.reference_code),
    )
    assert Consent.objects.filter(client=history).count() == 2
    assert placement.status_changes.count() == 3
    assert ClientLogEntry.objects.filter(action="matching.client.view").count() == 1

    # What erase_free_text() sends: blank the free text, nothing else changes.
    assert run(conn, "UPDATE matching_consent SET scope = '', note = ''") == 2
    assert run(conn, "UPDATE matching_placementstatuschange SET reason = ''") == 3
    assert run(conn, "UPDATE matching_clientlogentry SET label = ''") > 0
    consent_after = Consent.objects.get(pk=consent.pk)
    assert (consent_after.scope, consent_after.stage) == ("", consent.stage)
    assert consent_after.obtained_on == consent.obtained_on
    assert not PlacementStatusChange.objects.exclude(reason="").exists()


def test_the_app_role_reads_and_writes_ordinary_tables(app_role, history):
    _, conn = app_role
    assert run(conn, "UPDATE matching_client SET status = 'closed' WHERE id = %s", (history.pk,))
    history.refresh_from_db()
    assert history.status == "closed"
    with conn.cursor() as cursor:
        cursor.execute("SELECT reference_code FROM matching_client")
        assert cursor.fetchall() == [(history.reference_code,)]
    assert run(conn, "DELETE FROM django_session") == 0


def test_the_grant_command_refuses_an_owner_or_unknown_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    with pytest.raises(CommandError, match="所有"):
        call_command("grant_app_role", me, stdout=io.StringIO())
    with pytest.raises(CommandError, match="存在しません"):
        call_command("grant_app_role", "no_such_role_here", stdout=io.StringIO())


@pytest.fixture
def moved_to(team_a):
    """Another client, whom a rewritten referral would name instead."""
    return ClientFactory(team=team_a)


def referral_row(referral: Referral) -> dict:
    return Referral.objects.filter(pk=referral.pk).values().get()


def close(user_pk: int) -> str:
    return f"UPDATE matching_referral SET ended_at = now(), ended_by_id = {int(user_pk)}"


def test_the_app_role_closes_a_referral_once_and_blanks_its_scope(
    app_role, referral, moved_to, coordinator, other_coordinator
):
    _, conn = app_role
    before = referral_row(referral)
    # Columns the role was not granted, and deletion, are refused before the trigger runs.
    for sql in (
        f"UPDATE matching_referral SET client_id = '{moved_to.pk}'",
        "UPDATE matching_referral SET consent_on = '2020-01-01'",
        "DELETE FROM matching_referral",
        "TRUNCATE matching_referral",
    ):
        assert "permission denied" in refused(conn, sql), sql
    # A granted column may only become '' (scope) or be set once from NULL (closing).
    sql = "UPDATE matching_referral SET scope = '範囲を書き換え'"
    assert "append-only" in refused(conn, sql)
    assert referral_row(referral) == before

    assert run(conn, close(coordinator.pk)) == 1
    closed = referral_row(referral)
    assert closed["ended_at"] is not None and closed["ended_by_id"] == coordinator.pk
    assert {**closed, "ended_at": None, "ended_by_id": None} == before
    for sql in (
        close(other_coordinator.pk),
        close(coordinator.pk),
        "UPDATE matching_referral SET ended_at = now()",
        "UPDATE matching_referral SET ended_by_id = NULL",
        "UPDATE matching_referral SET ended_at = NULL, ended_by_id = NULL",
    ):
        assert "append-only" in refused(conn, sql), sql
    assert referral_row(referral) == closed

    # What erasure sends once the referral is closed: blank the scope, nothing else changes.
    assert run(conn, "UPDATE matching_referral SET scope = ''") == 1
    assert referral_row(referral) == {**closed, "scope": ""}


def test_the_referral_trigger_holds_even_if_the_role_were_granted_too_much(
    app_role, referral, moved_to, team_a, coordinator
):
    role, conn = app_role
    owner(f"GRANT ALL ON matching_referral TO {role}")
    before = referral_row(referral)
    for sql in (
        f"UPDATE matching_referral SET client_id = '{moved_to.pk}'",
        f"UPDATE matching_referral SET to_team_id = '{team_a.pk}'",
        "UPDATE matching_referral SET consent_on = '2020-01-01', scope = ''",
        "UPDATE matching_referral SET created_at = now(), ended_at = now()",
        "DELETE FROM matching_referral",
        "TRUNCATE matching_referral",
    ):
        assert "append-only" in refused(conn, sql), sql
    assert referral_row(referral) == before
    # Erasure's way: closed without a user, blanked in the same statement; then never again.
    assert run(conn, "UPDATE matching_referral SET ended_at = now(), scope = ''") == 1
    closed = referral_row(referral)
    assert (closed["ended_by_id"], closed["scope"]) == (None, "")
    assert "append-only" in refused(conn, close(coordinator.pk))
    assert "append-only" in refused(conn, "DELETE FROM matching_referral")
    assert referral_row(referral) == closed
