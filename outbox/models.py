"""The outbox: every message the product sends is a row here first.

A row is claimed with a lease, committed as ``sending`` with its attempt counted, sent outside
any transaction, then committed as ``sent``. ``next_attempt_at`` is the one clock the sweep
reads: the due time of a new row, the end of a claim's or a send's lease, or the end of a
retry's backoff. The partial index on it over the two open states keeps a sweep O(due) however
much history the table holds.

Rows hold ids, not content: the registered kind composes the message from its own records at
send time (so erasing a person leaves nothing here), except ``outbox.stored`` rows, which keep
a rendered email that some other code handed to Django's mail API (see ``stored.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        TO_CALL = "to_call", _("To telephone")
        CALLED = "called", _("Telephoned")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Not needed")

    OPEN = (Status.PENDING, Status.SENDING)
    RETRYABLE = (Status.FAILED, Status.EXPIRED)

    kind = models.CharField(_("kind"), max_length=64)
    # What the kind composes the message from (a sign-up's, check-in's or proposal's id).
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    # Set when the message must exist at most once (e.g. one reminder per check-in and kind).
    key = models.CharField(max_length=160, null=True, blank=True, unique=True, editable=False)
    # What cancelling targets: "placement:<id>", "signup:<id>", "volunteer:<id>".
    topic = models.CharField(_("topic"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    expires_at = models.DateTimeField(_("useful until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Sends cut off after the mail server may have accepted them (the one duplicate window).
    interrupted = models.PositiveSmallIntegerField(_("interrupted sends"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Why it failed, expired or was cancelled, in the staff's language; never an address.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Only for ``outbox.stored``: the rendered email. Blanked once it is sent.
    payload = models.JSONField(null=True, blank=True, editable=False)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("telephoned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    called_at = models.DateTimeField(_("telephoned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-due_at", "-pk"]
        indexes = [
            # The sweep: open rows by their next attempt, O(due) however long the history. The
            # query repeats this condition literally (services.OPEN_ROWS) so SQLite uses it.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbox_open_due",
            ),
            models.Index(fields=["topic"], name="outbox_topic"),
            models.Index(fields=["kind", "object_id"], name="outbox_kind_object"),
            # The admin's list, newest first. Not (status, due_at): without statistics SQLite
            # would prefer it to the sweep's partial index and read every pending row.
            models.Index(fields=["due_at"], name="outbox_due"),
        ]
        permissions = [("call_message", _("Can work through the call list"))]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @admin.display(description=_("kind"))
    def kind_label(self) -> str:
        from . import registry

        kind = registry.get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def message_id(self) -> str:
        """The Message-ID every copy of this row carries: derived from the row, never random,
        so a copy sent twice threads as one and a server can drop the duplicate."""
        stamp = self.created_at.strftime("%Y%m%d%H%M%S")
        return f"<{self.pk}.{stamp}.outbox@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"
