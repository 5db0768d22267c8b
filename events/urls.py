"""iCal feed URLs. Wagtail's page URLs cannot end in ".ics", so feeds live beside the pages."""

from django.urls import path

from . import feeds

app_name = "events"

urlpatterns = [
    path("events.ics", feeds.all_events, name="ical-all"),
    path("events/<uuid:hsds_id>.ics", feeds.single_event, name="ical-event"),
    path("places/<uuid:hsds_id>.ics", feeds.place_events, name="ical-place"),
    path("organizations/<uuid:key>.ics", feeds.organization_events, name="ical-organization"),
    path("tags/<uuid:key>.ics", feeds.tag_events, name="ical-tag"),
    path("activities/<uuid:hsds_id>.ics", feeds.activity_schedule, name="ical-activity"),
]
