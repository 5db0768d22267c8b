"""Writes of community publishing: groups, sections, the staff workflow, invitations.

All idempotent: running them again finds what exists and adds only what is missing, so the
demo loader, the set-up command and an invitation can each call them without coordination.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from events.models import EventIndexPage
from outbox.services import Spec, enqueue
from resources.models import DirectoryIndexPage, Organization
from tsunagu.sites import town_name
from volunteers.models import VolunteerIndexPage

from . import emails
from .models import (
    CalendarSectionPage,
    DirectorySectionPage,
    Invitation,
    OrganizationEditors,
    OrganizationSectionPage,
    ReachableApprovalTask,
    VolunteerSectionPage,
)

STAFF_GROUP_NAME = "町職員"
WORKFLOW_NAME = "町の承認"
TASK_NAME = "町職員による承認"

# Which section type lives under which index.
SECTION_TYPES: tuple[tuple[type[Page], type[OrganizationSectionPage]], ...] = (
    (DirectoryIndexPage, DirectorySectionPage),
    (EventIndexPage, CalendarSectionPage),
    (VolunteerIndexPage, VolunteerSectionPage),
)
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")  # never publish: staff approve
STAFF_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
EDITOR_PERMISSIONS = ("wagtailadmin.access_admin", "events.view_eventsignup")
STAFF_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "community.invite_editor",
    "resources.add_organization",
    "resources.change_organization",
    "resources.view_organization",
    # What a listing's flags mean to the matcher (which 配慮 each one meets) is the town's call.
    "resources.view_offerterm",
    "resources.add_offerterm",
    "resources.change_offerterm",
    "resources.delete_offerterm",
    "events.view_eventsignup",
    "events.delete_eventsignup",
    # The outbox and its call list (people without email to telephone).
    "outbox.view_message",
    "outbox.change_message",
    "outbox.call_message",
)


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant_page(group: Group, page: Page, codenames: tuple[str, ...]) -> None:
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(codename)
        )


def town_site(site: Site | None) -> Site:
    """The site that stands for ``site``'s town: a town served on two hostnames is one tree,
    so one staff group and one workflow (the default site's, else the first); the default
    site's town when None (the single-town callers)."""
    if site is None:
        return Site.objects.get(is_default_site=True)
    if site.is_default_site:
        return site
    same_tree = Site.objects.filter(root_page_id=site.root_page_id)
    return same_tree.order_by("-is_default_site", "pk").first() or site


def _town_suffix(site: Site) -> str:
    """What another town's staff group, task and workflow add to their names (「（知名町）」);
    nothing for the default site's town, whose names existing installs rely on."""
    return "" if site.is_default_site else f"（{town_name(site)}）"


def _town_pages(model: type[Page], site: Site) -> QuerySet[Page]:
    """``model``'s pages in ``site``'s tree; on an install of one town, anywhere (its pages may
    sit outside the site's root, built before the site was)."""
    pages = model.objects.all()
    if Site.objects.count() > 1:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    return pages


def indexes(site: Site | None = None) -> list[Page]:
    """The town's directory, calendar and volunteer index that exist (the default site's town
    when no site is given); never another town's."""
    town = town_site(site)
    found = []
    for index_model, _section in SECTION_TYPES:
        index = _town_pages(index_model, town).order_by("path").first()
        if index is not None:
            found.append(index)
    return found


@transaction.atomic
def staff_group(site: Site | None = None) -> Group:
    """The town's staff (町職員, 町職員（知名町）…): publish anywhere under their own town's
    indexes, approve its pages, invite its groups' editors; nothing in another town."""
    town = town_site(site)
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP_NAME + _town_suffix(town))
    group.permissions.add(*(_permission(p) for p in STAFF_PERMISSIONS))
    for index in indexes(town):
        _grant_page(group, index, STAFF_PAGE_PERMISSIONS)
    return group


@transaction.atomic
def ensure_moderation(site: Site | None = None) -> Workflow:
    """The town's "町の承認" workflow (one approval task for its staff, which refuses pages
    nobody can be reached about) on each of its indexes.

    Another town gets a workflow and task of its own, for its own staff group, so one town's
    staff never approve another's pages. An index that already has another workflow assigned
    keeps it: the town chose that one.
    """
    town = town_site(site)
    suffix = _town_suffix(town)
    staff = staff_group(town)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME + suffix)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = ReachableApprovalTask.objects.filter(name=TASK_NAME + suffix).first()
    if task is None:
        task = ReachableApprovalTask.objects.create(name=TASK_NAME + suffix)
    task.groups.add(staff)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in indexes(town):
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def _unique_group_name(organization: Organization) -> str:
    name = _("%(name)s editors") % {"name": organization.name}
    if Group.objects.filter(name=name).exists():
        name = f"{name} ({organization.pk})"
    return name[:150]


@transaction.atomic
def editors_group(organization: Organization) -> Group:
    """The organisation's editors group, made on first use with admin access and nothing else."""
    link = OrganizationEditors.objects.select_related("group").filter(organization=organization)
    existing = link.first()
    if existing is not None:
        return existing.group
    group = Group.objects.create(name=_unique_group_name(organization))
    group.permissions.add(*(_permission(p) for p in EDITOR_PERMISSIONS))
    root = Collection.get_first_root_node()
    if root is not None:
        for codename in ("add_image", "choose_image"):
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailimages", codename=codename
                ),
            )
    OrganizationEditors.objects.create(organization=organization, group=group)
    return group


@transaction.atomic
def ensure_sections(organization: Organization) -> list[OrganizationSectionPage]:
    """The organisation's section in each of its town's indexes, its group's permissions on
    each, the town's workflow.

    Idempotent: existing sections are kept (retitled if the organisation was renamed).
    """
    ensure_moderation(organization.site)
    group = editors_group(organization)
    sections: list[OrganizationSectionPage] = []
    town_indexes = {type(index): index for index in indexes(organization.site)}
    for index_model, section_model in SECTION_TYPES:
        index = town_indexes.get(index_model)
        if index is None:
            continue
        section = section_model.objects.child_of(index).filter(organization=organization).first()
        if section is None:
            section = index.add_child(
                instance=section_model(
                    title=organization.name,
                    slug=f"org-{organization.pk}",
                    organization=organization,
                    live=True,
                )
            )
        elif section.title != organization.name:
            section.title = organization.name
            section.save_revision().publish()
        _grant_page(group, section, EDITOR_PAGE_PERMISSIONS)
        sections.append(section)
    return sections


def pages_in_sections(sections: QuerySet[OrganizationSectionPage]) -> QuerySet[Page]:
    """The pages directly in these sections (sections hold no deeper pages)."""
    parent_path = Substr(F("path"), 1, Length("path") - Value(OrganizationSectionPage.steplen))
    return Page.objects.alias(community_parent_path=parent_path).filter(
        community_parent_path__in=sections.values("path")
    )


def is_in_a_section(page: Page) -> bool:
    """A group's page (not a section itself): its parent is a section."""
    return OrganizationSectionPage.objects.filter(path=page.path[: -page.steplen]).exists()


def section_of(page: Page) -> OrganizationSectionPage | None:
    """The group section a page sits in (or is), if any."""
    return (
        OrganizationSectionPage.objects.filter(path__in=[page.path, page.path[: -page.steplen]])
        .select_related("organization")
        .first()
    )


@dataclass(frozen=True)
class Invited:
    """What ``editor_invite`` did, for the staff's confirmation message."""

    user: Any
    created: bool
    needs_password: bool


def _normalised_email(raw: str) -> str:
    email = unicodedata.normalize("NFKC", raw or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(_("Enter a valid email address."), code="invalid_email") from exc
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def editor_invite(*, organization: Organization, email: str, by: Any) -> Invited:
    """Add the person with this email to the organisation's editors, inviting them by email.

    A new person gets an account without a usable password and a one-time link to set one;
    somebody who already has an account is only added to the group (no second account). May be
    repeated: a re-invitation sends a fresh link. Raises ``ValidationError`` (Japanese) on a bad
    address, before anything is written.
    """
    address = _normalised_email(email)
    User = get_user_model()
    matches = list(User.objects.filter(email__iexact=address).order_by("pk")[:2])
    if len(matches) > 1:
        raise ValidationError(
            _("More than one account has this email address; ask an administrator."),
            code="ambiguous_email",
        )
    created = not matches
    if created:
        username = address[:150]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("An account named %(name)s already exists with another email address.")
                % {"name": username},
                code="username_taken",
            )
        user = User(username=username, email=address, is_active=True)
        user.set_unusable_password()
        user.save()
    else:
        user = matches[0]
        if not user.is_active:
            raise ValidationError(
                _("This account is deactivated; an administrator must reactivate it first."),
                code="inactive",
            )
    ensure_sections(organization)
    user.groups.add(editors_group(organization))
    invitation = Invitation.objects.create(
        organization=organization, user=user, invited_by=by if getattr(by, "pk", None) else None
    )
    enqueue(
        Spec(
            kind=emails.INVITATION,
            object_id=invitation.pk,
            key=emails.invitation_key(invitation.pk),
        )
    )
    return Invited(user=user, created=created, needs_password=not user.has_usable_password())


def is_group_editor_only(user: Any) -> bool:
    """A community group's editor who is not town staff: sees only their own groups' pages."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    if user.has_perm("community.invite_editor"):
        return False
    return OrganizationEditors.objects.filter(group__user=user).exists()
