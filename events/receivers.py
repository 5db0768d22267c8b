"""Stored VEVENTs carry the install's id (their UIDs) and each event's URL: when either changes
without the event being saved (the install's id first made after an upgrade, site edited,
calendar renamed or moved), render them again."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import page_slug_changed, post_page_move

from tsunagu.models import Installation

from . import tasks
from .models import EventIndexPage, EventPage


def _refresh_feeds(**kwargs) -> None:
    transaction.on_commit(tasks.refresh_ical.delay)


receiver(post_save, sender=Site)(_refresh_feeds)
receiver(post_save, sender=Installation)(_refresh_feeds)
receiver(page_slug_changed, sender=EventIndexPage)(_refresh_feeds)
receiver(post_page_move, sender=EventIndexPage)(_refresh_feeds)
receiver(post_page_move, sender=EventPage)(_refresh_feeds)
