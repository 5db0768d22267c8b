"""Wagtail's permission policy for clients, derived from access.py (team membership).

Django model permissions play no part except ``view_all_clients``: a coordinator's rights come
from the team they are in, so moving someone between teams is the only thing to change.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from .access import VIEW_ALL_PERMISSION, can_write_client, client_access
from .models import Client


class ClientPermissionPolicy(BasePermissionPolicy):
    """view: anyone who sees some client; add/change: team members, and for one client only the
    members of its own team (``can_write_client``); audit (the client's log): those who see
    every client; delete: nobody (erasure is a command, not a button)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        access = client_access(user)
        if action == "view":
            return access.sees_any
        if action in ("add", "change"):
            return access.can_write
        if action == "audit":
            return access.sees_all
        return False

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if not self.user_has_permission(user, action):
            return False
        if action in ("add", "change"):
            return can_write_client(user, instance)
        return Client.objects.visible_to(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user: Any, actions: Any) -> QuerySet:
        if not self.user_has_any_permission(user, actions):
            return Client.objects.none()
        if set(actions) <= {"add", "change"}:
            return Client.objects.writable_by(user)
        return Client.objects.visible_to(user)

    def users_with_any_permission(self, actions: Any) -> QuerySet:
        users = get_user_model().objects.filter(is_active=True)
        if not set(actions) & {"view", "add", "change"}:
            return users.none()
        members = Q(is_superuser=True) | Q(team_memberships__isnull=False)
        if "view" in actions:
            app_label, codename = VIEW_ALL_PERMISSION.split(".")
            perm = Q(
                user_permissions__codename=codename,
                user_permissions__content_type__app_label=app_label,
            )
            group_perm = Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
            members |= perm | group_perm
        return users.filter(members).distinct()


def admin_access_permission() -> Permission:
    """Wagtail's "access admin" permission, which Wagtail creates in a data migration.

    Fetched with get_or_create so staff accounts can be made on a database whose migration data
    was flushed (transactional tests do that).
    """
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    return permission
