"""Check-in answers written before encryption (followups/migrations/0003, 0004) are encrypted
by the migration, stay readable, and go back to plain text when it is reversed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from followups.models import CheckIn

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = ("followups", "0003_encrypt_checkin_answers")
ANSWERS = {
    "notes": "毎週楽しみにしている",
    "next_action": "次回も電話",
    "host_comment": "笑顔が増えた",
}


def stored(checkin: CheckIn) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notes, next_action, host_comment FROM followups_checkin WHERE id = %s",
            [checkin.pk.hex],
        )
        return dict(zip(ANSWERS, cursor.fetchone(), strict=True))


def test_existing_answers_are_encrypted_and_decrypted_back(placement):
    checkin = placement.checkins.order_by("offset_days").first()
    CheckIn.objects.filter(pk=checkin.pk).update(**ANSWERS)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("followups")[0]
    (before,) = executor.loader.graph.node_map[SCHEMA].parents
    try:
        executor.migrate([before.key])
        assert stored(checkin) == ANSWERS
    finally:
        MigrationExecutor(connection).migrate([latest])
    assert all(value.startswith("gAAAAA") for value in stored(checkin).values())
    fresh = CheckIn.objects.get(pk=checkin.pk)
    assert {name: getattr(fresh, name) for name in ANSWERS} == ANSWERS
