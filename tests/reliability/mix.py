"""Due messages of every kind the product sends, mixed, as committed outbox rows.

Each builder makes the records its kind composes from (so a send really renders that kind's
email) and returns the rows' specs; the scenario inserts them due now, in a shuffled order.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from unittest import mock

from django.utils import timezone

from outbox.models import Message
from outbox.stored import KIND as STORED

Builder = Callable[[int, str], list[Message]]


def _row(kind: str, object_id: object, topic: str, now: dt.datetime) -> Message:
    return Message(
        kind=kind,
        object_id=str(object_id),
        topic=topic,
        due_at=now - dt.timedelta(minutes=1),
        next_attempt_at=now - dt.timedelta(minutes=1),
        expires_at=now + dt.timedelta(hours=1),
        created_at=now,
    )


def stored(n: int, tag: str) -> list[Message]:
    """Emails handed to Django's mail API (invitations' and Wagtail's notices go this way)."""
    now = timezone.now()
    rows = []
    for i in range(n):
        row = _row(STORED, "", f"{tag}:stored:{i}", now)
        row.payload = {
            "subject": f"お知らせ {i}",
            "body": "本文",
            "to": [f"person{i}@example.jp"],
        }
        rows.append(row)
    return rows


def proposals(n: int, tag: str) -> list[Message]:
    """Requests to a host place about sent proposals (the clients' names never go in them)."""
    from matching import emails
    from matching.models import Client, Proposal
    from tests.matching.factories import TeamFactory, host_activity, make_user

    team = TeamFactory(name=f"{tag} チーム", email="team@example.jp")
    coordinator = make_user(f"{tag}-coord".replace(" ", "-"), team=team)
    activity = host_activity(placement_capacity=n + 1)
    clients = Client.objects.bulk_create(
        Client(name=f"CANARY {i}", reference_code=f"R-{tag}-{i}", team=team) for i in range(n)
    )
    now = timezone.now()
    sent = Proposal.objects.bulk_create(
        Proposal(
            client=client,
            activity=activity,
            summary="週1回の参加を希望",
            status="sent",
            sent_at=now,
            deadline=now + dt.timedelta(days=14),
            created_by=coordinator,
        )  # fmt: skip
        for client in clients
    )
    return [_row(emails.PROPOSAL, p.pk, emails.topic(p.pk), now) for p in sent]


def invitations(n: int, tag: str) -> list[Message]:
    """Invitations to edit a group's pages, each with a password link made at send time."""
    from community import services
    from tests.community.factories import make_group, make_staff

    organization, _sections = make_group(f"{tag} 自治会")
    staff = make_staff(f"{tag}-staff".replace(" ", "-"))
    for i in range(n):
        services.editor_invite(organization=organization, email=f"editor{i}@example.jp", by=staff)
    return []  # editor_invite queued them


def event_signups(n: int, tag: str) -> list[Message]:
    """Confirmations of sign-ups to a coming event."""
    from events import emails
    from tests.events.factories import EventPageFactory, EventSignupFactory

    event = EventPageFactory(title=f"{tag} 交流会", start=timezone.now() + dt.timedelta(days=3))
    now = timezone.now()
    signups = [EventSignupFactory(event=event, email=f"guest{i}@example.jp") for i in range(n)]
    return [_row(emails.SIGNUP_CONFIRMATION, s.pk, emails.signup_topic(s.pk), now) for s in signups]


def verification(n: int, tag: str) -> list[Message]:
    """One re-confirmation request per operator, made by the daily sweep itself."""
    from tests.verification.factories import operator, place
    from verification import services

    for i in range(n):
        place(dt.date(2025, 1, 1), operator(email=f"op{i}@example.jp", name=f"{tag} 団体{i}"))
    services.reminders_claim()
    return []  # the sweep queued them


def followups(n: int, tag: str) -> list[Message]:
    """Reminders, escalations and host questions of active placements (clients named CANARY)."""
    from matching import services
    from tests.matching.factories import (
        ClientFactory,
        TeamFactory,
        consent,
        host_activity,
        make_user,
    )

    team = TeamFactory(name=f"{tag} 包括化", email="team@example.jp")
    coordinator = make_user(f"{tag}-fcoord".replace(" ", "-"), team=team)
    activity = host_activity(placement_capacity=n, email="host@example.jp")
    before = Message.objects.count()
    while Message.objects.count() - before < n:
        person = ClientFactory(team=team, name="CANARY 花子")
        person.coordinators.add(coordinator)
        consent(person, coordinator)
        placement = services.placement_create(client=person, activity=activity, by=coordinator)
        services.placement_accept(placement=placement, by=coordinator)
        services.placement_activate(placement=placement, by=coordinator)
    return []  # activating a placement queued them


def volunteer_shifts(n: int, tag: str) -> list[Message]:
    """Sign-up confirmations and reminders for tomorrow's shift."""
    from tests.volunteers.factories import VolunteerFactory, make_opportunity
    from volunteers import services

    shift = make_opportunity(title=f"{tag} 清掃", shifts=[{"slots": n}]).shifts.get()
    for _ in range(-(-n // 2)):
        services.signup_create(volunteer=VolunteerFactory(), shift=shift)
    return []  # each sign-up queued its confirmation and its reminder


BUILDERS: dict[str, Builder] = {
    "followups": followups,
    "volunteer shifts": volunteer_shifts,
    "event signups": event_signups,
    "verification": verification,
    "stored": stored,
    "proposals": proposals,
    "invitations": invitations,
}


def insert(total: int, tag: str) -> list[int]:
    """``total`` due rows spread over every builder, shuffled; returns their ids.

    Records made through the apps' services queue their own messages (the bell is silenced
    while building, so nothing is sent from this process); builders that make records directly
    return the rows their services would have queued. Every row is then made due now.
    """
    per_kind = -(-total // len(BUILDERS))
    with mock.patch("outbox.services.ring"), mock.patch("outbox.services.ring_sweep"):
        rows = [row for build in BUILDERS.values() for row in build(per_kind, tag)]
    Message.objects.bulk_create(rows)
    now = timezone.now()
    queued = list(Message.objects.all())
    random.Random(tag).shuffle(queued)
    for n, row in enumerate(queued):  # due in a shuffled order: the kinds go out mixed
        row.status = Message.Status.PENDING
        row.due_at = row.next_attempt_at = now - dt.timedelta(minutes=1, seconds=-n / 100)
        row.expires_at = now + dt.timedelta(hours=1)
    Message.objects.bulk_update(queued, ["status", "due_at", "next_attempt_at", "expires_at"])
    return [row.pk for row in queued]
