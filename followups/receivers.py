"""Follow-ups react to what matching announces (matching/signals.py); apps talk downward."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from matching.models import Client, Placement
from matching.signals import client_erased, placement_paused, placement_resumed

from . import services


@receiver(placement_paused, dispatch_uid="followups.placement_paused")
def pause_schedule(sender: Any, *, placement: Placement, **kwargs: Any) -> None:
    services.schedule_pause(placement=placement)


@receiver(placement_resumed, dispatch_uid="followups.placement_resumed")
def resume_schedule(
    sender: Any, *, placement: Placement, paused_on: dt.date, by: Any, **kwargs: Any
) -> None:
    services.schedule_resume(placement=placement, paused_on=paused_on, by=by)


@receiver(client_erased, dispatch_uid="followups.client_erased")
def erase_checkins(sender: Any, *, client: Client, **kwargs: Any) -> None:
    services.checkins_erase(client=client)
