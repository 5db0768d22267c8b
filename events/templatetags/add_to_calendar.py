"""``{% calendar_links page as links %}``: the add-to-calendar buttons of an event or activity."""

from django import template
from django.urls import reverse
from django.utils import timezone

from resources.models import ActivityPage

from ..calendar_links import CalendarLinks, FeedLinks, activity_links, event_links, feed_links
from ..models import EventPage

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_links(context: template.Context, page: object) -> CalendarLinks | None:
    """Links for a page that can go in a calendar; None for a cancelled or finished event, an
    activity with nothing scheduled, or any other page."""
    request = context["request"]
    if isinstance(page, EventPage):
        finished = page.ends_at is not None and page.ends_at <= timezone.now()
        return None if page.cancelled or finished else event_links(page, request)
    if isinstance(page, ActivityPage):
        rules = list(page.schedule_rules.all())
        return activity_links(page, rules, request, today=timezone.localdate())
    return None


@register.simple_tag(takes_context=True)
def calendar_feed(context: template.Context, url_name: str, **kwargs: object) -> FeedLinks:
    """``{% calendar_feed "events:ical-place" hsds_id=page.hsds_id as feed %}``: the subscribe
    links of one of the events feeds."""
    return feed_links(context["request"], reverse(url_name, kwargs=kwargs))
