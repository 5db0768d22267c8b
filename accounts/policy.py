"""Who must sign in with a second factor — the one place that decides it.

Everyone who can open personal data: client records (``matching.access``), the volunteer
registry, the outbox and its call list (names, addresses, telephone numbers), and anyone who can
hand out those rights or undo someone's 2FA. Community-group editors see none of that, so for them
it is optional unless ``STAFF_2FA_REQUIRED_FOR_ALL`` is on.
"""

from typing import Any

from django.conf import settings

from matching.access import client_access

from .models import RESET_2FA_PERMISSION, UNLOCK_PERMISSION

SENSITIVE_PERMISSIONS = frozenset(
    {
        # The volunteer registry (the volunteer coordinators' group).
        "volunteers.view_volunteer",
        "volunteers.change_volunteer",
        # The outbox and the call list (town staff, volunteer coordinators).
        "outbox.view_message",
        "outbox.change_message",
        "outbox.call_message",
        # Whoever can give themselves any of the above, or take 2FA or a lockout away.
        "auth.add_user",
        "auth.change_user",
        "auth.change_group",
        RESET_2FA_PERMISSION,
        UNLOCK_PERMISSION,
    }
)


def requires_two_factor(user: Any) -> bool:
    """Whether this account may use the admin only after a second factor."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or settings.STAFF_2FA_REQUIRED_FOR_ALL:
        return True
    if client_access(user).sees_any:
        return True
    return not SENSITIVE_PERMISSIONS.isdisjoint(user.get_all_permissions())
