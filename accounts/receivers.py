"""Every login (the admin form, a test's force_login) starts the session's clocks."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .sessions import session_start


@receiver(user_logged_in, dispatch_uid="accounts.session_start")
def start_session_clocks(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request.session)
