"""Which host answers a user has seen: the dashboard's notice lists the others.

One row per (user, proposal), written when the user opens the proposal. Not client data (it
says only that a staff member looked at a page), so it follows its proposal when that is
deleted and its user when the account goes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .placements import Proposal


class AnswerSeenQuerySet(models.QuerySet):
    def mark(self, *, user: Any, proposal: Proposal) -> None:
        """Record that the user has seen the proposal's answer (once; later calls do nothing)."""
        self.get_or_create(user=user, proposal=proposal)


class AnswerSeen(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="seen_by")
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)

    objects = AnswerSeenQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("answer seen")
        verbose_name_plural = _("answers seen")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="matching_answer_seen_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.proposal_id}"
