"""Community groups with sections and editors, built through the app's own services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from community import services
from community.models import OrganizationSectionPage
from resources.models import Organization
from tests.events.factories import calendar_page
from tests.resources.factories import OrganizationFactory, directory_page
from tests.volunteers.factories import volunteer_index

PASSWORD = "pw-for-tests-only"


def site_indexes() -> None:
    """The directory, calendar and volunteer index a town has before groups get sections."""
    directory_page()
    calendar_page()
    volunteer_index()


def make_group(
    name: str, phone: str = "0997-84-1111"
) -> tuple[Organization, dict[str, OrganizationSectionPage]]:
    """An organisation with its three sections, keyed by the section's model name. It has a
    telephone number: town staff approve no page that nobody could be reached about."""
    site_indexes()
    organization = OrganizationFactory(name=name, phone=phone)
    sections = {type(s).__name__: s for s in services.ensure_sections(organization)}
    return organization, sections


def make_editor(username: str, organization: Organization) -> Any:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.jp", password=PASSWORD
    )
    user.groups.add(services.editors_group(organization))
    return user


def make_staff(username: str = "staff") -> Any:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@town.example.jp", password=PASSWORD
    )
    user.groups.add(services.staff_group())
    return user
