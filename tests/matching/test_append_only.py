"""Consent, placement status history and the audit log: append-only in the ORM and the database.

These run on whichever database the suite uses (SQLite by default, PostgreSQL with
DATABASE_URL). What the application's own database role may do on PostgreSQL is proven in
test_append_only_pg.py.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from matching import services
from matching.models import ClientLogEntry, Consent, PlacementStatusChange

pytestmark = pytest.mark.django_db

REFUSED = "履歴の記録は変更も削除もできません。"


@pytest.fixture
def history(consented, coordinator, activity):
    """One row of each append-only table, with text in every erasable column."""
    placement = services.placement_create(client=consented, activity=activity, by=coordinator)
    services.placement_close(
        placement=placement, status="ended", reason="本人の体調不良のため終了",
        end_reason="health", by=coordinator,
    )  # fmt: skip
    return {
        Consent: Consent.objects.filter(client=consented),
        PlacementStatusChange: PlacementStatusChange.objects.filter(placement=placement),
        ClientLogEntry: ClientLogEntry.objects.filter(client_id=consented.pk),
    }


def snapshot(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


MODELS = [Consent, PlacementStatusChange, ClientLogEntry]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_orm_refuses_every_change_and_delete(history, model):
    rows = history[model]
    before = snapshot(rows)
    assert before
    row = rows.first()
    attempts = {
        "update": lambda: rows.update(**{model.ERASABLE_FIELDS[0]: "書き換え"}),
        "update of a non-erasable column": lambda: model.objects.update(pk=row.pk),
        "queryset delete": lambda: rows.delete(),
        "manager delete": lambda: model.objects.all().delete(),
        "bulk_update": lambda: model.objects.bulk_update([row], list(model.ERASABLE_FIELDS)),
        "save of an existing row": row.save,
        "model delete": row.delete,
    }
    for name, attempt in attempts.items():
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [REFUSED], name
    assert snapshot(rows) == before


def test_related_managers_refuse_too(history, consented):
    with pytest.raises(ValidationError):
        consented.consents.update(note="書き換え")
    with pytest.raises(ValidationError):
        consented.consents.all().delete()
    placement = consented.placements.get()
    with pytest.raises(ValidationError):
        placement.status_changes.update(reason="")
    assert placement.status_changes.filter(reason="本人の体調不良のため終了").exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_erase_free_text_blanks_the_declared_columns_and_nothing_else(history, model):
    rows = history[model]
    before = snapshot(rows)
    assert any(row[field] for row in before for field in model.ERASABLE_FIELDS)
    assert rows.erase_free_text() == len(before)
    after = snapshot(rows)
    blanked = dict.fromkeys(model.ERASABLE_FIELDS, "")
    assert after == [{**row, **blanked} for row in before]


def test_erase_free_text_only_touches_the_filtered_rows(history, team_a, coordinator):
    from .factories import ClientFactory, consent

    other = ClientFactory(team=team_a)
    consent(other, coordinator)
    history[Consent].erase_free_text()
    assert Consent.objects.get(client=other).scope == "受け入れ先への要約の提供と参加"


# The database's own triggers (migration 0007), in raw SQL. On PostgreSQL the tests run as the
# tables' owner, for whom the triggers step aside; test_append_only_pg.py runs as the app role.
def raw(sql: str, params: tuple = ()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="as the owner on PostgreSQL")
def test_the_database_refuses_updates_of_history_but_allows_blanking(history, consented):
    consent = history[Consent].get()
    for sql in (
        "UPDATE matching_consent SET stage = 'withdrawn'",
        "UPDATE matching_consent SET scope = 'other text'",
        "UPDATE matching_consent SET scope = '', obtained_on = '2020-01-01'",
        "UPDATE matching_placementstatuschange SET to_status = 'settled'",
        "UPDATE matching_clientlogentry SET action = 'matching.client.export'",
        "UPDATE matching_clientlogentry SET label = 'x'",
    ):
        with pytest.raises(DatabaseError):
            raw(sql)
    raw("UPDATE matching_consent SET scope = '', note = ''")
    raw("UPDATE matching_placementstatuschange SET reason = ''")
    raw("UPDATE matching_clientlogentry SET label = ''")
    consent.refresh_from_db()
    assert (consent.stage, consent.scope) == ("consented", "")
    assert not PlacementStatusChange.objects.exclude(reason="").exists()
    assert set(ClientLogEntry.objects.values_list("label", flat=True)) == {""}
