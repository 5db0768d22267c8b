"""The sample volunteering: section replaces the placeholder, 30 volunteers, 10 opportunities."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page, Site

from outbox.models import Message
from volunteers.demo import COORDINATOR_GROUP, COORDINATOR_PERMISSIONS
from volunteers.models import (
    HoursEntry,
    OpportunityPage,
    Shift,
    SignUp,
    Volunteer,
    VolunteerIndexPage,
)

pytestmark = pytest.mark.django_db


def _load() -> None:
    call_command("load_demo", stdout=StringIO())


def test_the_demo_has_the_section_volunteers_and_opportunities_once(client):
    _load()

    home = Site.objects.get(is_default_site=True).root_page
    index = VolunteerIndexPage.objects.get()
    assert index.get_parent().pk == home.pk and index.show_in_menus and index.slug == "volunteers"
    assert not home.get_children().filter(slug="volunteers").exclude(pk=index.pk).exists()
    assert Volunteer.objects.filter(is_sample=True).count() == 30
    assert all("サンプル" in v.name for v in Volunteer.objects.all())
    assert OpportunityPage.objects.live().child_of(index).count() == 10
    assert Shift.objects.count() >= 10
    assert Volunteer.objects.filter(public_profile=True, status="active").count() >= 3
    assert SignUp.objects.filter(status="waitlisted").exists()
    assert HoursEntry.objects.filter(status="approved").exists()
    assert mail.outbox == []  # sample data is written directly: nobody is emailed
    assert not Message.objects.filter(kind__startswith="volunteers.").exists()
    coordinators = Group.objects.get(name=COORDINATOR_GROUP).permissions.all()
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in coordinators}
    assert granted == set(COORDINATOR_PERMISSIONS)
    assert {"outbox.view_message", "outbox.change_message", "outbox.call_message"} <= granted
    assert client.get("/volunteers/").status_code == 200
    profiles = client.get(reverse("volunteers:profiles")).content.decode()
    assert "（サンプル）" in profiles and "sample-volunteer-" not in profiles

    # Loading again (the whole demo is slow, so in the same test) changes nothing.
    counts = (
        Page.objects.count(),
        Volunteer.objects.count(),
        Shift.objects.count(),
        SignUp.objects.count(),
        HoursEntry.objects.count(),
    )

    _load()

    assert counts == (
        Page.objects.count(),
        Volunteer.objects.count(),
        Shift.objects.count(),
        SignUp.objects.count(),
        HoursEntry.objects.count(),
    )
