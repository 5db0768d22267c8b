"""One user per staff role, and helpers to pass the second factor the way a person would."""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from matching.models import TeamMembership
from tests.community.factories import make_editor, make_group, make_staff
from tests.matching.factories import PASSWORD, TeamFactory, make_user
from volunteers.demo import COORDINATOR_GROUP, COORDINATOR_PERMISSIONS

REQUIRED_ROLES = [
    "superuser",
    "coordinator",
    "supervisor",
    "view_all",
    "volunteer_coordinator",
    "town_staff",
]


def denied(response) -> bool:
    """Wagtail answers a refused admin page with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def role_user(db, django_user_model):
    """Builds the user for a role name: the groups and rights the product itself gives."""

    def build(role: str) -> Any:
        if role == "superuser":
            return django_user_model.objects.create_superuser("root", "root@example.jp", PASSWORD)
        if role == "coordinator":
            return make_user("coord", team=TeamFactory(name="包括"))
        if role == "supervisor":
            return make_user(
                "super", team=TeamFactory(name="包括"), role=TeamMembership.Role.SUPERVISOR
            )
        if role == "view_all":
            user = make_user("auditor")
            user.user_permissions.add(_permission("matching.view_all_clients"))
            return user
        if role == "volunteer_coordinator":
            user = make_user("vcoord")
            group, _ = Group.objects.get_or_create(name=COORDINATOR_GROUP)
            group.permissions.add(*(_permission(p) for p in COORDINATOR_PERMISSIONS))
            user.groups.add(group)
            return user
        if role == "town_staff":
            return make_staff("town-staff")
        if role == "group_editor":
            organization, _sections = make_group("子ども食堂 ひまわりの会")
            return make_editor("himawari", organization)
        raise ValueError(role)

    return build


@pytest.fixture
def coordinator(role_user):
    return role_user("coordinator")


@pytest.fixture
def editor(role_user):
    return role_user("group_editor")


@pytest.fixture
def confirmed_device(coordinator) -> TOTPDevice:
    return TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)
