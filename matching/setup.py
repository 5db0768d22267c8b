"""Participation support's share of a town's setup: its teams and the staff group.

``setup_town`` and the demo (matching/demo.py) both use these; a coordinator's rights come from
the team they are in (access.py), the group only lets them into the admin.
"""

from django.contrib.auth.models import Group
from wagtail.models import Site

from tsunagu.sites import site_for_hostname

from .models import Team
from .permissions import admin_access_permission

STAFF_GROUP = "参加支援スタッフ"


def staff_group() -> Group:
    """Participation support staff (参加支援スタッフ): admin access; clients by team."""
    group, created = Group.objects.get_or_create(name=STAFF_GROUP)
    if created:
        group.permissions.add(admin_access_permission())
    return group


def team(name: str, fields: dict[str, object], *, site: Site | None = None) -> tuple[Team, bool]:
    """The team of this name in ``site``'s town (default: the default site), created with
    ``fields`` or updated to them; True if either. Another town's team of the same name is
    a different team."""
    site = site or site_for_hostname(None)
    found = Team.objects.filter(site=site, name=name).first()
    if found is None:
        return Team.objects.create(site=site, name=name, **fields), True
    changed = [key for key, value in fields.items() if getattr(found, key) != value]
    for key in changed:
        setattr(found, key, fields[key])
    if changed:
        found.save(update_fields=changed)
    return found, bool(changed)
