"""``manage.py rotate_encryption_keys``: the middle step of a key rotation.

1. Put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it) and restart.
2. Run this command: every encrypted column is rewritten under the new key, every lookup hash
   recomputed under FIELD_HASH_KEY (so it also completes a change of the hash key).
3. Remove the old key and restart.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tsunagu.encryption import DecryptionError
from tsunagu.fields import encrypted_fields, hash_fields, reencrypt_rows


class Command(BaseCommand):
    help = "Re-encrypts client data under the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            if not (encrypted_fields(model) or hash_fields(model)):
                continue
            try:
                count = reencrypt_rows(model)
            except DecryptionError as exc:
                raise CommandError(
                    _(
                        "%(model)s: a row could not be decrypted with any key in "
                        "FIELD_ENCRYPTION_KEYS. Add the key it was written with, then run "
                        "this command again."
                    )
                    % {"model": model._meta.label}
                ) from exc
            self.stdout.write(
                _("%(model)s: %(count)d rows re-encrypted.")
                % {"model": model._meta.label, "count": count}
            )
