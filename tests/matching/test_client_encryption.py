"""Encrypted names and readings in matching: the client list still finds a client by reference
code or by the reading in any kana, only within what the user may see (part of a name or reading:
tests/matching/test_coordinator_search.py); the hash follows the kana; the import checks lengths
the database no longer can; and the migrations encrypt existing rows and decrypt them on the way
back."""

import hashlib
import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from matching.models import Client, SupportPlan

from .factories import ClientFactory

pytestmark = pytest.mark.django_db

SCHEMA = ("matching", "0005_encrypt_client_data")
DATA = ("matching", "0006_encrypt_existing_client_data")


def listing(client, user, query: str) -> str:
    client.force_login(user)
    response = client.get("/admin/clients/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hanako(team_a):
    return ClientFactory(team=team_a, name="山田 花子", kana="やまだ はなこ")


@pytest.fixture
def other(team_a):
    return ClientFactory(team=team_a, name="山田 太郎", kana="やまだ たろう")


@pytest.mark.parametrize(
    "typed",
    [
        "やまだ はなこ",
        "やまだはなこ",
        "ヤマダ ハナコ",
        "ﾔﾏﾀﾞ ﾊﾅｺ",
        "ヤマダ　ハナコ",
        " やまだ  はなこ ",
    ],
)
def test_the_list_finds_a_client_by_the_whole_reading_in_any_kana(
    client, coordinator, hanako, other, typed
):
    page = listing(client, coordinator, typed)
    assert hanako.reference_code in page
    assert other.reference_code not in page


def test_the_list_still_finds_by_reference_code(client, coordinator, hanako, other):
    page = listing(client, coordinator, hanako.reference_code[-4:])
    assert hanako.reference_code in page and other.reference_code not in page


def test_the_list_and_its_export_decrypt_nothing(client, coordinator, hanako):
    """Names are not shown there, so not even read unless searched: a wrong key does not break
    the list."""
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        assert hanako.reference_code in listing(client, coordinator, "")
        export = client.get("/admin/clients/", {"export": "csv"})
        assert hanako.reference_code in b"".join(export.streaming_content).decode()


def test_a_reading_does_not_reach_another_teams_client(client, other_coordinator, hanako):
    assert hanako.reference_code not in listing(client, other_coordinator, "やまだはなこ")


def test_a_blank_reading_matches_no_client_without_kana(team_a):
    nameless = ClientFactory(team=team_a, kana="")
    assert nameless.kana_hash == ""
    assert not Client.objects.search("　").exists()


def test_the_hash_is_keyed_not_a_plain_digest(hanako):
    assert len(hanako.kana_hash) == 64
    assert hanako.kana_hash != hashlib.sha256("ヤマダハナコ".encode()).hexdigest()
    with override_settings(FIELD_HASH_KEY="another-installation-hash-key-0123456789"):
        assert Client._meta.get_field("kana_hash").hash_of("やまだはなこ") != hanako.kana_hash


def test_the_hash_follows_the_kana_on_every_save(hanako):
    found = Client.objects.search
    hanako.kana = "さとう はなこ"
    hanako.save(update_fields=["kana"])
    assert list(found("サトウハナコ")) == [hanako] and not found("やまだはなこ").exists()
    hanako.kana = ""
    hanako.save()
    assert Client.objects.get(pk=hanako.pk).kana_hash == ""


def test_the_import_refuses_a_name_too_long_for_the_record(tmp_path: Path, team_a):
    path = tmp_path / "clients.csv"
    path.write_text(f"外部ID,氏名,ふりがな\nW-1,{'長' * 101},\nW-2,短い,{'あ' * 201}\n")
    with pytest.raises(CommandError) as error:
        call_command("import_clients", str(path), "--team", team_a.name, stdout=io.StringIO())
    message = str(error.value)
    assert "2行目" in message and "100文字以内" in message
    assert "3行目" in message and "200文字以内" in message
    assert not Client.objects.exists()


def migrate(target: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate([target])


def leaf() -> tuple[str, str]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes("matching")[0]


def column(table: str, name: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table} WHERE id = %s", [pk.hex])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_decrypt_them_back(team_a):
    person = ClientFactory(team=team_a, name="移行 花子", kana="いこう はなこ", notes="既存の記録")
    plan = SupportPlan.objects.create(client=person, goals="週に一度外出する")
    latest = leaf()
    graph = MigrationExecutor(connection).loader.graph
    (before_schema,) = graph.node_map[SCHEMA].parents
    try:
        migrate(before_schema.key)  # back to plain text columns
        assert column("matching_client", "name", person.pk) == "移行 花子"
        assert column("matching_supportplan", "goals", plan.pk) == "週に一度外出する"
    finally:
        migrate(latest)
    assert column("matching_client", "name", person.pk).startswith("gAAAAA")
    assert column("matching_supportplan", "goals", plan.pk).startswith("gAAAAA")
    again = Client.objects.get(pk=person.pk)
    assert (again.name, again.kana, again.notes) == ("移行 花子", "いこう はなこ", "既存の記録")
    assert list(Client.objects.search("イコウハナコ")) == [person]
    assert SupportPlan.objects.get(pk=plan.pk).goals == "週に一度外出する"
