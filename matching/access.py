"""Who may see and change participation-support records — the rule behind ``visible_to``.

Coordinators see the clients of their own teams; supervisors (a supervisor role in any team),
holders of ``matching.view_all_clients`` and superusers see every client; everybody else —
anonymous users, community-group editors, volunteers — sees none. Only team members and
superusers may change records; the audit log is read by those who see every client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from .models.teams import TeamMembership

VIEW_ALL_PERMISSION = "matching.view_all_clients"
_CACHE_ATTRIBUTE = "_matching_client_access"


@dataclass(frozen=True)
class ClientAccess:
    sees_all: bool
    team_ids: frozenset[uuid.UUID]
    can_write: bool

    @property
    def sees_any(self) -> bool:
        return self.sees_all or bool(self.team_ids)


NO_ACCESS = ClientAccess(sees_all=False, team_ids=frozenset(), can_write=False)


class SystemActor:
    """The server's operator running a management command without ``--by``.

    Sees every record, like a superuser, and is written to the audit log as Wagtail's "system"
    (no user), so a command's reads are accounted for without inventing a user account.
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


def client_access(user: Any) -> ClientAccess:
    """The user's access, computed once per user object (a request's user lives one request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if isinstance(user, SystemActor) or user.is_superuser:
        access = ClientAccess(sees_all=True, team_ids=frozenset(), can_write=True)
    else:
        roles = list(TeamMembership.objects.filter(user=user).values_list("team_id", "role"))
        is_supervisor = any(role == TeamMembership.Role.SUPERVISOR for _, role in roles)
        access = ClientAccess(
            sees_all=is_supervisor or user.has_perm(VIEW_ALL_PERMISSION),
            team_ids=frozenset(team_id for team_id, _ in roles),
            can_write=bool(roles),
        )
    if not isinstance(user, SystemActor):
        setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def forget_access(user: Any) -> None:
    """Drop the cached access, e.g. after a user's memberships changed in the same process."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def audit_user(actor: Any) -> Any:
    """The user recorded in the audit log: a real account, or None for the system."""
    return None if isinstance(actor, SystemActor) or actor is None else actor
