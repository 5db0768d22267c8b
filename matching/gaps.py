"""What the town's activities cannot offer the people waiting for a place (社会資源の充足状況).

The matcher drops an activity for a client when it breaks a hard constraint (engine.py); this
module keeps what it drops. For each client it takes the live activities that offer one of the
client's interests or needs — tagged with the term, a synonym or a narrower term, as
``Vocabulary.satisfying`` reads it — whether they accept placements or not, and counts the
constraints each one breaks, with the engine's own public checks (so this report and the
proposals never disagree):

- none: the activity is feasible, and the terms it offers are *met*;
- exactly one: a *near miss* — changing that one thing (opening to placements, one more place,
  another day, a pick-up, an accommodation, a wider audience) would let the person join;
- two or more: neither.

An interest or need that no feasible activity offers is *unmet*. ``town_gaps`` does this for a
batch of clients against one candidate index and aggregates it without names or reference
codes: unmet terms by district, and the places that could be asked to open (受け入れを打診)
with how many people each would serve.

The client's history is read as the proposals read it (``client_profile``): an activity the
client is placed in (``placed_candidate_ids``) or has an open proposal for counts as meeting
what it offers and is never a near miss; one that declined the client this season
(``declined_recently_ids``) counts as neither.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import islice

from django.db.models.query import prefetch_related_objects
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from resources.models import ActivityPage, Area, ListingPage, ListingTag, Term
from resources.models.schedules import WEEKDAY_CHOICES
from tsunagu.island import town_of_path

from . import engine
from .models import Client, Proposal
from .models.clients import BAND_LABELS
from .selectors import (
    ACTIVITY_PREFIX,
    AUDIENCE_MAP,
    accommodation_flag_terms,
    activity_candidates,
    client_profile,
    clients_sites,
    occupied_places,
    vocabulary,
)

_MAX_SLOTS = 3  # slots named in a reason; more would not be read
_WEEKDAYS = dict(WEEKDAY_CHOICES)
_AUDIENCE_FLAG = {field: flag for flag, field in AUDIENCE_MAP.items()}


class Constraint(StrEnum):
    """The one thing that keeps a near miss from being proposed."""

    NOT_ACCEPTING = "not_accepting"
    CAPACITY = "capacity"
    SCHEDULE = "schedule"
    DISTANCE = "distance"
    ACCOMMODATION = "accommodation"
    AUDIENCE = "audience"


CONSTRAINT_LABELS: dict[Constraint, Promise] = {
    Constraint.NOT_ACCEPTING: pgettext_lazy("unmet condition", "not taking placements"),
    Constraint.CAPACITY: pgettext_lazy("unmet condition", "no places left"),
    Constraint.SCHEDULE: pgettext_lazy("unmet condition", "day or time"),
    Constraint.DISTANCE: pgettext_lazy("unmet condition", "too far without a pick-up"),
    Constraint.ACCOMMODATION: pgettext_lazy("unmet condition", "accommodation missing"),
    Constraint.AUDIENCE: pgettext_lazy("unmet condition", "not open to the person"),
}
_ORDER = {constraint: n for n, constraint in enumerate(Constraint)}


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class NearMiss:
    """An activity that offers what the client wants and fails exactly one constraint."""

    activity: ActivityPage
    constraint: Constraint
    reason: str  # the Japanese sentence with the specifics


@dataclass(frozen=True)
class ClientGaps:
    """One client's interests and needs that no feasible activity offers, and the near misses."""

    unmet_interests: tuple[Term, ...]
    unmet_needs: tuple[Term, ...]
    near_misses: tuple[NearMiss, ...]

    @property
    def unmet(self) -> tuple[Term, ...]:
        return self.unmet_interests + self.unmet_needs


@dataclass(frozen=True)
class UnmetTerm:
    """How many of the clients have this interest or need unmet, per district (None: unknown).

    ``activities`` counts the live activities offering the term at all, whatever their
    constraints: 0 means the town has nothing of the kind (a resource to develop), more means
    what exists does not fit (places to ask).
    """

    term_id: int
    name: str
    kind: str
    by_district: Mapping[int | None, int]
    total: int
    activities: int


@dataclass(frozen=True)
class ConstraintCount:
    """Clients an activity would serve if this one constraint changed; ``detail`` is what is
    the same for all of them (places taken, the activity's days, the missing accommodation)."""

    constraint: Constraint
    people: int
    detail: str

    @property
    def label(self) -> str:
        return str(CONSTRAINT_LABELS[self.constraint])


@dataclass(frozen=True)
class Opening:
    """A place that could be asked to open (受け入れを打診): the activity, how many of the
    clients it would serve, why not now, and which of their interests and needs it offers
    (most wanted first)."""

    activity: ActivityPage
    people: int
    constraints: tuple[ConstraintCount, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TownGaps:
    """The aggregate over a batch of clients: counts and activities only, never a person."""

    clients: int
    with_unmet: int
    districts: tuple[Area | None, ...]  # the clients' districts, in the town's order
    clients_by_district: Mapping[int | None, int]
    unmet_by_district: Mapping[int | None, int]  # clients with something unmet, per district
    unmet: tuple[UnmetTerm, ...]  # most clients first
    openings: tuple[Opening, ...]  # most people served first


# --------------------------------------------------------------------------------------------
# Reasons in words


def _short_list(items: Iterable[str]) -> str:
    return pgettext("short list", ", ").join(items)


def _sentences(items: Iterable[str]) -> str:
    return pgettext("between sentences", " ").join(items)


def slot_text(slots: Iterable[engine.Slot]) -> str:
    """「土曜の昼」, a few at most (「…ほか」)."""
    labels = [
        pgettext("weekday and time of day", "%(weekday)s %(band)s")
        % {"weekday": _WEEKDAYS[day], "band": BAND_LABELS[engine.Band(band)]}
        for day, band in sorted(slots, key=lambda s: (s[0], tuple(engine.Band).index(s[1])))
    ]
    text = _short_list(labels[:_MAX_SLOTS])
    return _("%(items)s and more") % {"items": text} if len(labels) > _MAX_SLOTS else text


def _ages(candidate: engine.Candidate) -> str:
    low, high = candidate.min_age, candidate.max_age
    if low is not None and high is not None:
        return _("%(min)d to %(max)d") % {"min": low, "max": high}
    if low is not None:
        return _("%(min)d and over") % {"min": low}
    return _("up to %(max)d") % {"max": high}


def _audience_failures(
    profile: engine.ClientProfile, candidate: engine.Candidate
) -> list[tuple[str, str]]:
    """(detail, sentence) per audience rule the client fails (the engine's rules, in words)."""
    failures = []
    if not candidate.for_everyone and not profile.fields & candidate.audiences:
        names = _short_list(
            str(ListingPage._meta.get_field(_AUDIENCE_FLAG[f]).verbose_name)
            for f in engine.SupportField
            if f in candidate.audiences
        )
        detail = _("for %(audiences)s") % {"audiences": names}
        failures.append((detail, _("It is %(detail)s.") % {"detail": detail}))
    if profile.age is not None and not (
        (candidate.min_age is None or profile.age >= candidate.min_age)
        and (candidate.max_age is None or profile.age <= candidate.max_age)
    ):
        ages = _ages(candidate)
        failures.append((ages, _("It is for ages %(ages)s.") % {"ages": ages}))
    # Activities carry no gender rule (``Candidate.gender_only`` stays None for them).
    return failures


# --------------------------------------------------------------------------------------------
# The batch: candidates built once, each client checked against the activities offering its terms


@dataclass(frozen=True)
class _Host:
    pk: int
    accepts: bool
    capacity: int
    taken: int
    path: str = ""  # where in the page tree: which town's it is


@dataclass(frozen=True)
class _Miss:
    row: int  # the activity's position in the batch's index
    constraint: Constraint
    offered: frozenset[int]  # the client's terms this activity offers


@dataclass(frozen=True)
class _Evaluation:
    client: Client
    profile: engine.ClientProfile
    unmet: frozenset[int]
    misses: tuple[_Miss, ...]  # best first


class _Batch:
    """The live activities tagged with any of the clients' terms, as one engine index.

    ``selectors.activity_candidates`` over every live activity offering the clients' terms, so
    it keeps those that do not accept placements: with no capacity limit, so "not accepting" is
    the only thing they fail for that reason.
    """

    def __init__(self, clients: Iterable[Client]) -> None:
        self.clients = list(clients)
        self.profiles = [client_profile(c, number=n) for n, c in enumerate(self.clients)]
        # The towns each client may be placed in (issue 17): another town's activity meets
        # no need of a client whose town does not share with it.
        self.sites = clients_sites(self.clients)
        self.vocab = vocabulary()
        wanted = {t for p in self.profiles for t in p.interests | p.needs}
        self.satisfying = {t: self.vocab.satisfying(t) for t in wanted}
        tags = set().union(*self.satisfying.values())
        self.flag_terms = accommodation_flag_terms(self.vocab)
        self.pickup_terms = self.flag_terms.get("pickup", frozenset())
        candidates, self.hosts = self._candidates(tags)
        self.index = engine.CandidateIndex(candidates, self.vocab)
        self._rows: dict[int, frozenset[int]] = {}
        self._slot_texts: dict[frozenset[engine.Slot], str] = {}
        self._fits: dict[tuple[frozenset[engine.Slot], frozenset[engine.Slot]], bool] = {}
        self.proposed = self._proposed()

    def _candidates(self, tags: set[int]) -> tuple[list[engine.Candidate], dict[str, _Host]]:
        if not tags:
            return [], {}
        tagged = ListingTag.objects.filter(tag_id__in=tags).values("content_object_id")
        activities = ActivityPage.objects.live().filter(pk__in=tagged)
        taken = occupied_places()
        hosts = {
            f"{ACTIVITY_PREFIX}{pk}": _Host(pk, accepts, capacity, taken.get(pk, 0), path)
            for pk, accepts, capacity, path in activities.values_list(
                "pk", "accepts_placements", "placement_capacity", "path"
            )
        }
        candidates = [
            # A place that takes nobody has no capacity to fail: "not accepting" is its one reason.
            c if hosts[c.id].accepts else replace(c, capacity_left=None)
            for c in activity_candidates(
                self.vocab, occupied=taken, activities=activities, flag_terms=self.flag_terms
            )
        ]
        return candidates, hosts

    def _proposed(self) -> dict[object, set[str]]:
        """Client pk → candidate ids of the activities with an open proposal for them."""
        proposed: dict[object, set[str]] = defaultdict(set)
        for client_id, activity_id in Proposal.objects.filter(
            client_id__in=[c.pk for c in self.clients], status__in=Proposal.OPEN
        ).values_list("client_id", "activity_id"):
            proposed[client_id].add(f"{ACTIVITY_PREFIX}{activity_id}")
        return proposed

    def rows_offering(self, term: int) -> frozenset[int]:
        if term not in self._rows:
            columns = self.index.columns
            self._rows[term] = frozenset(
                int(row) for t in self.satisfying[term] if t in columns for row in columns[t]
            )
        return self._rows[term]

    def evaluations(self) -> list[_Evaluation]:
        return [self._evaluate(c, p) for c, p in zip(self.clients, self.profiles, strict=True)]

    def _evaluate(self, client: Client, profile: engine.ClientProfile) -> _Evaluation:
        terms = profile.interests | profile.needs
        offering = {t: self.rows_offering(t) for t in terms}
        engaged = profile.placed_candidate_ids | self.proposed[client.pk]
        sites = self.sites[client.pk]
        met: set[int] = set()
        misses = []
        for row in sorted(set().union(*offering.values())):
            candidate = self.index.candidates[row]
            if candidate.id in profile.declined_recently_ids:
                continue
            if sites is not None and town_of_path(self.hosts[candidate.id].path, sites) is None:
                continue
            offered = frozenset(t for t in terms if row in offering[t])
            if candidate.id in engaged:
                met |= offered
                continue
            failed = list(islice(self._broken(profile, candidate), 2))
            if not failed:
                met |= offered
            elif len(failed) == 1:
                misses.append(_Miss(row, failed[0], offered))
        misses.sort(
            key=lambda m: (
                -len(m.offered),
                _ORDER[m.constraint],
                self.index.candidates[m.row].title,
                self.host(m).pk,
            )
        )
        return _Evaluation(client, profile, frozenset(terms - met), tuple(misses))

    def _broken(
        self, profile: engine.ClientProfile, candidate: engine.Candidate
    ) -> Iterator[Constraint]:
        """The constraints the activity breaks for the client, cheapest checks first: the caller
        stops at the second (neither feasible nor a near miss), so the costly ones run rarely."""
        if not self.hosts[candidate.id].accepts:
            yield Constraint.NOT_ACCEPTING
        if not engine.has_capacity(candidate):
            yield Constraint.CAPACITY
        if not engine.audience_eligible(profile, candidate):
            yield Constraint.AUDIENCE
        if not self._schedule_fits(profile, candidate):
            yield Constraint.SCHEDULE
        if not engine.accommodations_met(profile, candidate, self.vocab):
            yield Constraint.ACCOMMODATION
        if not engine.within_reach(profile, candidate):
            yield Constraint.DISTANCE

    def _schedule_fits(self, profile: engine.ClientProfile, candidate: engine.Candidate) -> bool:
        """``engine.schedule_fits``, remembered: it reads only these two sets, which clients and
        activities share, and builds two bit masks on every call."""
        key = (profile.availability, candidate.slots)
        if key not in self._fits:
            self._fits[key] = engine.schedule_fits(profile, candidate)
        return self._fits[key]

    def host(self, miss: _Miss) -> _Host:
        return self.hosts[self.index.candidates[miss.row].id]

    def _slots(self, candidate: engine.Candidate) -> str:
        if candidate.slots not in self._slot_texts:
            self._slot_texts[candidate.slots] = slot_text(candidate.slots)
        return self._slot_texts[candidate.slots]

    def detail(self, miss: _Miss, profile: engine.ClientProfile) -> str:
        """What keeps the activity from the client, in terms that say nothing about them:
        places taken, the activity's days, the missing accommodation, its audience."""
        candidate, host = self.index.candidates[miss.row], self.host(miss)
        if miss.constraint is Constraint.CAPACITY:
            return f"{host.taken}/{host.capacity}"
        if miss.constraint is Constraint.SCHEDULE:
            return self._slots(candidate)
        if miss.constraint is Constraint.ACCOMMODATION:
            return _short_list(self._missing(profile, candidate))
        if miss.constraint is Constraint.AUDIENCE:
            return _short_list(d for d, _s in _audience_failures(profile, candidate))
        return ""

    def _lacking(
        self, profile: engine.ClientProfile, candidate: engine.Candidate
    ) -> tuple[list[str], bool]:
        """(the accommodations the client needs and the activity lacks, whether a pick-up is
        lacking). An accommodation term that the pick-up flag stands for (送迎) is said once,
        as the pick-up."""
        no_pickup = profile.needs_pickup and not candidate.pickup
        missing = engine.missing_accommodations(profile, candidate, self.vocab)
        if no_pickup:
            missing = tuple(a for a in missing if a not in self.pickup_terms)
        return [self.vocab.name(a) for a in missing], no_pickup

    def _missing(self, profile: engine.ClientProfile, candidate: engine.Candidate) -> list[str]:
        names, no_pickup = self._lacking(profile, candidate)
        if no_pickup:
            names.append(str(ListingPage._meta.get_field("pickup").verbose_name))
        return names

    def reason(self, miss: _Miss, profile: engine.ClientProfile) -> str:
        """The sentence for the coordinator, with the specifics."""
        candidate, host = self.index.candidates[miss.row], self.host(miss)
        if miss.constraint is Constraint.NOT_ACCEPTING:
            return _("It does not take participation-support placements.")
        if miss.constraint is Constraint.CAPACITY:
            numbers = {"taken": host.taken, "capacity": host.capacity}
            return _("No places left (%(taken)d of %(capacity)d taken).") % numbers
        if miss.constraint is Constraint.SCHEDULE:
            slots = self._slots(candidate)
            return _("It is held on %(slots)s, when the person cannot take part.") % {
                "slots": slots
            }
        if miss.constraint is Constraint.DISTANCE:
            # within_reach failed, so both locations and the limit are known.
            km = engine.distance_km(profile.location, candidate.location)  # type: ignore[arg-type]
            return _("%(km).1f km away (the person can go up to %(limit)s km).") % {
                "km": km,
                "limit": f"{profile.max_distance_km:g}",
            }
        if miss.constraint is Constraint.ACCOMMODATION:
            names, no_pickup = self._lacking(profile, candidate)
            sentences = []
            if names:
                sentences.append(
                    _("The accommodation the person needs is not offered: %(names)s.")
                    % {"names": _short_list(names)}
                )
            if no_pickup:
                sentences.append(_("The person needs to be picked up, and it offers no pick-up."))
            return _sentences(sentences)
        return _sentences(s for _d, s in _audience_failures(profile, candidate))


# --------------------------------------------------------------------------------------------
# Public reads


def _activities(pks: Iterable[int]) -> dict[int, ActivityPage]:
    """The pages, with what ``selectors.host_email`` reads, in one query (none for no pks)."""
    pks = set(pks)
    if not pks:
        return {}
    return ActivityPage.objects.select_related("organization", "place", "area").in_bulk(pks)


def gaps_by_client(clients: Iterable[Client]) -> dict[Client, ClientGaps]:
    """Each client's unmet interests and needs and near misses, against one index.

    Pass ``selectors.waiting_clients(...)`` or another queryset with the terms prefetched; the
    queries do not grow with the number of clients then.
    """
    batch = _Batch(clients)
    evaluations = batch.evaluations()
    pages = _activities(batch.host(m).pk for e in evaluations for m in e.misses)
    result = {}
    for ev in evaluations:
        interests = tuple(t for t in ev.client.interests.all() if t.pk in ev.unmet)
        needs = tuple(t for t in ev.client.needs.all() if t.pk in ev.unmet)
        misses = tuple(
            NearMiss(pages[batch.host(m).pk], m.constraint, batch.reason(m, ev.profile))
            for m in ev.misses
        )
        result[ev.client] = ClientGaps(interests, needs, misses)
    return result


def client_gaps(client: Client) -> ClientGaps:
    """The client's interests and needs that no feasible activity offers, and the near misses."""
    prefetch_related_objects([client], "interests", "needs", "accommodations")
    return gaps_by_client([client])[client]


def near_misses(client: Client, *, limit: int = 5) -> list[NearMiss]:
    """Activities that offer one of the client's interests or needs and fail exactly one
    constraint, those offering the most of them first; each with its reason in Japanese."""
    return list(client_gaps(client).near_misses[:limit])


def town_gaps(clients: Iterable[Client]) -> TownGaps:
    """The aggregate over the given clients (the caller scopes them: ``visible_to`` and
    ``waiting_clients``): unmet terms by district and the places that could be asked to open.
    Counts, term names and activities only."""
    batch = _Batch(clients)
    evaluations = batch.evaluations()

    unmet: Counter[tuple[int, int | None]] = Counter()
    clients: Counter[int | None] = Counter()
    with_unmet: Counter[int | None] = Counter()
    served: dict[int, Counter[Constraint]] = defaultdict(Counter)
    details: dict[tuple[int, Constraint], set[str]] = defaultdict(set)
    wanted: dict[int, Counter[int]] = defaultdict(Counter)
    for ev in evaluations:
        district = ev.client.area_id
        clients[district] += 1
        for term in ev.unmet:
            unmet[term, district] += 1
        if ev.unmet:
            with_unmet[district] += 1
        for miss in ev.misses:
            pk = batch.host(miss).pk
            served[pk][miss.constraint] += 1
            if detail := batch.detail(miss, ev.profile):
                details[pk, miss.constraint].add(detail)
            wanted[pk].update(miss.offered)

    vocab = batch.vocab
    by_term: dict[int, dict[int | None, int]] = defaultdict(dict)
    for (term, district), n in unmet.items():
        by_term[term][district] = n
    unmet_terms = sorted(
        (
            UnmetTerm(
                term_id=term,
                name=vocab.name(term),
                kind=str(vocab.terms[term].kind),
                by_district=counts,
                total=sum(counts.values()),
                activities=len(batch.rows_offering(term)),
            )
            for term, counts in by_term.items()
        ),
        key=lambda u: (-u.total, u.kind, u.name, u.term_id),
    )

    areas = Area.objects.in_bulk([d for d in clients if d is not None])
    districts = sorted(
        (areas.get(d) for d in clients),
        key=lambda a: (a is None, a.order if a else 0, a.kana if a else "", a.name if a else ""),
    )
    pages = _activities(served)
    openings = sorted(
        (
            Opening(
                activity=pages[pk],
                people=sum(counts.values()),
                constraints=tuple(
                    ConstraintCount(c, n, _short_list(sorted(details[pk, c])))
                    for c, n in sorted(counts.items(), key=lambda item: _ORDER[item[0]])
                ),
                terms=tuple(
                    vocab.name(t)
                    for t, _n in sorted(wanted[pk].items(), key=lambda tn: (-tn[1], tn[0]))
                ),
            )
            for pk, counts in served.items()
        ),
        key=lambda o: (-o.people, o.activity.title, o.activity.pk),
    )
    return TownGaps(
        clients=len(evaluations),
        with_unmet=sum(with_unmet.values()),
        districts=tuple(districts),
        clients_by_district=dict(clients),
        unmet_by_district=dict(with_unmet),
        unmet=tuple(unmet_terms),
        openings=tuple(openings),
    )
