"""Who may see and who may change participation-support records: the two rules.

Towns (issue 17): each town is a Wagtail ``Site``; a team belongs to one. A user's towns are
the sites of their teams. Client data never crosses towns except by a consented referral.

Read (``visible_to``): coordinators see the clients of their own teams; supervisors (a
supervisor role in any team) and holders of ``matching.view_all_clients`` see every client of
their towns; superusers and the system see every client of every town; everybody else —
anonymous users, community-group editors, volunteers — sees none. The members of a team that
an active referral (``Referral``, the client's consent recorded) names also read that one client.

A holder of ``view_all_clients`` in no team has no town of their own. On an install with one
site they see every client, as before towns existed (town staff need no team there); once the
install has several sites they see none until they are made a member of a team in their
town — so adding a second town never widens anyone's access, and a town's staff account is
tied to its town in one visible place, the team's member list.

Write (``can_write_client``, ``Client.objects.writable_by``): only the members (coordinator or
supervisor) of the client's own team, superusers and the system. Seeing every client never
grants a write: a supervisor of another team, a holder of the read-all permission, or a team
the client was referred to, reads only. The audit log is read per town by those who see every
client of that town (entries of a client erased since are then only read by superusers).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.models import Site

from resources.models import Area

from .models.teams import Team, TeamMembership

VIEW_ALL_PERMISSION = "matching.view_all_clients"
_CACHE_ATTRIBUTE = "_matching_client_access"


@dataclass(frozen=True)
class ClientAccess:
    """``team_ids`` are the teams the user is a member of: read and write there.
    ``sees_all``: reads every client of ``town_ids`` (the site ids), or of every town when
    ``town_ids`` is None. ``writes_all`` is for superusers and the system only, never for a
    permission."""

    sees_all: bool
    team_ids: frozenset[uuid.UUID]
    writes_all: bool
    town_ids: frozenset[int] | None

    @property
    def sees_every_town(self) -> bool:
        """Whether no town limits the reading: superusers, the system, single-site staff."""
        return self.sees_all and self.town_ids is None

    @property
    def sees_any(self) -> bool:
        return self.sees_all or bool(self.team_ids)

    @property
    def can_write(self) -> bool:
        """Whether the user may write the clients of at least one team (e.g. create one)."""
        return self.writes_all or bool(self.team_ids)

    def audits_town(self, site_id: int) -> bool:
        """Whether the user reads the audit log of this town's clients."""
        return self.sees_every_town or (self.sees_all and site_id in (self.town_ids or ()))

    def writes_team(self, team_id: Any) -> bool:
        """The write rule itself; every other write check in the project comes here."""
        return self.writes_all or team_id in self.team_ids


NO_ACCESS = ClientAccess(
    sees_all=False, team_ids=frozenset(), writes_all=False, town_ids=frozenset()
)


def single_town() -> bool:
    """Whether the install has one site only; Wagtail caches the site list, so usually free."""
    return len(Site.get_site_root_paths()) <= 1


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
        access = ClientAccess(sees_all=True, team_ids=frozenset(), writes_all=True, town_ids=None)
    else:
        roles = list(
            TeamMembership.objects.filter(user=user).values_list("team_id", "role", "team__site_id")
        )
        supervised = frozenset(
            site for _t, role, site in roles if role == TeamMembership.Role.SUPERVISOR
        )
        view_all = user.has_perm(VIEW_ALL_PERMISSION)
        # Read-all staff read their teams' towns; a supervisor the towns they supervise in,
        # not a town where they only coordinate (their own team's clients there, as anyone).
        towns: frozenset[int] | None = (
            supervised if supervised and not view_all else frozenset(s for _t, _r, s in roles)
        )
        sees_all = bool(supervised) or view_all
        if sees_all and not towns:
            # Read-all staff in no team: every client with one town, none with several.
            towns = None if single_town() else frozenset()
            sees_all = towns is None
        access = ClientAccess(
            sees_all=sees_all,
            team_ids=frozenset(team_id for team_id, _r, _s in roles),
            writes_all=False,
            town_ids=towns,
        )
    if not isinstance(user, SystemActor):
        setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def visible_teams(user: Any) -> QuerySet[Team]:
    """The teams whose clients the user sees as a whole (their own, and every team of their
    towns for those who see every client there): the choices of team filters and breakdowns.
    A team that only had one client referred to it is not among them."""
    access = client_access(user)
    if access.sees_every_town:
        teams = Team.objects.all()
    elif access.sees_all:
        teams = Team.objects.filter(Q(site_id__in=access.town_ids) | Q(pk__in=access.team_ids))
    else:
        teams = Team.objects.filter(pk__in=access.team_ids)
    return teams.order_by("name")


def user_town_ids(user: Any) -> frozenset[int] | None:
    """The user's towns (site ids) for the staff reports and filters; None for every town.

    Every town for those who see every town (superusers, the system, read-all staff of a
    one-site install) and for anyone on an install of one site, where there is no other town
    to keep apart; otherwise the towns of the user's teams, none for staff in no team — as for
    clients, adding a second town never widens what anyone is shown.
    """
    access = client_access(user)
    if access.sees_every_town or single_town():
        return None
    return access.town_ids or frozenset()


def visible_areas(user: Any) -> QuerySet[Area]:
    """The districts of the user's towns: the choices of district filters and report forms.

    Another town's districts name places the user has no business with, and filtering by one
    finds nothing the user may read anyway; every district for those who see every town, and
    on an install of one town (``user_town_ids``).
    """
    towns = user_town_ids(user)
    if towns is None:
        return Area.objects.all()
    return Area.objects.filter(site_id__in=towns)


def writable_areas(user: Any) -> QuerySet[Area]:
    """The districts a client the user may write can live in: those of the towns of
    ``writable_teams`` (one subquery, no extra query); every district for superusers."""
    access = client_access(user)
    if access.writes_all:
        return Area.objects.all()
    towns = Team.objects.filter(pk__in=access.team_ids).values("site_id")
    return Area.objects.filter(site_id__in=towns)


def can_write_team(user: Any, team_id: Any) -> bool:
    """Whether the user may write the records of this team's clients (or add one to it)."""
    return client_access(user).writes_team(team_id)


def can_write_client(user: Any, client: Any) -> bool:
    """Whether the user may change this client's record, consents, plans, proposals,
    placements and check-ins: members of the client's own team, superusers and the system."""
    return can_write_team(user, client.team_id)


def visible_referrals(user: Any, client: Any) -> QuerySet[Any]:
    """The client's referrals as ``user`` may read them: all of them for the client's own team
    and those who read every client of its town; a team the client was referred to, its own
    only (what the person agreed one team may know is not for another)."""
    referrals = client.referrals.all()
    access = client_access(user)
    if access.writes_team(client.team_id) or access.audits_town(client.team.site_id):
        return referrals
    return referrals.filter(to_team_id__in=access.team_ids)


def ensure_can_write(actor: Any, client: Any) -> None:
    """The guard at the top of every service that changes a client's records: refuse (403 in a
    view, an error in a command) unless ``can_write_client``.

    ``actor=None`` is nobody: the host place's signed link or a scheduled job (expiry,
    retention), which the caller authorised by the token or by running on the server.
    """
    if actor is not None:
        ensure_can_write_team(actor, client.team_id)


def ensure_can_write_team(actor: Any, team_id: Any) -> None:
    """``ensure_can_write`` for a team's clients as a whole (an import into the team)."""
    if actor is not None and not can_write_team(actor, team_id):
        raise PermissionDenied(
            _("Only the coordinators and supervisors of the person's team can change this record.")
        )


def writable_teams(user: Any) -> QuerySet[Team]:
    """The teams whose clients the user may write, e.g. the choices of a client's team."""
    access = client_access(user)
    if access.writes_all:
        return Team.objects.all()
    return Team.objects.filter(pk__in=access.team_ids)


def forget_access(user: Any) -> None:
    """Drop the cached access, e.g. after a user's memberships changed in the same process."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def audit_user(actor: Any) -> Any:
    """The user recorded in the audit log: a real account, or None for the system."""
    return None if isinstance(actor, SystemActor) or actor is None else actor
