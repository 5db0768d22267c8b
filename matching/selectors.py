"""Reads for the matcher: engine inputs built from the database, and ranked results.

The engine (matching/engine.py) knows no Django; this module is the only place that turns
clients, the vocabulary and live activities into its dataclasses. Queries are per table, not
per activity, so ranking against 10,000 activities stays a handful of queries.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, FloatField, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resources.models import ActivityPage, ListingTag, OfferTerm, ScheduleRule, Term
from resources.models.schedules import TIME_BANDS
from tsunagu.island import Town, in_towns, island_of, towns
from volunteers.selectors import CompanionCandidate, companion_candidates

from . import engine
from .access import client_access
from .assignment import Assignment, assign
from .models import AnswerSeen, Client, Consent, Placement, Proposal, SupportPlan

ACTIVITY_PREFIX = "activity:"
FIELD_MAP = {
    "field_elderly": engine.SupportField.ELDERLY,
    "field_disability": engine.SupportField.DISABLED,
    "field_children": engine.SupportField.CHILDREN,
    "field_poverty": engine.SupportField.POVERTY,
    "field_other": engine.SupportField.OTHER,
}
AUDIENCE_MAP = {
    "for_elderly": engine.SupportField.ELDERLY,
    "for_disabled": engine.SupportField.DISABLED,
    "for_children": engine.SupportField.CHILDREN,
    "for_poverty": engine.SupportField.POVERTY,
}
PREFERENCE_MAP = {
    "prefers_small_group": engine.Preference.SMALL_GROUP,
    "same_gender_only": engine.Preference.SAME_GENDER_ONLY,
    "wants_visit_first": engine.Preference.TOUR_FIRST,
    "wants_short_time": engine.Preference.SHORT_TIME,
    "wants_companion": engine.Preference.COMPANION,
}
# The listing's yes/no offers the matcher reads; which 配慮 term each stands for is the town's
# mapping (resources.OfferTerm, editable in the admin).
OFFER_FLAGS = tuple(OfferTerm.Flag.values)
# dict.fromkeys: the support offers (tour_ok …) are mapped flags and candidate fields alike.
ACTIVITY_FIELDS = tuple(
    dict.fromkeys(
        (
            "pk",
            "title",
            "for_everyone",
            *AUDIENCE_MAP,
            *OFFER_FLAGS,
            "min_age",
            "max_age",
            "placement_capacity",
            "tour_ok",
            "companion_ok",
            "short_time_ok",
        )
    )
)
# Encrypted client fields a list of codes never needs (no decryption per row).
CLIENT_PRIVATE_FIELDS = ("client__name", "client__kana", "client__notes")
# How long a process may keep its candidate pool without a change being seen (vocabulary
# edits and unpublished row changes do not show in the fingerprint).
POOL_MAX_AGE_SECONDS = 300


# A plain band instead of the score for the coordinator: (lowest score, label), best first.
# With the default weights a shared interest alone is 0.4 and schedule and distance add up to
# 0.3: 0.5 takes most interests matched, 0.3 some, below that only the practical conditions.
FIT_BANDS = ((0.5, _("Good fit")), (0.3, _("Fits")), (0.0, _("Meets the conditions")))


def fit_label(score: float) -> str:
    """How well a candidate fits, in words: the score itself means nothing to a coordinator."""
    return str(next(label for floor, label in FIT_BANDS if score >= floor))


@dataclass(frozen=True)
class RankedActivity:
    """One ranked candidate as the admin, the commands and proposal_create see it."""

    activity_id: int
    title: str
    external_id: str
    hsds_id: str
    score: float
    reasons: tuple[str, ...]
    breakdown: dict[str, float]

    @property
    def fit(self) -> str:
        return fit_label(self.score)


@dataclass(frozen=True)
class BatchPlan:
    """assign_batch's answer: client → ranked activity, the unplaced, the total score."""

    placements: dict[Client, RankedActivity]
    unassigned: tuple[Client, ...]
    total_score: float


def engine_weights() -> engine.Weights:
    return engine.Weights(**getattr(settings, "MATCHING_WEIGHTS", {}))


def vocabulary() -> engine.Vocabulary:
    return engine.Vocabulary(
        engine.Term(
            id=row["id"],
            name=row["name"],
            kind=engine.TermKind(row["kind"]),
            parent_id=row["parent_id"],
            synonyms=tuple(Term(synonyms=row["synonyms"]).synonym_list()),
        )
        for row in Term.objects.values("id", "name", "kind", "parent_id", "synonyms")
    )


def accommodation_flag_terms(vocab: engine.Vocabulary) -> dict[str, frozenset[int]]:
    """Listing flag → the accommodation term ids it provides, from the town's offer mapping
    (one query); a word the vocabulary does not hold as an accommodation term is skipped."""
    result: dict[str, set[int]] = {flag: set() for flag in OFFER_FLAGS}
    for flag, word in OfferTerm.objects.values_list("flag", "term"):
        if (term_id := vocab.lookup_kind(word, engine.TermKind.ACCOMMODATION)) is not None:
            result.setdefault(flag, set()).add(term_id)
    return {flag: frozenset(ids) for flag, ids in result.items()}


def placement_activities(sites: Sequence[Town] | None = None) -> QuerySet[ActivityPage]:
    """Activities that may host a placement: live and accepting placements, in the towns of
    ``sites`` (``candidate_sites``; None: every site)."""
    activities = ActivityPage.objects.live().filter(accepts_placements=True)
    return activities if sites is None else activities.filter(in_towns(list(sites)))


def candidate_sites(team: Any) -> list[Town] | None:
    """The towns whose activities a team's clients may be proposed for (issue 17): its own
    town's (``Team.site``) and, when that town shares with the island, the other sharing
    towns'; never a town that does not share. None stands for every site: an install of one
    town.
    """
    if len(towns()) <= 1:
        return None
    return island_of(team.site_id)


def client_sites(client: Client) -> list[Town] | None:
    """``candidate_sites`` of the client's team, without reading the team on an install of
    one town."""
    return None if len(towns()) <= 1 else candidate_sites(client.team)


def clients_sites(clients: Sequence[Client]) -> dict[Any, list[Town] | None]:
    """``client_sites`` of many clients by key, worked out once per town, not per client."""
    if not clients or len(towns()) <= 1:
        return {client.pk: None for client in clients}
    by_town: dict[int, list[Town]] = {}
    for client in clients:
        if client.team.site_id not in by_town:
            by_town[client.team.site_id] = island_of(client.team.site_id)
    return {client.pk: by_town[client.team.site_id] for client in clients}


def _host_contact(activity: ActivityPage, field: str) -> str:
    """The activity's own contact, else its place's, else its operator's."""
    for holder in (activity, activity.place, activity.organization):
        if holder is not None and (value := getattr(holder, field)):
            return value
    return ""


def host_email(activity: ActivityPage) -> str:
    """Where a proposal goes (the first address found from the activity outwards)."""
    return _host_contact(activity, "email")


def host_phone(activity: ActivityPage) -> str:
    """Whom staff telephone when a host has no email: the same order as ``host_email``."""
    return _host_contact(activity, "phone")


def slots_of_rule(weekday: int, opens_at: dt.time, closes_at: dt.time) -> set[engine.Slot]:
    """The (weekday, band) slots a schedule rule overlaps, as the directory's filter reads them."""
    return {
        (weekday, engine.Band(band))
        for band, (start, end) in TIME_BANDS.items()
        if opens_at < end and closes_at > start
    }


def _location(lat: Any, lng: Any) -> engine.LatLng | None:
    return (float(lat), float(lng)) if lat is not None and lng is not None else None


def occupied_places() -> dict[int, int]:
    """Activity id → places taken (accepted and active placements)."""
    taken = Placement.objects.filter(status__in=Placement.OCCUPYING)
    return dict(taken.values_list("activity_id").annotate(n=Count("pk")).order_by())


def activity_candidates(
    vocab: engine.Vocabulary,
    *,
    occupied: Mapping[int, int],
    activities: QuerySet[ActivityPage] | None = None,
    flag_terms: Mapping[str, frozenset[int]] | None = None,
) -> list[engine.Candidate]:
    """Engine candidates for the placement activities (or ``activities``), ``occupied`` places
    taken.

    A few queries per table, floats cast in SQL: converting 10,000 rows' Decimal coordinates
    in Python would cost more than the ranking. ``flag_terms``: ``accommodation_flag_terms``
    when the caller has it already.
    """
    activities = placement_activities() if activities is None else activities
    rows = activities.annotate(
        lat=Coalesce(Cast("latitude", FloatField()), Cast("area__latitude", FloatField())),
        lng=Coalesce(Cast("longitude", FloatField()), Cast("area__longitude", FloatField())),
    ).values(*ACTIVITY_FIELDS, "lat", "lng")
    slots: dict[int, set[engine.Slot]] = defaultdict(set)
    rules = ScheduleRule.objects.filter(listing__in=activities)
    for listing_id, weekday, opens_at, closes_at in rules.values_list(
        "listing_id", "weekday", "opens_at", "closes_at"
    ):
        slots[listing_id] |= slots_of_rule(weekday, opens_at, closes_at)
    tags: dict[int, set[int]] = defaultdict(set)
    for listing_id, tag_id in ListingTag.objects.filter(content_object__in=activities).values_list(
        "content_object_id", "tag_id"
    ):
        tags[listing_id].add(tag_id)
    if flag_terms is None:
        flag_terms = accommodation_flag_terms(vocab)
    return [
        engine.Candidate(
            id=f"{ACTIVITY_PREFIX}{row['pk']}",
            kind=engine.CandidateKind.ACTIVITY,
            title=row["title"],
            tags=frozenset(tags[row["pk"]]),
            audiences=frozenset(f for flag, f in AUDIENCE_MAP.items() if row[flag]),
            for_everyone=row["for_everyone"],
            min_age=row["min_age"],
            max_age=row["max_age"],
            slots=frozenset(slots[row["pk"]]),
            location=_location(row["lat"], row["lng"]),
            provides=frozenset().union(*(ids for f, ids in flag_terms.items() if row[f])),
            pickup=row["pickup"],
            capacity_left=row["placement_capacity"] - occupied.get(row["pk"], 0),
            tour_ok=row["tour_ok"],
            companion_ok=row["companion_ok"],
            short_time_ok=row["short_time_ok"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CandidatePool:
    """The vocabulary and every placement activity, indexed for the engine, with raw capacity
    (places taken are applied per ranking, since they change with every acceptance)."""

    fingerprint: tuple[Any, ...]
    built_at: float
    vocab: engine.Vocabulary
    index: engine.CandidateIndex


# One pool per set of towns (None: every site); an island has a handful.
_pools: dict[tuple[int, ...] | None, CandidatePool] = {}


def forget_pool(**kwargs: Any) -> None:
    """Drops this process's pools (the offer mapping changed); other processes rebuild theirs
    within ``POOL_MAX_AGE_SECONDS``."""
    _pools.clear()


def _pool_fingerprint(sites: Sequence[Town] | None) -> tuple[Any, ...]:
    """Changes when an activity is published, unpublished, added or removed, or a term added."""
    pages = placement_activities(sites).aggregate(
        n=Count("pk"),
        last=Max("pk"),
        published=Max("last_published_at"),
        revised=Max("latest_revision_created_at"),
    )
    terms = Term.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (*pages.values(), *terms.values())


def candidate_pool(sites: Sequence[Town] | None = None) -> CandidatePool:
    """This process's pool of the placement activities of ``sites`` (None: every site),
    rebuilt when the directory changed: building 10,000 candidates takes a few hundred
    milliseconds, ranking against the built index a few."""
    key = None if sites is None else tuple(town.site_id for town in sites)
    fingerprint = _pool_fingerprint(sites)
    pool = _pools.get(key)
    if (
        pool is None
        or pool.fingerprint != fingerprint
        or time.monotonic() - pool.built_at > POOL_MAX_AGE_SECONDS
    ):
        vocab = vocabulary()
        candidates = activity_candidates(vocab, occupied={}, activities=placement_activities(sites))
        pool = _pools[key] = CandidatePool(
            fingerprint, time.monotonic(), vocab, engine.CandidateIndex(candidates, vocab)
        )
    return pool


def declined_exclude_days() -> int:
    """How long a host's "no" keeps the activity off the client's proposals (this season)."""
    return settings.MATCHING_DECLINED_EXCLUDE_DAYS


@dataclass(frozen=True)
class History:
    """Activity ids from the client's own record that the engine must know about."""

    placed: frozenset[int]  # an open placement (proposed, accepted, active or paused)
    declined_recently: frozenset[int]  # declined within declined_exclude_days()
    declined_before: frozenset[int]  # declined earlier, and not again this season


def client_history(client: Client) -> History:
    """Open placements and declined proposals, from ``waiting_clients``' prefetches when there
    (batch mode), else two queries."""
    if hasattr(client, "open_placements"):
        placed = {p.activity_id for p in client.open_placements}
    else:
        placed = set(
            client.placements.filter(status__in=Placement.OPEN).values_list(
                "activity_id", flat=True
            )
        )
    if hasattr(client, "declined_proposals"):
        declined = [
            (p.activity_id, p.responded_at or p.created_at) for p in client.declined_proposals
        ]
    else:
        declined = list(
            client.proposals.filter(status=Proposal.Status.DECLINED).values_list(
                "activity_id", Coalesce("responded_at", "created_at")
            )
        )
    season_start = timezone.now() - dt.timedelta(days=declined_exclude_days())
    recent = {pk for pk, when in declined if when >= season_start}
    return History(
        placed=frozenset(placed),
        declined_recently=frozenset(recent),
        declined_before=frozenset({pk for pk, _when in declined} - recent),
    )


def _candidate_ids(activity_ids: Iterable[int]) -> frozenset[str]:
    return frozenset(f"{ACTIVITY_PREFIX}{pk}" for pk in activity_ids)


def client_profile(client: Client, *, number: int = 0) -> engine.ClientProfile:
    """What the engine may know of a client — never the name or notes. ``number`` is the id
    the engine reports back (batch mode numbers the clients it is given)."""
    area = client.area
    history = client_history(client)
    return engine.ClientProfile(
        id=number,
        fields=frozenset(f for flag, f in FIELD_MAP.items() if getattr(client, flag)),
        age=client.approximate_age(),
        gender=engine.Gender(client.gender) if client.gender else None,
        interests=frozenset(t.pk for t in client.interests.all()),
        needs=frozenset(t.pk for t in client.needs.all()),
        accommodations=frozenset(t.pk for t in client.accommodations.all()),
        availability=frozenset(
            (day, engine.Band(band)) for day, band in client.availability_slots()
        ),
        location=_location(area.latitude, area.longitude) if area else None,
        max_distance_km=(
            float(client.max_distance_km) if client.max_distance_km is not None else None
        ),
        has_transport=client.has_transport,
        needs_pickup=client.needs_pickup,
        preferences=frozenset(p for flag, p in PREFERENCE_MAP.items() if getattr(client, flag)),
        declined_candidate_ids=_candidate_ids(history.declined_before),
        placed_candidate_ids=_candidate_ids(history.placed),
        declined_recently_ids=_candidate_ids(history.declined_recently),
    )


def _ranked_activities(proposals: Sequence[engine.Proposal]) -> list[RankedActivity]:
    """The engine's proposals with the activities' ids from the directory, in order."""
    ids = [int(p.candidate_id.removeprefix(ACTIVITY_PREFIX)) for p in proposals]
    display = {
        row["pk"]: row
        for row in ActivityPage.objects.filter(pk__in=ids).values(
            "pk", "title", "external_id", "hsds_id"
        )
    }
    return [
        RankedActivity(
            activity_id=pk,
            title=display[pk]["title"],
            external_id=display[pk]["external_id"],
            hsds_id=str(display[pk]["hsds_id"]),
            score=p.score,
            reasons=p.reasons,
            breakdown=dict(p.breakdown),
        )
        for pk, p in zip(ids, proposals, strict=True)
    ]


@dataclass(frozen=True)
class Ranking:
    """A client's ranked activities, and what kept the others out (reason → how many)."""

    activities: list[RankedActivity]
    excluded: dict[str, int]
    considered: int  # placement activities looked at

    def exclusion_lines(self) -> list[str]:
        """Which constraint kept how many activities out, in Japanese, most first."""
        return engine.exclusion_lines(self.excluded)


def client_ranking(*, client: Client, top: int | None = 10) -> Ranking:
    """Activities the client could be proposed for, best first, with reasons in Japanese;
    never one they take part in now or whose host said no this season (``client_history``);
    and how many activities each hard constraint kept out, counted by the engine as it ranks.

    Full activities are ranked like the others (capacity does not change a score) and dropped
    afterwards, so the cached pool gives exactly what a fresh index with places taken would.
    """
    pool = candidate_pool(client_sites(client))
    full = {
        f"{ACTIVITY_PREFIX}{pk}"
        for pk, taken, capacity in Placement.objects.filter(status__in=Placement.OCCUPYING)
        .values("activity_id", "activity__placement_capacity")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n", "activity__placement_capacity")
        if taken >= capacity
    }
    result = engine.shortlist(
        client_profile(client),
        pool.index,
        pool.vocab,
        engine_weights(),
        top=None if top is None else top + len(full),
    )
    proposals = result.proposals()
    excluded = dict(result.excluded)
    # Full in the database but not in the pool (which holds raw capacity): capacity kept them out.
    position = pool.index.position
    newly_full = sum(1 for c in full if c in position and pool.index.capacity[position[c]] > 0)
    if newly_full:
        excluded["capacity"] = excluded.get("capacity", 0) + newly_full
    ranked = _ranked_activities([p for p in proposals if p.candidate_id not in full][:top])
    return Ranking(ranked, excluded, result.considered)


def client_rank(*, client: Client, top: int | None = 10) -> list[RankedActivity]:
    """The activities of ``client_ranking``, best first."""
    return client_ranking(client=client, top=top).activities


def clients_with_consent(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Clients whose latest consent record is 同意あり."""
    return clients.with_consent_stage().filter(consent_stage=Consent.Stage.CONSENTED)


def waiting_clients(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Open cases with consent and neither an open placement nor an open proposal, with what
    ``client_history`` reads prefetched (open placements: none here, but the rule is the
    engine's, not this filter's)."""
    open_placement = Placement.objects.filter(client=OuterRef("pk"), status__in=Placement.OPEN)
    open_proposal = Proposal.objects.filter(client=OuterRef("pk"), status__in=Proposal.OPEN)
    return (
        clients_with_consent(clients)
        .filter(Q(status=Client.Status.CONSULTING) | Q(status=Client.Status.SUPPORTING))
        .exclude(Exists(open_placement))
        .exclude(Exists(open_proposal))
        .select_related("area", "team")
        .prefetch_related(
            "interests",
            "needs",
            "accommodations",
            Prefetch(
                "proposals",
                queryset=Proposal.objects.filter(status=Proposal.Status.DECLINED),
                to_attr="declined_proposals",
            ),
            Prefetch(
                "placements",
                queryset=Placement.objects.filter(status__in=Placement.OPEN),
                to_attr="open_placements",
            ),
        )
    )


def batch_plan(*, clients: Sequence[Client] | Iterable[Client]) -> BatchPlan:
    """The capacity-respecting assignment maximising the total score (matching/assignment.py)."""
    clients = list(clients)
    vocab = vocabulary()
    occupied = occupied_places()
    # Clients are planned per set of towns they may be placed in (``candidate_sites``). The
    # sets never overlap (a town that shares is in the island's set only, one that does not
    # in its own only), so no activity's places are counted twice.
    groups: dict[tuple[int, ...] | None, tuple[list[Town] | None, list[int]]] = {}
    sites_of = clients_sites(clients)
    for number, client in enumerate(clients):
        sites = sites_of[client.pk]
        key = None if sites is None else tuple(sorted(town.site_id for town in sites))
        groups.setdefault(key, (sites, []))[1].append(number)
    placements: dict[int, engine.Proposal] = {}
    unassigned: list[int] = []
    total = 0.0
    for sites, numbers in groups.values():
        candidates = activity_candidates(
            vocab, occupied=occupied, activities=placement_activities(sites)
        )
        profiles = [client_profile(clients[i], number=i) for i in numbers]
        result: Assignment = assign(profiles, candidates, vocab, engine_weights())
        placements.update(result.placements)
        unassigned += result.unassigned
        total += result.total_score
    numbers = sorted(placements)
    ranked = _ranked_activities([placements[i] for i in numbers])
    return BatchPlan(
        placements={clients[i]: r for i, r in zip(numbers, ranked, strict=True)},
        unassigned=tuple(clients[i] for i in sorted(unassigned)),
        total_score=total,
    )


def client_page(*, client: Client) -> dict[str, Any]:
    """Everything the client page shows, in a fixed number of queries."""
    consents = list(client.consents.select_related("recorded_by"))
    plans = list(client.plans.all())
    current_plans = [p for p in plans if p.status in SupportPlan.CURRENT]
    latest = consents[0] if consents else None
    return {
        "consent": latest,
        "consents": consents,
        "can_propose": bool(latest and latest.allows_placement),
        "plan": current_plans[0] if current_plans else None,
        "plans": plans,
        "proposals": list(client.proposals.select_related("activity")),
        "placements": list(
            client.placements.select_related("activity").prefetch_related("status_changes")
        ),
    }


# Answers older than this are history on the client page, not news on the dashboard.
ANSWER_NOTICE_DAYS = 30
ANSWER_NOTICE_LIMIT = 20


def answer_notices(user: Any) -> list[Proposal]:
    """Host answers (accepted or declined) about the user's own teams' clients that the user has
    not opened yet, newest first, with client and activity: one query.

    Own teams only, even for a supervisor who reads every team: the notice is news for the
    client's coordinators, not a feed of the town.
    """
    team_ids = client_access(user).team_ids
    if not team_ids:
        return []
    seen = AnswerSeen.objects.filter(user=user, proposal=OuterRef("pk"))
    since = timezone.now() - dt.timedelta(days=ANSWER_NOTICE_DAYS)
    answered = (
        Proposal.objects.visible_to(user)
        .filter(
            client__team_id__in=team_ids,
            status__in=(Proposal.Status.ACCEPTED, Proposal.Status.DECLINED),
            responded_at__gte=since,
        )
        .exclude(Exists(seen))
        .select_related("client", "activity")
        # The panel shows the code and the activity; the client's encrypted fields stay shut.
        .defer("summary", "status_reason", "response_comment", *CLIENT_PRIVATE_FIELDS)
        .order_by("-responded_at")
    )
    return list(answered[:ANSWER_NOTICE_LIMIT])


def companion_choices(*, client: Client, limit: int = 10) -> list[CompanionCandidate]:
    """Volunteers willing to accompany who live near or travel, free when the client is."""
    return companion_candidates(area=client.area_id, availability=client.availability_slots())[
        :limit
    ]
