"""Model fields for personal data encrypted at rest, and keyed-hash columns to find it by.

An encrypted column holds a Fernet token (tsunagu/encryption.py), so the database can neither
compare nor sort its contents: the only lookups allowed are ``isnull`` and ``exact`` against "".
Anything else raises at query time instead of silently matching nothing. The empty string is
stored as it is, so ``blank=True`` and erasure keep working and need no key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import validators
from django.core.exceptions import FieldError
from django.db import migrations, models, transaction
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

from .encryption import decrypt, encrypt, keyed_hash


def _refused(field: str, lookup: str) -> FieldError:
    return FieldError(f"{field} is encrypted: the database cannot evaluate “{lookup}” on it.")


class EmptyOnlyExact(Exact):
    """``field=""`` works (blank values are stored as they are); any other value cannot match."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: filter by a reference code or a hash "
                "column instead of its contents."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Free text about a person, stored as a Fernet token."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise _refused(self.name, lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise _refused(self.name, lookup_name)


class EncryptedCharField(EncryptedTextField):
    """A short encrypted value (a name): a one-line input, ``max_length`` checked on the plaintext.

    The column is text because a token is about 1.4× the plaintext plus 100 characters.
    """

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, validators.MaxLengthValidator(self.max_length)]

    def formfield(self, **kwargs: Any) -> Any:
        # models.Field's form field (a CharField with a text input), not TextField's textarea.
        return super(models.TextField, self).formfield(**{"max_length": self.max_length, **kwargs})


# A hex SHA-256, never typed in a form, looked up on every search.
HASH_DEFAULTS = {"max_length": 64, "editable": False, "blank": True, "db_index": True}


class KeyedHashField(models.CharField):
    """HMAC of another field's normalised value, recomputed on every save; exact lookups only.

    ``source`` names the field; ``normalize`` folds what should match (e.g. hiragana and
    katakana) before hashing. An empty source gives an empty hash.
    """

    def __init__(
        self,
        *args: Any,
        source: str,
        normalize: Callable[[str], str],
        **kwargs: Any,
    ) -> None:
        self.source, self.normalize = source, normalize
        super().__init__(*args, **{**HASH_DEFAULTS, **kwargs})

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, normalize=self.normalize)
        for key, default in HASH_DEFAULTS.items():
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs

    def hash_of(self, value: str | None) -> str:
        key = self.normalize(value or "")
        return keyed_hash(key) if key else ""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def hash_fields(model: type[models.Model]) -> list[KeyedHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)]


def reencrypt_rows(model: type[models.Model], *, batch_size: int = 500) -> int:
    """Rewrite every row's encrypted columns under the first key, and its hashes under the
    current hash key: the middle step of a key rotation. Safe to repeat or resume.

    A row no configured key opens raises :class:`~tsunagu.encryption.DecryptionError` and its
    batch is left as it was.
    """
    texts, hashes = encrypted_fields(model), hash_fields(model)
    load = list(dict.fromkeys([*(f.name for f in texts), *(f.source for f in hashes)]))
    manager = model._base_manager
    pks = list(manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            for row in manager.filter(pk__in=pks[start : start + batch_size]).only(*load):
                values = {f.name: getattr(row, f.attname) for f in texts}
                values.update({f.name: f.hash_of(getattr(row, f.source)) for f in hashes})
                manager.filter(pk=row.pk).update(**values)
    return len(pks)


def _rewrite_rows(apps: Any, schema_editor: Any, model_name: str, *, encrypting: bool) -> None:
    """Encrypt (or decrypt) a table's encrypted columns row by row with plain SQL, and fill its
    hash columns from the plain text.

    Plain SQL, because the historical model's fields are already the encrypted ones: the ORM
    would try to decrypt the plain text this step is about to encrypt.
    """
    model = apps.get_model(model_name)
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    texts = encrypted_fields(model)
    hashes = hash_fields(model)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(quote(f.column) for f in texts)} FROM {table}")
        rows = cursor.fetchall()
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in [*texts, *hashes])
    for pk_value, *stored in rows:
        plain = dict(zip((f.name for f in texts), stored, strict=True))
        if encrypting:
            values = [encrypt(v) if v else v for v in stored]
            values += [f.hash_of(plain[f.source]) for f in hashes]
        else:
            plain = {name: decrypt(v) if v else v for name, v in plain.items()}
            values = [*plain.values(), *([""] * len(hashes))]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*values, pk_value])


def encrypt_existing_rows(*model_names: str) -> migrations.RunPython:
    """A data migration: encrypt the rows written before the fields were encrypted and fill
    their hash columns; reversed, it decrypts them back to plain text."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for name in model_names:
            _rewrite_rows(apps, schema_editor, name, encrypting=True)

    def backward(apps: Any, schema_editor: Any) -> None:
        for name in model_names:
            _rewrite_rows(apps, schema_editor, name, encrypting=False)

    return migrations.RunPython(forward, backward, elidable=False)
