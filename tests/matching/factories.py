"""Teams, users in their roles, clients and host activities for the matching tests."""

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory
from wagtail.models import GroupPagePermission, Page

from matching import services
from matching.models import Client, Consent, Team, TeamMembership
from matching.permissions import admin_access_permission
from resources.models import ActivityPage
from tests.resources.factories import ActivityPageFactory, AreaFactory

User = get_user_model()
PASSWORD = "correct horse battery staple"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"チーム{n}")
    kind = Team.Kind.COMMUNITY_SUPPORT_CENTER
    phone = "0997-00-0000"
    email = factory.Sequence(lambda n: f"team{n}@example.jp")


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"対象者{n}")
    kana = "たいしょうしゃ"
    team = factory.SubFactory(TeamFactory)
    birth_year = 1960
    field_elderly = True
    availability = ["2-morning", "4-morning"]


def admin_group() -> Group:
    """Wagtail admin access only: what every staff account has, coordinator or not."""
    group, created = Group.objects.get_or_create(name="admin access")
    if created:
        group.permissions.add(admin_access_permission())
    return group


def make_user(username: str, *, team: Team | None = None, role: str = "coordinator") -> Any:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.jp"
    )
    user.groups.add(admin_group())
    if team is not None:
        TeamMembership.objects.create(team=team, user=user, role=role)
    return user


def make_editor(username: str = "editor") -> Any:
    """A community group's editor: admin access and page permissions, nothing else."""
    user = make_user(username)
    group, _ = Group.objects.get_or_create(name="community editors")
    GroupPagePermission.objects.get_or_create(
        group=group,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(Page), codename="change_page"
        )[0],
    )
    user.groups.add(group)
    return user


def host_activity(**kwargs: Any) -> ActivityPage:
    """A live activity that takes placements, on Wednesday mornings, with a contact email."""
    values = {
        "title": "花の畑",
        "accepts_placements": True,
        "placement_capacity": 2,
        "for_everyone": True,
        "email": "host@example.jp",
        "area": AreaFactory(name="和泊"),
        "schedule": [{"weekday": 2, "opens_at": "09:00", "closes_at": "11:00"}],
        **kwargs,
    }
    return ActivityPageFactory(**values)


def consent(person: Client, by: Any, stage: str = Consent.Stage.CONSENTED) -> Consent:
    return services.consent_record(
        client=person,
        stage=stage,
        obtained_on=dt.date(2026, 11, 1),
        scope="受け入れ先への要約の提供と参加" if stage == Consent.Stage.CONSENTED else "",
        method=Consent.Method.INTERVIEW,
        # A withdrawal needs its reason.
        note="本人から電話で撤回の申し出" if stage == Consent.Stage.WITHDRAWN else "",
        by=by,
    )
