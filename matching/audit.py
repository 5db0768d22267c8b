"""Writing the client audit log: one entry per view, change, export or command read.

Entries carry the reference code (label) and ids; never names, notes or free text, because
supervisors export this log and it outlives erased records.

A search of the client list is the one read that is not about one client: it decrypts the
names of every client the user may see to find the few that match. It is logged once per
search, on the searching user's own log (``client_search_log``).
"""

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import get_active_log_context, log
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from .access import audit_user
from .models import Client, ClientLogEntry

# action code → label (English msgid; translated in the admin's history and site history views)
ACTIONS = {
    "matching.client.view": _("View client record"),
    "matching.client.export": _("Export client records"),
    "matching.log.export": _("Export the client audit log"),
    "matching.client.import": _("Import client record"),
    "matching.client.propose": _("Rank activities for client"),
    "matching.consent.record": _("Record consent"),
    "matching.consent.withdraw": _("Record consent withdrawal"),
    "matching.plan.create": _("Write support plan"),
    "matching.plan.review": _("Review support plan"),
    "matching.plan.close": _("Close support plan"),
    "matching.proposal.create": _("Create proposal"),
    "matching.proposal.update": _("Edit proposal summary"),
    "matching.proposal.send": _("Send proposal to host place"),
    # Older entries only: a reminder is an outbox message now (its row records when it went).
    "matching.proposal.remind": _("Remind host place"),
    "matching.proposal.accept": _("Host place accepted proposal"),
    "matching.proposal.decline": _("Host place declined proposal"),
    "matching.proposal.expire": _("Proposal expired"),
    "matching.proposal.withdraw": _("Withdraw proposal"),
    "matching.placement.create": _("Create placement"),
    "matching.placement.status": _("Change placement status"),
    "matching.client.erase": _("Erase client's personal data"),
    "matching.client.search": _("Search clients by name"),
    "matching.referral.create": _("Refer client to another team"),
    "matching.referral.end": _("End referral"),
}


# Entries waiting for one insert while ``client_log_batched`` is active.
_BATCH: ContextVar[list[ClientLogEntry] | None] = ContextVar("client_log_batch", default=None)


def client_log(*, client: Client, action: str, by: Any, **data: Any) -> None:
    """Record one action on a client; ``by`` is a user, a SystemActor or None (the host)."""
    batch = _BATCH.get()
    if batch is not None:
        if not log_action_registry.action_exists(action):
            raise ValueError(f"The log action {action!r} has not been registered.")
        context = get_active_log_context()
        user = audit_user(by) or context.user
        batch.append(_entry(client, action, user=user, data=data, uuid=context.uuid))
        return
    log(
        instance=client,
        action=action,
        user=audit_user(by),
        data={key: str(value) for key, value in data.items()},
    )


@contextlib.contextmanager
def client_log_batched() -> Iterator[None]:
    """Log entries of many clients written in one insert when the block ends (inside the
    caller's transaction, so all or none): an import logs three actions for each of
    thousands of clients, and each saved entry checks its foreign keys with queries of its
    own (Wagtail's log entries ``full_clean`` on save)."""
    entries: list[ClientLogEntry] = []
    token = _BATCH.set(entries)
    try:
        yield
    finally:
        _BATCH.reset(token)
    ClientLogEntry.objects.bulk_create(entries)


def _entry(
    client: Client,
    action: str,
    *,
    user: Any,
    data: dict[str, Any],
    now: dt.datetime | None = None,
    uuid: Any = None,
) -> ClientLogEntry:
    return ClientLogEntry(
        uuid=uuid,
        client_id=client.pk,
        content_type=ContentType.objects.get_for_model(Client),
        label=str(client),
        action=action,
        timestamp=now or timezone.now(),
        user=user,
        data={key: str(value) for key, value in data.items()},
    )


def client_log_many(*, clients: Iterable[Client], action: str, by: Any, **data: Any) -> None:
    """One entry per client in a single insert (exports of a whole list)."""
    now = timezone.now()
    user = audit_user(by)
    ClientLogEntry.objects.bulk_create(
        _entry(client, action, user=user, data=data, now=now) for client in clients
    )


def client_search_log(*, by: Any, searched: int, matched: int) -> None:
    """One entry per search of the client list by name or reading: who, how many clients were
    looked into, how many matched.

    Never the search text, not even hashed: it is typically part of a name, and a few kana
    are guessed back from any hash by whoever holds its key. The entry is the user's own
    (Wagtail's log of the user account), not one per client: a search reads no client's
    record (the list shows codes only), and a search that found nobody is worth as much to an
    audit as one that found three. The clients then opened are logged by their pages.
    """
    user = audit_user(by)
    if user is not None:
        # Straight to Wagtail's generic log: its registry looks a request's lazy user up by
        # the wrapper's type and would drop the entry silently.
        ModelLogEntry.objects.log_action(
            user, "matching.client.search", user=user,
            data={"searched": searched, "matched": matched},
        )  # fmt: skip
