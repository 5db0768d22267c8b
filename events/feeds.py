"""iCalendar feeds: the whole calendar, per place, per operator, per tag, one event, and the
weekly schedule of one activity."""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry

from resources.models import ActivityPage, Organization, PlacePage, Term
from tsunagu.conditional import conditional
from tsunagu.ical import calendar_uid
from tsunagu.island import shown_on
from tsunagu.models import TownSettings, install_id
from tsunagu.page_cache import public_page

from .filters import EventFilterSet
from .ical import activity_vevents, build_calendar
from .models import EventPage, EventPageQuerySet

# Subscribers keep last year's events; older ones drop out of the feeds.
FEED_PAST_DAYS = 366
# Log actions that take an event out of the feeds without a newer publication.
REMOVALS = (
    "wagtail.unpublish",
    "wagtail.unpublish.scheduled",
    "wagtail.delete",
    "wagtail.view_restriction.create",
    "wagtail.view_restriction.edit",
)


def _events(request: HttpRequest) -> EventPageQuerySet:
    """The site's events (and the sharing towns', ``tsunagu.island``), recent and to come."""
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    return (
        EventPage.objects.for_calendar()
        .filter(shown_on(request))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since))
        .order_by("start", "pk")
    )


def _events_last_changed(events: EventPageQuerySet) -> dt.datetime | None:
    """When the feed last changed: its newest publication, or an event unpublished or deleted
    since (which leaves no newer publication behind)."""
    published = events.order_by().aggregate(newest=Max("last_published_at"))["newest"]
    removed = PageLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(EventPage), action__in=REMOVALS
    ).aggregate(newest=Max("timestamp"))["newest"]
    return max((moment for moment in (published, removed) if moment), default=None)


def _feed(request: HttpRequest, events: EventPageQuerySet, *, name: str, filename: str):
    vevents = events.values_list("ical_vevent", flat=True)
    return _calendar_response(
        request,
        vevents,
        name=name,
        filename=filename,
        last_modified=_events_last_changed(events),
    )


def _calendar_response(
    request: HttpRequest,
    vevents: Iterable[str],
    *,
    name: str,
    filename: str,
    last_modified: dt.datetime | None,
) -> HttpResponse:
    key = request.get_full_path()
    body = build_calendar(vevents, name=name, uid=calendar_uid(install_id(), key))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return conditional(request, response, last_modified=last_modified)


@public_page
def all_events(request: HttpRequest) -> HttpResponse:
    """Every event, or those matching the calendar's filters (the same query string), so a
    filtered calendar page offers its own feed."""
    town = TownSettings.for_request(request).town_name or settings.TSUNAGU_TOWN_NAME
    name = _("Events in %(town)s") % {"town": town}
    events = _events(request)
    if request.GET:
        filterset = EventFilterSet(request.GET, queryset=events)
        events = filterset.qs
    return _feed(request, events, name=name, filename="events.ics")


@public_page
def place_events(request: HttpRequest, hsds_id: uuid.UUID) -> HttpResponse:
    place = get_object_or_404(PlacePage.objects.live().public(), hsds_id=hsds_id)
    name = _("Events at %(place)s") % {"place": place.title}
    return _feed(request, _events(request).filter(place=place), name=name, filename="place.ics")


@public_page
def organization_events(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    organization = get_object_or_404(Organization, uuid=key)
    name = _("Events by %(organization)s") % {"organization": organization.name}
    events = _events(request).filter(organization=organization)
    return _feed(request, events, name=name, filename="organization.ics")


@public_page
def tag_events(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    term = get_object_or_404(Term, uuid=key)
    name = _("Events tagged “%(tag)s”") % {"tag": term.name}
    return _feed(request, _events(request).filter(tags=term), name=name, filename="tag.ics")


@public_page
def single_event(request: HttpRequest, hsds_id: uuid.UUID) -> HttpResponse:
    """One event, however long ago it ended: a link in an old newsletter still opens it as it
    was. Unpublished, private or deleted events are gone (404)."""
    event = get_object_or_404(EventPage.objects.for_calendar().only("title"), hsds_id=hsds_id)
    events = EventPage.objects.filter(pk=event.pk)
    return _feed(request, events, name=event.title, filename="event.ics")


@public_page
def activity_schedule(request: HttpRequest, hsds_id: uuid.UUID) -> HttpResponse:
    """A regular activity's weekly schedule with its exceptions: what webcal:// subscribes to."""
    activity = get_object_or_404(
        ActivityPage.objects.live().public().select_related("place"), hsds_id=hsds_id
    )
    vevents = activity_vevents(
        activity,
        activity.schedule_rules.all(),
        activity.schedule_exceptions.all(),
        domain=install_id(),
        url=activity.get_full_url(request) or "",
    )
    return _calendar_response(
        request,
        vevents,
        name=activity.title,
        filename="activity.ics",
        last_modified=activity.last_published_at,
    )
