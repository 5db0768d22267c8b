"""Encrypt the check-in answers written before 0003; reversed, decrypt them."""

from django.db import migrations

from tsunagu.fields import encrypt_existing_rows


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0003_encrypt_checkin_answers"),
    ]

    operations = [
        encrypt_existing_rows("followups.CheckIn"),
    ]
