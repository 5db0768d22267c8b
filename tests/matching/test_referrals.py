"""Referrals (紹介) are history: written once, ended once, never deleted; erasure ends them and
blanks their scope. Who may read through them is proven across towns in test_towns_access.py."""

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from matching import services
from matching.access import forget_access
from matching.erasure import client_erase
from matching.models import Client, Referral

from .factories import ClientFactory

pytestmark = pytest.mark.django_db

REFUSED = "履歴の記録は変更も削除もできません。"


def test_the_orm_refuses_changes_and_deletes_but_one_ending(referral, coordinator):
    rows = Referral.objects.filter(pk=referral.pk)
    attempts = {
        "update": lambda: rows.update(scope="書き換え"),
        "queryset delete": lambda: rows.delete(),
        "save of an existing row": referral.save,
        "model delete": referral.delete,
        "close of another column": lambda: rows.close(scope="書き換え"),
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [REFUSED], name
    ended = services.referral_end(referral=referral, by=coordinator)
    assert ended.ended_at is not None and ended.ended_by == coordinator
    with pytest.raises(services.MatchingError, match="この紹介はすでに終了しています。"):
        services.referral_end(referral=referral, by=coordinator)
    assert Referral.objects.get(pk=referral.pk).ended_at == ended.ended_at


def test_a_second_open_referral_to_the_same_team_is_refused(referral, person, coordinator):
    with pytest.raises(services.MatchingError, match="すでにこのチームに紹介されています"):
        services.referral_create(
            client=person, to_team=referral.to_team, consent_on=dt.date(2026, 11, 2),
            method="phone", scope="再度", by=coordinator,
        )  # fmt: skip


def test_a_future_consent_date_is_refused(person, team_b, coordinator):
    with pytest.raises(services.MatchingError, match="同意日に未来の日付は指定できません。"):
        services.referral_create(
            client=person, to_team=team_b, consent_on=dt.date.today() + dt.timedelta(days=1),
            method="phone", scope="近況", by=coordinator,
        )  # fmt: skip
    assert not Referral.objects.exists()


def test_erasing_the_client_ends_the_referral_and_blanks_its_scope(
    referral, person, coordinator, other_coordinator
):
    forget_access(other_coordinator)
    assert Client.objects.visible_to(other_coordinator).filter(pk=person.pk).exists()
    client_erase(reference_code=person.reference_code, by=coordinator)
    referral.refresh_from_db()
    assert (referral.scope, referral.ended_at is not None) == ("", True)
    forget_access(other_coordinator)
    assert not Client.objects.visible_to(other_coordinator).filter(pk=person.pk).exists()


def test_the_database_guards_the_columns_the_model_declares():
    """Migration 0012 names the columns itself (migrations cannot read the model's class
    attributes): a renamed or added closing field must be added to the trigger too."""
    migration = importlib.import_module("matching.migrations.0012_referral_append_only")
    columns = {field.name: field.column for field in Referral._meta.concrete_fields}
    assert migration.ERASABLE == tuple(columns[name] for name in Referral.ERASABLE_FIELDS)
    assert migration.CLOSING == tuple(columns[name] for name in Referral.CLOSING_FIELDS)


# The database's own trigger (migration 0012), in raw SQL. On PostgreSQL the tests run as the
# table's owner, for whom the trigger steps aside; test_append_only_pg.py runs as the app role.
def raw(sql: str, params: tuple = ()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def row(referral: Referral) -> dict:
    return Referral.objects.filter(pk=referral.pk).values().get()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="as the owner on PostgreSQL")
def test_the_database_lets_a_referral_close_once_and_blank_its_scope(
    referral, team_a, coordinator, other_coordinator
):
    moved_to = ClientFactory(team=team_a)
    before = row(referral)
    for sql, params in (
        ("UPDATE matching_referral SET client_id = %s", (moved_to.pk.hex,)),
        ("UPDATE matching_referral SET scope = '書き換え'", ()),
        ("UPDATE matching_referral SET consent_on = '2020-01-01', scope = ''", ()),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            raw(sql, params)
    assert row(referral) == before

    raw("UPDATE matching_referral SET ended_at = '2026-12-04 10:00:00', ended_by_id = %s",
        (coordinator.pk,))  # fmt: skip
    closed = row(referral)
    assert closed["ended_by_id"] == coordinator.pk and closed["ended_at"] is not None
    for sql, params in (
        ("UPDATE matching_referral SET ended_by_id = %s", (other_coordinator.pk,)),
        ("UPDATE matching_referral SET ended_at = '2026-12-05 10:00:00'", ()),
        ("UPDATE matching_referral SET ended_at = NULL, ended_by_id = NULL", ()),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            raw(sql, params)
    assert row(referral) == closed
    raw("UPDATE matching_referral SET scope = ''")
    assert row(referral) == {**closed, "scope": ""}
