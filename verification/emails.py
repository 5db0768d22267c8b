"""The reminder: one message per recipient, listing every listing of theirs that is due.

The daily sweep decides who gets which reminders and enqueues one outbox message per
recipient; the outbox composes it here at send time from the reminders that point at that
message. Links are made here, from ids: tokens never sit in a queue or a table. Only public
content goes into the message (titles, dates, links), never anyone's personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.admin_url_finder import AdminURLFinder

from outbox.models import Message
from outbox.registry import Call, Drop, Email, Outcome
from resources.models import Organization
from tsunagu.models import TownSettings

from . import selectors
from .links import Kind, LinkTarget, confirm_url
from .models import VerificationReminder

KIND = "verification.reminder"
Route = VerificationReminder.Route


@dataclasses.dataclass(frozen=True)
class ReminderItem:
    """One line of a reminder: what to check, since when, and the two links."""

    title: str
    kind_label: str
    cycle: dt.date
    confirm_url: str
    edit_url: str
    public_url: str


def default_town() -> TownSettings | None:
    """The town's contact (the fallback recipient and the signature); None before set-up."""
    return TownSettings.objects.filter(site__is_default_site=True).first()


def route_for(*, email: str, phone: str, town: TownSettings | None) -> str:
    """Who is reminded about an operator's listings: the operator's email, else the town
    office's (staff ask the operator), else a telephone call to the operator, else nobody
    (the stale report is all that is left)."""
    if email:
        return Route.OPERATOR
    if town is not None and town.email:
        return Route.TOWN
    if phone:
        return Route.CALL
    return Route.NONE


def message_key(claim: uuid.UUID, operator_id: int | None) -> str:
    """One message per sweep and recipient: an operator (email or call), or the town office."""
    return f"{KIND}:{claim}:{operator_id or 'town'}"


def _title(reminder: VerificationReminder) -> str:
    return reminder.page.title if reminder.page_id else reminder.organization.name


def _item(reminder: VerificationReminder) -> ReminderItem:
    if reminder.page_id:
        obj, public_url = reminder.page, reminder.page.get_full_url() or ""
        target = LinkTarget(Kind.LISTING, obj.pk, reminder.cycle)
        kind_label = str(obj.content_type.model_class()._meta.verbose_name)
    else:
        obj, public_url = reminder.organization, ""
        target = LinkTarget(Kind.OPERATOR, obj.pk, reminder.cycle)
        kind_label = str(Organization._meta.verbose_name)
    edit = AdminURLFinder().get_edit_url(obj) or ""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return ReminderItem(
        title=_title(reminder),
        kind_label=kind_label,
        cycle=reminder.cycle,
        confirm_url=confirm_url(target),
        edit_url=f"{base}{edit}" if edit else "",
        public_url=public_url,
    )


def _still_due(reminder: VerificationReminder) -> bool:
    """Not confirmed, edited into a new cycle or unpublished since the sweep claimed it."""
    if reminder.page_id:
        page = reminder.page
        return page.live and selectors.listing_cycle(page) == reminder.cycle
    return selectors.organization_cycle(reminder.organization) == reminder.cycle


def _email(
    reminders: list[VerificationReminder], *, to: str, to_town: bool, town: TownSettings | None
) -> Email:
    context = {
        "items": [_item(reminder) for reminder in reminders],
        "town": town,
        "to_town": to_town,
        "remind_months": settings.VERIFICATION_REMIND_AFTER_MONTHS,
        "link_days": settings.VERIFICATION_LINK_MAX_AGE_DAYS,
    }
    subject = render_to_string("verification/emails/reminder_subject.txt", context)
    body = render_to_string("verification/emails/reminder.txt", context)
    return Email(to=[to], subject=" ".join(subject.split()), body=body)


def _call(reminders: list[VerificationReminder], operator: Organization) -> Call:
    titles = [_title(reminder) for reminder in reminders]
    summary = ngettext(
        "Ask them to check that their listing on Tsunagu is still correct: %(titles)s.",
        "Ask them to check that their %(count)d listings on Tsunagu are still correct: %(titles)s.",
        len(titles),
    ) % {"count": len(titles), "titles": _(", ").join(titles)}
    return Call(name=operator.name, phone=operator.phone, summary=summary)


def _operator(message: Message, reminders: list[VerificationReminder]) -> Organization | None:
    """The message's operator as it is now (None: the town office's message); usually loaded
    with its reminders already."""
    if not message.object_id:
        return None
    for reminder in reminders:
        operator = reminder.organization if reminder.organization_id else reminder.page.organization
        if operator is not None and str(operator.pk) == message.object_id:
            return operator
    return Organization.objects.filter(pk=message.object_id).first()


def _compose(message: Message) -> Outcome:
    claimed = list(
        VerificationReminder.objects.filter(message=message.pk)
        .select_related("page__content_type", "page__organization", "organization")
        .order_by("pk")
    )
    reminders = [reminder for reminder in claimed if _still_due(reminder)]
    if not reminders:
        return Drop(_("Every listing in it was confirmed, edited or unpublished meanwhile."))
    # The operator's addresses as they are now: one removed or added since the sweep still
    # gets the reminder to somebody who can act on it.
    operator = _operator(message, claimed)
    town = default_town()
    route = route_for(
        email=operator.email if operator else "",
        phone=operator.phone if operator else "",
        town=town,
    )
    if route == Route.OPERATOR:
        return _email(reminders, to=operator.email, to_town=False, town=town)
    if route == Route.TOWN:
        return _email(reminders, to=town.email, to_town=True, town=town)
    if route == Route.CALL:
        return _call(reminders, operator)
    return Drop(_("Nobody to send it to: no email address and no telephone number."))


def compose(message: Message) -> Outcome:
    """The outbox's compose for ``KIND``: ``object_id`` is the operator (empty: the town
    office's message); the items are the reminders that point at ``message``."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compose(message)
