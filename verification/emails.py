"""The reminder email: one per recipient, listing every listing of theirs that is due.

Links are made here, at send time, from ids: tokens never travel through the broker. Only
public content goes into the email (titles, dates, links), never anyone's personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.admin.admin_url_finder import AdminURLFinder

from tsunagu.models import TownSettings

from .links import LinkTarget, confirm_url


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


def item_for(obj: object, *, target: LinkTarget, title: str, kind_label: str, public_url: str):
    """The reminder line for a listing page or an operator record."""
    edit = AdminURLFinder().get_edit_url(obj) or ""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return ReminderItem(
        title=title,
        kind_label=kind_label,
        cycle=target.cycle,
        confirm_url=confirm_url(target),
        edit_url=f"{base}{edit}" if edit else "",
        public_url=public_url,
    )


def send_reminder(
    *, recipient: str, items: list[ReminderItem], town: TownSettings | None, to_town: bool
) -> int:
    """Send one reminder listing ``items``; ``to_town`` when the operator has no address."""
    context = {
        "items": items,
        "town": town,
        "to_town": to_town,
        "remind_months": settings.VERIFICATION_REMIND_AFTER_MONTHS,
        "link_days": settings.VERIFICATION_LINK_MAX_AGE_DAYS,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("verification/emails/reminder_subject.txt", context)
        body = render_to_string("verification/emails/reminder.txt", context)
    return send_mail(" ".join(subject.split()), body, None, [recipient])
