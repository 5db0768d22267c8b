"""Encrypted fields (tsunagu/fields.py): round trip, key rotation, wrong keys, refused lookups,
and the generated secrets of a laptop checkout (tsunagu/local_secrets.py)."""

import io
import json
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from matching.models import Client
from tests.matching.factories import ClientFactory, TeamFactory
from tsunagu import encryption
from tsunagu.local_secrets import local_secrets

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(client: Client, column: str) -> str:
    """The value as the database holds it, bypassing the field."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM matching_client WHERE id = %s", [client.pk.hex])
        return cursor.fetchone()[0]


def reload(client: Client) -> Client:
    return Client.objects.get(pk=client.pk)


@pytest.mark.django_db
def test_a_value_round_trips_and_is_stored_as_a_token():
    person = ClientFactory(name="暗号 花子", kana="あんごう はなこ", notes="夜は眠れないとのこと。")
    assert stored(person, "name").startswith("gAAAAA")
    assert "暗号" not in stored(person, "name") and "眠れない" not in stored(person, "notes")
    again = reload(person)
    assert (again.name, again.kana, again.notes) == (
        "暗号 花子",
        "あんごう はなこ",
        "夜は眠れないとのこと。",
    )


@pytest.mark.django_db
def test_the_same_text_encrypts_differently_each_time():
    first, second = ClientFactory(name="同姓 同名"), ClientFactory(name="同姓 同名")
    assert stored(first, "name") != stored(second, "name")


@pytest.mark.django_db
def test_an_empty_value_stays_empty_and_needs_no_key():
    person = ClientFactory(kana="", notes="")
    assert stored(person, "kana") == "" and stored(person, "notes") == ""
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        blank = Client.objects.filter(pk=person.pk).values_list("kana", "notes").get()
        assert blank == ("", "")
    assert Client.objects.filter(notes="").count() == 1


@pytest.mark.django_db
def test_rotation_re_encrypts_under_the_new_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        person = ClientFactory(name="回転 一郎", kana="かいてん いちろう", notes="鍵の入れ替え前")
        written_under_a = stored(person, "name")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert reload(person).name == "回転 一郎"  # old data readable during the rotation
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "matching.Client: 1" in out.getvalue()
    assert stored(person, "name") != written_under_a
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        again = reload(person)
        assert (again.name, again.kana, again.notes) == (
            "回転 一郎",
            "かいてん いちろう",
            "鍵の入れ替え前",
        )
        assert Client.objects.filter(kana_hash=again.kana_hash).get() == person
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]),
        pytest.raises(encryption.DecryptionError),
    ):
        reload(person)


@pytest.mark.django_db
def test_a_wrong_key_raises_a_clear_error_instead_of_returning_garbage():
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        person = ClientFactory(name="鍵違い 太郎")
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        with pytest.raises(encryption.DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
            reload(person)
        # Rotating without the old key fails loudly and rewrites nothing.
        before = stored(person, "name")
        with pytest.raises(CommandError, match="matching.Client"):
            call_command("rotate_encryption_keys", stdout=io.StringIO())
        assert stored(person, "name") == before


@pytest.mark.django_db
def test_plain_text_left_in_a_column_is_an_error_not_data():
    person = ClientFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE matching_client SET name = %s WHERE id = %s", ["平文", person.pk.hex]
        )
    with pytest.raises(encryption.DecryptionError):
        reload(person)


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_missing_or_malformed_keys_are_refused(keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(ImproperlyConfigured):
        encryption.encrypt("x")
    with override_settings(FIELD_ENCRYPTION_KEYS=keys):
        assert [e.id for e in encryption.check_keys()] == ["tsunagu.E101"]


def test_a_short_hash_key_fails_the_system_check():
    with override_settings(FIELD_HASH_KEY="short"):
        assert [e.id for e in encryption.check_keys()] == ["tsunagu.E102"]
    assert encryption.check_keys() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup", [{"name": "暗号 花子"}, {"name__icontains": "花子"}, {"notes__startswith": "夜"}]
)
def test_the_database_cannot_be_asked_about_encrypted_contents(lookup):
    ClientFactory(name="暗号 花子", notes="夜")
    with pytest.raises(FieldError, match="encrypted"):
        list(Client.objects.filter(**lookup))


@pytest.mark.django_db
def test_the_name_keeps_its_length_limit_on_the_plain_text():
    person = ClientFactory.build(team=TeamFactory(), name="長" * 101)
    with pytest.raises(ValidationError) as raised:
        person.full_clean()
    assert "name" in raised.value.message_dict
    person.name = "長" * 100
    person.full_clean()  # a 100-character name fits, though its token is much longer


@pytest.mark.django_db
def test_the_name_is_a_one_line_input_with_its_limit():
    field = Client._meta.get_field("name").formfield()
    assert field.max_length == 100
    assert field.widget.input_type == "text"


def test_local_secrets_are_generated_once_private_and_kept(tmp_path):
    path = tmp_path / "var" / "secrets.json"
    first = local_secrets(path)
    assert set(first) == {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(first["FIELD_ENCRYPTION_KEY"])  # a usable key
    assert len(first["FIELD_HASH_KEY"]) >= encryption.MIN_HASH_KEY_LENGTH
    assert local_secrets(path) == first
    assert local_secrets(tmp_path / "elsewhere.json")["SECRET_KEY"] != first["SECRET_KEY"]


def test_local_secrets_complete_a_file_without_touching_what_it_has(tmp_path):
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"SECRET_KEY": "kept"}))
    path.chmod(0o644)
    values = local_secrets(path)
    assert values["SECRET_KEY"] == "kept" and values["FIELD_HASH_KEY"]
    assert json.loads(path.read_text()) == values
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
