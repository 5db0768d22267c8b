"""iCalendar feeds: the whole calendar, per place, per operator, per tag, one event, and the
weekly schedule of one activity."""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from resources.models import ActivityPage, Organization, PlacePage, Term
from tsunagu.page_cache import public_page

from .ical import activity_vevents, build_calendar
from .models import EventPage, EventPageQuerySet

# Subscribers keep last year's events; older ones drop out of the feeds.
FEED_PAST_DAYS = 366


def _events() -> EventPageQuerySet:
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    return (
        EventPage.objects.for_calendar()
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=since))
        .order_by("start", "pk")
    )


def _host(request: HttpRequest) -> str:
    site = Site.find_for_request(request)
    return site.hostname if site else request.get_host()


def _feed(request: HttpRequest, events: EventPageQuerySet, *, name: str, filename: str):
    vevents = events.values_list("ical_vevent", flat=True)
    return _calendar_response(request, vevents, name=name, filename=filename)


def _calendar_response(
    request: HttpRequest, vevents: Iterable[str], *, name: str, filename: str
) -> HttpResponse:
    uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{_host(request)}{request.path}")
    body = build_calendar(vevents, name=name, uid=str(uid))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_page
def all_events(request: HttpRequest) -> HttpResponse:
    name = _("Events in %(town)s") % {"town": settings.TSUNAGU_TOWN_NAME}
    return _feed(request, _events(), name=name, filename="events.ics")


@public_page
def place_events(request: HttpRequest, hsds_id: uuid.UUID) -> HttpResponse:
    place = get_object_or_404(PlacePage.objects.live().public(), hsds_id=hsds_id)
    name = _("Events at %(place)s") % {"place": place.title}
    return _feed(request, _events().filter(place=place), name=name, filename="place.ics")


@public_page
def organization_events(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    organization = get_object_or_404(Organization, uuid=key)
    name = _("Events by %(organization)s") % {"organization": organization.name}
    events = _events().filter(organization=organization)
    return _feed(request, events, name=name, filename="organization.ics")


@public_page
def tag_events(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    term = get_object_or_404(Term, uuid=key)
    name = _("Events tagged “%(tag)s”") % {"tag": term.name}
    return _feed(request, _events().filter(tags=term), name=name, filename="tag.ics")


@public_page
def single_event(request: HttpRequest, hsds_id: uuid.UUID) -> HttpResponse:
    event = get_object_or_404(_events().only("title"), hsds_id=hsds_id)
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
        host=_host(request),
        url=activity.get_full_url(request) or "",
    )
    return _calendar_response(request, vevents, name=activity.title, filename="activity.ics")
