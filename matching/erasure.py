"""Erasing a client: the person goes, the statistics stay.

Used by ``manage.py erase_client`` (a request to erase) and the retention job
(``erase_expired_clients``, daily from beat). Every free text about the person — name, kana,
external ID, notes, the plans' text, the meetings' evaluations of the plans, the proposals'
summaries, comments and reasons, the consents' scope and note, the referrals' scope (open
referrals end), status-change reasons — is blanked, and the apps above blank theirs on
``client_erased`` (follow-ups: check-in notes and the host's comments). The reference code,
dates, statuses, fields, tags and every row stay, so counts by field, status and year add up
the same afterwards; the exact year of birth becomes its decade (the age band).

The history tables (consents, placement status changes) are append-only: their free text is
blanked through ``erase_free_text()``, the one change the database lets through. The audit log
keeps its entries (labels are reference codes, data ids only) and gains one for the erasure,
with the reason's code and nothing about the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox import services as outbox

from . import emails, services, signals
from .access import ensure_can_write
from .audit import client_log
from .models import (
    Client,
    Consent,
    Placement,
    PlacementStatusChange,
    PlanDecision,
    Proposal,
    Referral,
    SupportPlan,
)

# Why a client is erased: a code, never free text, so the audit entry cannot carry a name.
REASONS = {
    "request": gettext_lazy("The person asked for erasure"),
    "retention": gettext_lazy("The retention period after the case ended has passed"),
    "other": gettext_lazy("Other lawful reason"),
}
# Blanked on the client; a column added later (a search hash) is blanked if the model has it.
CLIENT_TEXT = ("name", "kana", "kana_hash", "external_id", "notes")
PLAN_TEXT = ("goals", "support_details", "meeting_organisations", "review_note", "close_reason")
PROPOSAL_TEXT = ("summary", "status_reason", "response_comment")


class ErasureError(Exception):
    """The erasure was refused; the message is for the operator, as it is."""


@dataclass(frozen=True)
class Erasure:
    reference_code: str
    erased_at: dt.datetime | None  # None: not erased (a dry run, or refused: see ``refused``)
    already: bool = False
    placements_closed: int = 0
    messages_cancelled: int = 0
    refused: str = ""


def retention_years() -> int:
    return int(getattr(settings, "CLIENT_RETENTION_YEARS", 5))


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def expired_clients(*, now: dt.datetime | None = None) -> Any:
    """Clients whose case closed more than the retention period ago and not yet erased."""
    cutoff = _years_before(now or timezone.now(), retention_years())
    return Client.objects.filter(
        status=Client.Status.CLOSED, closed_at__lt=cutoff, erased_at__isnull=True
    ).order_by("closed_at", "pk")


@transaction.atomic
def client_erase(
    *, reference_code: str, by: Any, reason: str = "request", force: bool = False
) -> Erasure:
    """Anonymise one client; a second run finds it erased and changes nothing.

    ``by`` is checked by the one write rule (the client's team, a superuser, the system);
    ``None`` is the retention job.

    An open placement (or one only paused) is refused unless ``force``: erasing would end it
    without anyone telling the host. With ``force`` it is ended first, through the usual
    service, so the host's pending questions are cancelled like for any ended placement.
    """
    if reason not in REASONS:
        raise ErasureError(_("Unknown reason: %(reason)s.") % {"reason": reason})
    client = (
        Client.objects.select_for_update().filter(reference_code=reference_code.strip()).first()
    )
    if client is None:
        raise ErasureError(
            _("There is no client with the reference code %(code)s.") % {"code": reference_code}
        )
    ensure_can_write(by, client)
    if client.erased_at is not None:
        return Erasure(reference_code=client.reference_code, erased_at=client.erased_at,
                       already=True)  # fmt: skip
    open_placements = list(client.placements.filter(status__in=Placement.OPEN))
    if open_placements and not force:
        raise ErasureError(
            _(
                "%(code)s has %(count)d open placement(s). End them first, or erase with "
                "--force to end them now."
            )
            % {"code": client.reference_code, "count": len(open_placements)}
        )
    with translation.override(settings.LANGUAGE_CODE):
        closing_reason = _("The person's data was erased.")
        for placement in open_placements:
            services.placement_close(
                placement=placement, status=Placement.Status.ENDED, reason=closing_reason,
                end_reason=Placement.EndReason.OTHER, by=by,
            )  # fmt: skip
        for proposal in client.proposals.filter(status__in=Proposal.OPEN):
            services.proposal_withdraw(proposal=proposal, reason=closing_reason, by=by)
        cancelled = outbox.forget(
            topics=emails.client_topics(client),
            keys=[emails.answered_key(pk) for pk in client.proposals.values_list("pk", flat=True)],
            reason=closing_reason,
        )
    _blank(client)
    client_log(client=client, action="matching.client.erase", by=by, reason=reason,
               placements_closed=len(open_placements))  # fmt: skip
    return Erasure(
        reference_code=client.reference_code,
        erased_at=client.erased_at,
        placements_closed=len(open_placements),
        messages_cancelled=cancelled,
    )


def _blank(client: Client) -> None:
    fields = {f.name for f in Client._meta.get_fields()}
    for name in CLIENT_TEXT:
        if name in fields:
            setattr(client, name, "")
    if client.birth_year is not None:
        client.age_band = min(max(timezone.localdate().year - client.birth_year, 0) // 10 * 10, 90)
        client.birth_year = None
    client.erased_at = timezone.now()
    client.save()
    SupportPlan.objects.filter(client=client).update(**dict.fromkeys(PLAN_TEXT, ""))
    PlanDecision.objects.filter(plan__client=client).update(
        **dict.fromkeys(PlanDecision.ERASABLE_FIELDS, "")
    )
    Proposal.objects.filter(client=client).update(**dict.fromkeys(PROPOSAL_TEXT, ""), reasons=[])
    Consent.objects.filter(client=client).erase_free_text()
    PlacementStatusChange.objects.filter(placement__client=client).erase_free_text()
    # Nobody elsewhere reads an erased person: their referrals end and lose their scope text.
    referrals = Referral.objects.filter(client=client)
    referrals.close(ended_at=client.erased_at)
    referrals.erase_free_text()
    signals.client_erased.send(sender=Client, client=client)


def erase_expired(*, now: dt.datetime | None = None, dry_run: bool = False) -> Iterator[Erasure]:
    """The retention job: erase each expired client in its own transaction; a client with an
    open placement is left (and reported) for a person to look at."""
    for code in list(expired_clients(now=now).values_list("reference_code", flat=True)):
        if dry_run:
            yield Erasure(reference_code=code, erased_at=None)
            continue
        try:
            yield client_erase(reference_code=code, by=None, reason="retention")
        except ErasureError as exc:
            yield Erasure(reference_code=code, erased_at=None, refused=str(exc))
