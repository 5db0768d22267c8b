"""The client audit log: Wagtail log entries of their own model, append-only.

Wagtail's ``log(instance=client, …)`` lands here (registered in wagtail_hooks.py), so the
admin's create/edit logging, our view/export/consent/proposal entries and the site history
report share one table. The label is ``str(client)`` — the reference code, never the name —
and ``data`` holds ids and codes only.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager, LogEntryQuerySet

from ..access import client_access
from .clients import Client
from .history import AppendOnlyModel, AppendOnlyQuerySet


class ClientLogEntryQuerySet(AppendOnlyQuerySet, LogEntryQuerySet):
    pass


class ClientLogEntryManager(BaseLogEntryManager):
    def get_queryset(self) -> ClientLogEntryQuerySet:
        return ClientLogEntryQuerySet(self.model, using=self._db)

    def log_action(self, instance: Any, action: str, **kwargs: Any) -> ClientLogEntry:
        kwargs.update(client_id=instance.pk)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user: Any) -> models.QuerySet:
        """Those who see every client of a town read that town's log (superusers and the
        system: all of it); nobody else reads any of it."""
        access = client_access(user)
        if access.sees_every_town:
            return self.all()
        if not access.sees_all:
            return self.none()
        town_clients = Client.objects.filter(team__site_id__in=access.town_ids).values("pk")
        return self.filter(client_id__in=town_clients)

    def for_instance(self, instance: Any) -> models.QuerySet:
        return self.filter(client_id=instance.pk)


class ClientLogEntry(AppendOnlyModel, BaseLogEntry):
    # The label is text copied from the client when logged; ``data`` holds ids and codes only.
    ERASABLE_FIELDS = ("label",)

    # No database constraint: the audit trail outlives an erased client.
    client = models.ForeignKey(
        "matching.Client",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = ClientLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("client log entry")
        verbose_name_plural = _("client log entries")
        default_permissions = ()
        indexes = [
            models.Index(fields=["uuid", "action", "-timestamp"]),
            models.Index(fields=["client", "-timestamp"]),
        ]

    def __str__(self) -> str:
        return f"ClientLogEntry {self.pk}: {self.action} on {self.label}"

    @cached_property
    def object_id(self) -> Any:
        return self.client_id
