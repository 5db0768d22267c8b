"""Append-only history: rows written once, whose only sanctioned change is blanking free text.

Consent records, placement status changes, the client audit log and referrals are evidence. The
ORM refuses to change or delete them; the database refuses too (migrations 0007 and 0012), so raw
SQL or another program connected as the application role cannot either. Erasing a client is one
exception: ``erase_free_text()`` sets the model's ``ERASABLE_FIELDS`` to "" and touches nothing
else; closing a referral is the other: ``close()`` sets its ``CLOSING_FIELDS`` once, while they
are still NULL. That is exactly what the triggers let through.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def _refuse() -> NoReturn:
    raise ValidationError(_("History records cannot be changed or deleted."))


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses every bulk change except ``erase_free_text()``."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse()

    def delete(self) -> NoReturn:
        _refuse()

    def erase_free_text(self) -> int:
        """Blank the declared free-text columns (client erasure); returns the rows matched."""
        return super().update(**dict.fromkeys(self.model.ERASABLE_FIELDS, ""))

    def close(self, **values: Any) -> int:
        """Set the declared closing columns (a referral's end) on the rows not closed yet, once:
        a closed row stays as it was closed. Returns the rows closed."""
        if not values or set(values) - set(self.model.CLOSING_FIELDS):
            _refuse()
        still_open = {f"{name}__isnull": True for name in values}
        return super(AppendOnlyQuerySet, self.filter(**still_open)).update(**values)


class AppendOnlyModel(models.Model):
    """A history row: saved once; changed only by ``erase_free_text()`` on its queryset."""

    # Read by ``manage.py grant_app_role``: the application role may not delete these rows.
    APPEND_ONLY: ClassVar[bool] = True
    # Free-text columns that erasure may blank: the app role's only UPDATE grant on the table,
    # and the columns the triggers of migration 0007 let be set to "".
    ERASABLE_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Columns set once from NULL to close a row that stays open for a while (``close()``);
    # the app role may UPDATE them too, and the triggers of migration 0012 let them be set
    # while all are NULL, never again.
    CLOSING_FIELDS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()
