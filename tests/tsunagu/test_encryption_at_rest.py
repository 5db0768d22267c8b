"""Client data at rest: every encrypted column holds a token, never the text — read back with
raw SQL on any database, and in a ``pg_dump`` of the whole PostgreSQL database."""

import datetime as dt
import subprocess
import uuid

import pytest
from django.db import connection
from django.db.models import Model

from followups.models import CheckIn
from matching.models import Client, Placement, Proposal, SupportPlan
from tests.matching.factories import ClientFactory, host_activity
from tsunagu.fields import encrypted_fields

CANARY = f"canary{uuid.uuid4().hex[:12]}"
ENCRYPTED = {
    Client: {"name", "kana", "notes"},
    SupportPlan: {"goals", "support_details", "meeting_organisations", "review_note",
                  "close_reason"},
    Proposal: {"summary", "status_reason", "response_comment"},
    CheckIn: {"notes", "next_action", "host_comment"},
}  # fmt: skip


def canary(model: type[Model], field: str) -> str:
    return f"見本{CANARY}{model.__name__}{field}"


def texts(model: type[Model]) -> dict[str, str]:
    return {name: canary(model, name) for name in ENCRYPTED[model]}


def client_record_with_everything() -> list[Model]:
    """A client, a plan, a proposal and a check-in with a canary in every free-text field."""
    person = ClientFactory(**texts(Client))
    plan = SupportPlan.objects.create(client=person, **texts(SupportPlan))
    activity = host_activity()
    proposal = Proposal.objects.create(client=person, activity=activity, **texts(Proposal))
    placement = Placement.objects.create(client=person, activity=activity, status="active")
    checkin = CheckIn.objects.create(
        placement=placement, kind="follow_up", due_on=dt.date(2026, 12, 1), **texts(CheckIn)
    )
    return [person, plan, proposal, checkin]


def raw(row: Model, column: str) -> str:
    table, pk = row._meta.db_table, row._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {pk.column} = %s",
            [pk.get_db_prep_value(row.pk, connection)],
        )
        return cursor.fetchone()[0]


def test_exactly_the_personal_free_text_fields_are_encrypted():
    assert {m: {f.name for f in encrypted_fields(m)} for m in ENCRYPTED} == ENCRYPTED


@pytest.mark.django_db
def test_raw_sql_shows_no_plain_text_in_any_encrypted_column():
    rows = client_record_with_everything()
    for row in rows:
        model = type(row)
        fresh = model.objects.get(pk=row.pk)
        for name in ENCRYPTED[model]:
            value = raw(row, model._meta.get_field(name).column)
            assert CANARY not in value, f"{model.__name__}.{name} is stored in plain text"
            assert value.startswith("gAAAAA"), f"{model.__name__}.{name} is not a Fernet token"
            assert getattr(fresh, name) == canary(model, name)
    assert CANARY not in raw(rows[0], "kana_hash")


@pytest.mark.fullstack
@pytest.mark.django_db(transaction=True)
def test_pg_dump_shows_ciphertext_while_the_orm_reads_the_text():
    rows = client_record_with_everything()
    db = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "--data-only", "--no-owner", "-h", db["HOST"] or "127.0.0.1",
         "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert rows[0].reference_code in dump  # the client is in the dump…
    assert dump.count("gAAAAA") >= sum(len(fields) for fields in ENCRYPTED.values())
    assert CANARY not in dump  # …but none of its text
    for row in rows:
        fresh = type(row).objects.get(pk=row.pk)
        assert all(getattr(fresh, n) == canary(type(row), n) for n in ENCRYPTED[type(row)])
