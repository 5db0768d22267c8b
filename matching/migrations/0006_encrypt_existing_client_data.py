"""Encrypt the client data written before 0005 and fill ``kana_hash``; reversed, decrypt it.

Its own migration (so its own transaction on PostgreSQL): rows are rewritten only after the
columns have become text.
"""

from django.db import migrations

from tsunagu.fields import encrypt_existing_rows


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_encrypt_client_data"),
    ]

    operations = [
        encrypt_existing_rows("matching.Client", "matching.SupportPlan", "matching.Proposal"),
    ]
