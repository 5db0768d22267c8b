"""Reads of the outbox for the health check: is anything waiting longer than the sweep allows?"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from .models import Message
from .services import OPEN_ROWS


def overdue(now: dt.datetime | None = None) -> dict:
    """Open rows past their time by more than one sweep interval plus the lease.

    Nothing should be: the sweep claims a due row within an interval, and a lost "send this"
    costs at most the lease. A non-zero count means no sweep is running (beat or
    ``outbox_sweep --loop`` stopped) or no worker consumes. One indexed query.
    """
    now = now or timezone.now()
    grace = dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS + settings.OUTBOX_LEASE_SECONDS)
    late = Message.objects.filter(OPEN_ROWS, next_attempt_at__lt=now - grace)
    found = late.aggregate(oldest=Min("next_attempt_at"))["oldest"]
    if found is None:
        return {"overdue": 0}
    return {"overdue": late.count(), "oldest_seconds": round((now - found).total_seconds())}
