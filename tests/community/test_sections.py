"""Sections: made idempotently, with the right permissions, types and organisation."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Page, WorkflowPage

from community import services
from community.models import (
    CalendarSectionPage,
    DirectorySectionPage,
    OrganizationEditors,
    OrganizationSectionPage,
    VolunteerSectionPage,
)
from events.models import EventIndexPage, EventPage
from resources.models import ActivityPage, DirectoryIndexPage, PlacePage
from tests.resources.factories import OrganizationFactory, PlacePageFactory
from volunteers.models import OpportunityPage, VolunteerIndexPage

from .factories import make_group, site_indexes

pytestmark = pytest.mark.django_db


def test_ensure_sections_makes_one_section_per_index_and_is_idempotent():
    organization, sections = make_group("ひまわりの会")
    again = services.ensure_sections(organization)
    assert sorted(s.pk for s in again) == sorted(s.pk for s in sections.values())
    assert OrganizationSectionPage.objects.filter(organization=organization).count() == 3
    assert OrganizationEditors.objects.filter(organization=organization).count() == 1
    group = services.editors_group(organization)
    codenames = sorted(
        GroupPagePermission.objects.filter(group=group).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == ["add_page"] * 3 + ["change_page"] * 3  # never publish_page
    assert all(section.live for section in sections.values())


def test_the_workflow_is_assigned_to_each_index_once():
    make_group("ひまわりの会")
    make_group("うみの会")
    workflow = services.ensure_moderation()
    assert workflow.name == "町の承認"
    for index_model in (DirectoryIndexPage, EventIndexPage, VolunteerIndexPage):
        index = index_model.objects.get()
        assert WorkflowPage.objects.get(page=index).workflow == workflow
        assert index.get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert list(task.groups.all()) == [Group.objects.get(name="町職員")]


def test_a_renamed_organisation_renames_its_sections():
    organization, _sections = make_group("ひまわりの会")
    organization.name = "ひまわり子ども食堂"
    organization.save()
    services.ensure_sections(organization)
    assert set(
        OrganizationSectionPage.objects.filter(organization=organization).values_list(
            "title", flat=True
        )
    ) == {"ひまわり子ども食堂"}


def test_each_section_type_takes_only_its_own_index_s_pages():
    _organization, sections = make_group("ひまわりの会")
    directory = sections["DirectorySectionPage"]
    calendar = sections["CalendarSectionPage"]
    volunteering = sections["VolunteerSectionPage"]
    assert PlacePage.can_create_at(directory) and ActivityPage.can_create_at(directory)
    assert not EventPage.can_create_at(directory)
    assert not OpportunityPage.can_create_at(directory)
    assert EventPage.can_create_at(calendar)
    assert not PlacePage.can_create_at(calendar) and not ActivityPage.can_create_at(calendar)
    assert OpportunityPage.can_create_at(volunteering)
    assert not PlacePage.can_create_at(volunteering) and not EventPage.can_create_at(volunteering)
    # Sections are made by the service only, never by hand in the admin.
    for model in (DirectorySectionPage, CalendarSectionPage, VolunteerSectionPage):
        assert not model.can_create_at(model.objects.first().get_parent())


def test_a_page_in_a_section_belongs_to_its_group_whatever_was_chosen():
    organization, sections = make_group("ひまわりの会")
    other = OrganizationFactory(name="うみの会")
    place = PlacePageFactory(parent=sections["DirectorySectionPage"], organization=other)
    place.refresh_from_db()
    assert place.organization == organization
    place.organization = other
    place.save_revision().publish()
    place.refresh_from_db()
    assert place.organization == organization


def test_moving_a_page_to_another_group_s_section_hands_it_over_at_once():
    himawari, himawari_sections = make_group("ひまわりの会")
    umi, umi_sections = make_group("うみの会")
    place = PlacePageFactory(parent=himawari_sections["DirectorySectionPage"])
    Page.objects.get(pk=place.pk).move(umi_sections["DirectorySectionPage"], pos="last-child")
    place.refresh_from_db()
    assert place.organization == umi
    # Out of every section (into the directory itself), it keeps its last group.
    place.move(umi_sections["DirectorySectionPage"].get_parent(), pos="last-child")
    place.refresh_from_db()
    assert place.organization == umi and himawari != umi


def test_a_page_outside_sections_keeps_the_chosen_organisation():
    site_indexes()
    other = OrganizationFactory(name="うみの会")
    place = PlacePageFactory(organization=other)
    place.refresh_from_db()
    assert place.organization == other


def test_section_page_lists_its_live_pages(client):
    _organization, sections = make_group("ひまわりの会")
    PlacePageFactory(title="ひまわり食堂", parent=sections["DirectorySectionPage"])
    section = Page.objects.get(pk=sections["DirectorySectionPage"].pk)
    html = client.get(section.url).content.decode()
    assert "ひまわり食堂" in html
