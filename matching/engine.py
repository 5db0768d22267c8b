"""The placement matcher: ranks activities and volunteer opportunities for one client.

Plain dataclasses in, ranked `Proposal`s out, and no Django import: the Django layer builds the
inputs from the database and feeds `Weights` from settings, so the matcher is unit-tested and
benchmarked alone (DESIGN.md, "Matching").

A ranking has three steps:

1. **Hard constraints** drop a candidate whatever its score: schedule, accommodations, audience,
   capacity, travel, and the client's own history — an activity they are placed in now, or one
   that declined them this season (one small function each below; `explain_exclusion` says
   which in Japanese). Facts that are not recorded (no age, no location, no availability) never
   exclude: the coordinator checks them, the matcher does not guess.
2. **Score** = weighted sum of components in [0, 1] (`Weights`), times a demotion factor for
   candidates that declined the client in an earlier season. With the default weights the score
   is in [0, 1].
3. **Order**: score descending, then candidate id, so equal inputs always give the same list.

Speed: `CandidateIndex` turns the candidates into numpy arrays once per batch (tag columns, slot
bit masks, coordinates, rarity weights); `rank` is then a few vectorised passes over them and
only the proposals it returns are explained in words.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum

import numpy as np

# --------------------------------------------------------------------------------------------
# Inputs and outputs


class TermKind(StrEnum):
    INTEREST = "interest"
    NEED = "need"
    AUDIENCE = "audience"
    ACCOMMODATION = "accommodation"


class SupportField(StrEnum):
    """The five fields of the 重層的支援体制 (高齢・障害・子ども・生活困窮・その他)."""

    ELDERLY = "elderly"
    DISABLED = "disabled"
    CHILDREN = "children"
    POVERTY = "poverty"
    OTHER = "other"


class Band(StrEnum):
    """Time-of-day bands, the same as the directory's filter (resources.models.schedules)."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class CandidateKind(StrEnum):
    ACTIVITY = "activity"
    OPPORTUNITY = "opportunity"
    VOLUNTEER = "volunteer"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Preference(StrEnum):
    """What a client asked for that a host can offer; each met preference raises the score."""

    SMALL_GROUP = "small_group"  # group_size known and at most Weights.small_group_max
    SAME_GENDER_ONLY = "same_gender_only"  # a women-only / men-only group of the client's gender
    TOUR_FIRST = "tour_first"  # wants to look around first: tour_ok
    COMPANION = "companion"  # comes with a supporter or family member: companion_ok
    SHORT_TIME = "short_time"  # can only stay a short while at first: short_time_ok


Slot = tuple[int, Band]
"""(weekday 0=Monday … 6=Sunday, band)."""

LatLng = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary term (resources.Term); synonyms are the other words people use for it."""

    id: int
    name: str
    kind: TermKind
    parent_id: int | None = None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """What the matcher may know of a client: no name, no case notes, only what it scores on.

    Term ids: `interests` (interest terms), `needs` (need terms, soft), `accommodations` (hard:
    every one must be provided). An empty `availability` means "not recorded yet" and constrains
    nothing; `max_distance_km` is how far the client can get on their own without a car and only
    applies when `has_transport` is false.

    History, as candidate ids: `placed_candidate_ids` (an open placement there: never proposed
    again), `declined_recently_ids` (declined the client this season: not proposed either) and
    `declined_candidate_ids` (declined in an earlier season: proposed, but demoted). What "this
    season" means is the caller's setting; the engine only sees the sets.
    """

    id: int
    fields: frozenset[SupportField] = frozenset()
    age: int | None = None
    gender: Gender | None = None
    interests: frozenset[int] = frozenset()
    needs: frozenset[int] = frozenset()
    accommodations: frozenset[int] = frozenset()
    availability: frozenset[Slot] = frozenset()
    location: LatLng | None = None
    max_distance_km: float | None = None
    has_transport: bool = False
    needs_pickup: bool = False
    preferences: frozenset[Preference] = frozenset()
    declined_candidate_ids: frozenset[str] = frozenset()
    placed_candidate_ids: frozenset[str] = frozenset()
    declined_recently_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Candidate:
    """An activity, volunteer opportunity or volunteer that can take a client.

    `id` is a string because candidates come from several tables ("activity:12",
    "opportunity:5"). `provides` holds accommodation term ids; the caller maps the listing's
    booleans (barrier_free, hearing_support …) to them. `pickup` is also a field of its own
    because it changes the travel rule, not only the accommodations. Empty `slots` means
    日時応相談 (by arrangement): it fits any availability. `capacity_left=None` means no limit.
    """

    id: str
    kind: CandidateKind
    title: str
    tags: frozenset[int] = frozenset()
    audiences: frozenset[SupportField] = frozenset()
    for_everyone: bool = True
    min_age: int | None = None
    max_age: int | None = None
    gender_only: Gender | None = None
    slots: frozenset[Slot] = frozenset()
    location: LatLng | None = None
    provides: frozenset[int] = frozenset()
    pickup: bool = False
    capacity_left: int | None = None
    tour_ok: bool = False
    companion_ok: bool = False
    short_time_ok: bool = False
    group_size: int | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """One ranked candidate: its score, the reasons in Japanese, and the score's parts.

    `breakdown` holds each component's weighted contribution before a declined demotion, so a
    coordinator (or a test) can see where the score came from.
    """

    candidate_id: str
    score: float
    reasons: tuple[str, ...]
    breakdown: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring weights and credits; the Django settings will feed these.

    The five component weights sum to 1, so a score is in [0, 1]; what each measures:
    interest — rarity-weighted share of the client's interests the candidate's tags match;
    need — the same for the client's needs against tags + what the candidate provides;
    schedule — share of the client's available slots the candidate meets in;
    distance — 0.5 ** (km / half_distance_km);
    preference — share of the client's preferences the candidate meets.
    """

    interest: float = 0.40
    need: float = 0.20
    schedule: float = 0.15
    distance: float = 0.15
    preference: float = 0.10
    # Credit for matching a term that is not the client's own term:
    synonym_credit: float = 0.9  # a different term folded with it (same name or synonym)
    hierarchy_credit: float = 0.5  # per step up or down the tree (grandparent: 0.25)
    sibling_credit: float = 0.2  # another child of the same parent
    half_distance_km: float = 3.0  # the island is ~20 km long; 3 km is a neighbouring 集落
    unknown_distance_credit: float = 0.5  # either location unknown: neither near nor far
    # Floor of the distance part when the host picks up a client without transport of their
    # own: the host, not the client, carries the travel.
    pickup_travel_credit: float = 0.8
    # Multiplies the score of a candidate that declined the client in an earlier season.
    declined_factor: float = 0.5
    small_group_max: int = 8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0:
                raise ValueError(f"Weights.{f.name} must not be negative: {value}")
        for name in (
            "synonym_credit",
            "hierarchy_credit",
            "sibling_credit",
            "unknown_distance_credit",
            "pickup_travel_credit",
            "declined_factor",
        ):
            if getattr(self, name) > 1:
                raise ValueError(f"Weights.{name} must be at most 1")
        if self.half_distance_km == 0:
            raise ValueError("Weights.half_distance_km must be positive")


DEFAULT_WEIGHTS = Weights()
COMPONENTS = ("interest", "need", "schedule", "distance", "preference")

# --------------------------------------------------------------------------------------------
# Japanese text, in one place. The engine cannot import Django, so these are plain format
# strings; the Django layer may wrap them in gettext when it renders proposals.

TEXT = {
    "shared_interest": "関心が{count}つ一致（{names}）",
    "related_interest": "近い関心: {names}",
    "related_pair": "{candidate}（{client}に近い）",
    "need_met": "必要な支援に合う（{names}）",
    "need_related": "必要な支援に近い: {names}",
    "schedule": "{slots}に参加可能",
    "schedule_open": "日時は応相談",
    "distance": "自宅から{km:.1f} km",
    "distance_unknown": "距離は不明",
    "pickup": "送迎あり",
    "tour": "見学可",
    "companion": "同行可",
    "short_time": "短時間の参加可",
    "small_group": "少人数（{n}人程度）",
    "same_gender": "{gender}のみの会",
    "accommodation": "{names}",
    "declined": "以前の季節に見送りあり（順位を下げています）",
    "x_schedule": "参加できる曜日・時間帯が合わない",
    "x_accommodation": "必要な配慮がない: {names}",
    "x_pickup": "送迎が必要だが送迎がない",
    "x_audience": "対象外（{audiences}向け）",
    "x_age": "対象年齢外（{ages}）",
    "x_gender": "対象外（{gender}のみ）",
    "x_capacity": "受け入れ枠に空きがない",
    "x_distance": "自宅から{km:.1f} km（自力で行ける範囲は{limit:g} km、送迎なし）",
    "x_placed": "すでに参加している活動",
    "x_declined": "今季すでに受け入れを見送られた活動",
    # Why nothing (or little) fits: one line per constraint, with how many candidates it kept out.
    "n_excluded": "{reason}: {count}件",
}
# The hard constraints in the order a coordinator reads them, each with its plain words; a
# candidate failing several is counted under each (``Shortlist.excluded``).
EXCLUSION_REASONS = {
    "schedule": "参加できる曜日・時間帯が合わない",
    "accommodation": "必要な配慮がない",
    "pickup": "送迎が必要だが送迎がない",
    "audience": "対象外（対象の分野が違う）",
    "age": "対象年齢外",
    "gender": "対象外（性別）",
    "capacity": "受け入れ枠に空きがない",
    "distance": "自宅から遠い（送迎なし）",
    "history": "参加中、または今季すでに見送られた",
}
WEEKDAY_LABELS = "月火水木金土日"
# As the client form names the bands (朝・昼・夕), so a reason reads like what was entered.
BAND_LABELS = {Band.MORNING: "朝", Band.AFTERNOON: "昼", Band.EVENING: "夕"}
FIELD_LABELS = {
    SupportField.ELDERLY: "高齢",
    SupportField.DISABLED: "障害",
    SupportField.CHILDREN: "子ども",
    SupportField.POVERTY: "生活困窮",
    SupportField.OTHER: "その他",
}
GENDER_LABELS = {Gender.FEMALE: "女性", Gender.MALE: "男性"}
_MAX_NAMES = 3  # names per reason line; more would not be read
_LIST_SEP = "、"
_NAME_SEP = "・"  # between the names inside a reason's parentheses

# --------------------------------------------------------------------------------------------
# Small helpers shared by the scalar checks and the vectorised ranking

_BANDS = tuple(Band)
_FIELDS = tuple(SupportField)
_GENDER_CODE = {None: 0, Gender.FEMALE: 1, Gender.MALE: 2}
_NO_LIMIT = np.iinfo(np.int64).max
_EARTH_RADIUS_KM = 6371.0088
_KATA_TO_HIRA = {cp: cp - 0x60 for cp in range(0x30A1, 0x30F7)}


def slot_mask(slots: Iterable[Slot]) -> int:
    """Slots as a 21-bit mask (bit weekday*3 + band), so overlap is one AND."""
    mask = 0
    for weekday, band in slots:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0–6: {weekday}")
        mask |= 1 << (weekday * 3 + _BANDS.index(Band(band)))
    return mask


def _field_mask(values: Iterable[SupportField]) -> int:
    return sum(1 << _FIELDS.index(SupportField(v)) for v in set(values))


def distance_km(a: LatLng, b: LatLng) -> float:
    """Great-circle (haversine) distance; the road is longer, which max_distance_km allows for."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _fold_label(label: str) -> str:
    """NFKC, case and katakana folded, so ｻﾝｼﾝ, サンシン and さんしん are one label."""
    return unicodedata.normalize("NFKC", label).strip().casefold().translate(_KATA_TO_HIRA)


# --------------------------------------------------------------------------------------------
# Vocabulary


class Vocabulary:
    """The term tree with synonyms folded, built once from all terms.

    Terms of the same kind that share a name or synonym (after width/kana folding) form one
    *group*: the same concept entered twice. The hierarchy is kept between groups, so a
    group may have several parents after folding; a cycle is an error in the data.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: dict[int, Term] = {}
        for term in terms:
            if term.id in self.terms:
                raise ValueError(f"duplicate term id {term.id}")
            self.terms[term.id] = term
        for term in self.terms.values():
            if term.parent_id is not None and term.parent_id not in self.terms:
                raise ValueError(f"term {term.name!r} has an unknown parent {term.parent_id}")

        # Labels for lookup(): the lowest id wins where several terms share one.
        self._by_name: dict[str, int] = {}
        self._by_synonym: dict[str, int] = {}
        self._by_kind_label: dict[tuple[TermKind, str], int] = {}
        by_label: dict[tuple[TermKind, str], list[int]] = defaultdict(list)
        for term in sorted(self.terms.values(), key=lambda t: t.id):
            self._by_name.setdefault(_fold_label(term.name), term.id)
            for label in {_fold_label(s) for s in (term.name, *term.synonyms)}:
                self._by_synonym.setdefault(label, term.id)
                by_label[term.kind, label].append(term.id)

        for term in sorted(self.terms.values(), key=lambda t: t.id):
            self._by_kind_label.setdefault((term.kind, _fold_label(term.name)), term.id)
        for (kind, label), ids in by_label.items():
            self._by_kind_label.setdefault((kind, label), ids[0])

        root = {tid: tid for tid in self.terms}

        def find(tid: int) -> int:
            while root[tid] != tid:
                root[tid] = root[root[tid]]
                tid = root[tid]
            return tid

        for ids in by_label.values():
            for other in ids[1:]:
                a, b = find(ids[0]), find(other)
                root[max(a, b)] = min(a, b)
        self.group: dict[int, int] = {tid: find(tid) for tid in self.terms}
        members: dict[int, list[int]] = defaultdict(list)
        for tid in sorted(self.terms):
            members[self.group[tid]].append(tid)
        self.members: dict[int, tuple[int, ...]] = {g: tuple(m) for g, m in members.items()}

        parents: dict[int, set[int]] = defaultdict(set)
        children: dict[int, set[int]] = defaultdict(set)
        for term in self.terms.values():
            if term.parent_id is None:
                continue
            g, p = self.group[term.id], self.group[term.parent_id]
            if g == p:
                raise ValueError(f"term {term.name!r} is its own broader term (via a synonym)")
            parents[g].add(p)
            children[p].add(g)
        self._parents = {g: frozenset(parents[g]) for g in self.members}
        self._children = {g: frozenset(children[g]) for g in self.members}
        for g in self.members:
            if any(g in self._parents[a] for a, _ in self._walk(g, self._parents)):
                raise ValueError(f"the broader terms of {self.terms[g].name!r} form a cycle")

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.terms

    def name(self, term_id: int) -> str:
        return self.terms[term_id].name

    def lookup(self, label: str) -> int:
        """The term a name or synonym stands for (a name wins over another term's synonym)."""
        folded = _fold_label(label)
        if folded in self._by_name:
            return self._by_name[folded]
        if folded in self._by_synonym:
            return self._by_synonym[folded]
        raise KeyError(label)

    def lookup_kind(self, label: str, kind: TermKind) -> int | None:
        """The term of ``kind`` a name or synonym stands for (a name first), or None."""
        return self._by_kind_label.get((kind, _fold_label(label)))

    @staticmethod
    def _walk(start: int, edges: Mapping[int, frozenset[int]]) -> Iterator[tuple[int, int]]:
        """(group, steps) reachable from start along edges, nearest first, each once."""
        seen = {start}
        queue = deque([(start, 0)])
        while queue:
            node, depth = queue.popleft()
            for nxt in sorted(edges[node]):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, depth + 1))
                    yield nxt, depth + 1

    def related(self, term_id: int, weights: Weights) -> dict[int, float]:
        """Every term that partly matches term_id, with its credit (the term itself: 1).

        Synonym-folded terms get synonym_credit; ancestors and descendants
        hierarchy_credit ** steps; siblings (other children of a parent) sibling_credit.
        A term reached several ways keeps its best credit.
        """
        credits: dict[int, float] = {}

        def give(group: int, credit: float) -> None:
            for member in self.members[group]:
                if credit > credits.get(member, 0.0):
                    credits[member] = credit

        g = self.group[term_id]
        for parent in self._parents[g]:
            for sibling in self._children[parent] - {g}:
                give(sibling, weights.sibling_credit)
        for edges in (self._parents, self._children):
            for group, steps in self._walk(g, edges):
                give(group, weights.hierarchy_credit**steps)
        give(g, weights.synonym_credit)
        credits[term_id] = 1.0
        return {tid: c for tid, c in credits.items() if c > 0}

    def satisfying(self, term_id: int) -> frozenset[int]:
        """Terms that meet a required accommodation: it, its synonyms, or anything narrower.

        A host with 車椅子対応 meets a need for バリアフリー; one with only バリアフリー does not
        meet a need for 車椅子対応.
        """
        g = self.group[term_id]
        groups = [g, *(d for d, _ in self._walk(g, self._children))]
        return frozenset(m for group in groups for m in self.members[group])


# --------------------------------------------------------------------------------------------
# Hard constraints, one by one (scalar: used by explain_exclusion and the tests; `rank` applies
# the same rules vectorised in `_constraint_masks` and `_evaluate`, and a test checks the two agree)


def schedule_fits(client: ClientProfile, candidate: Candidate) -> bool:
    """At least one shared (weekday, band); unrecorded availability or 応相談 slots fit all."""
    if not client.availability or not candidate.slots:
        return True
    return bool(slot_mask(client.availability) & slot_mask(candidate.slots))


def missing_accommodations(
    client: ClientProfile, candidate: Candidate, vocab: Vocabulary
) -> tuple[int, ...]:
    """Required accommodation terms not met by the candidate's tags or provisions."""
    offered = candidate.tags | candidate.provides
    return tuple(a for a in sorted(client.accommodations) if not offered & vocab.satisfying(a))


def accommodations_met(client: ClientProfile, candidate: Candidate, vocab: Vocabulary) -> bool:
    """Every required accommodation is provided, and pickup if the client needs it."""
    if client.needs_pickup and not candidate.pickup:
        return False
    return not missing_accommodations(client, candidate, vocab)


def audience_eligible(client: ClientProfile, candidate: Candidate) -> bool:
    """Open to the client: for everyone or a shared field; age within limits; gender-only
    groups only for that gender. An unrecorded age or gender does not exclude."""
    if not candidate.for_everyone and not client.fields & candidate.audiences:
        return False
    if client.age is not None:
        if candidate.min_age is not None and client.age < candidate.min_age:
            return False
        if candidate.max_age is not None and client.age > candidate.max_age:
            return False
    return not (
        candidate.gender_only is not None
        and client.gender is not None
        and client.gender != candidate.gender_only
    )


def has_capacity(candidate: Candidate) -> bool:
    """Room for one more placement (None: no limit)."""
    return candidate.capacity_left is None or candidate.capacity_left > 0


def within_reach(client: ClientProfile, candidate: Candidate) -> bool:
    """The travel rule. Excluded only when all of these hold: the client has no transport of
    their own, the candidate offers no pickup, the client has a max_distance_km, both locations
    are known, and the straight-line distance exceeds max_distance_km."""
    if client.has_transport or candidate.pickup or client.max_distance_km is None:
        return True
    if client.location is None or candidate.location is None:
        return True
    return distance_km(client.location, candidate.location) <= client.max_distance_km


def history_allows(client: ClientProfile, candidate: Candidate) -> bool:
    """Not where the client is placed now, nor where they were declined this season: proposing
    either again would only ask the host the same question."""
    return (
        candidate.id not in client.placed_candidate_ids
        and candidate.id not in client.declined_recently_ids
    )


def explain_exclusion(
    client: ClientProfile, candidate: Candidate, vocab: Vocabulary
) -> tuple[str, ...]:
    """Why the candidate cannot be proposed, in Japanese; empty when it can."""
    reasons = []
    if candidate.id in client.placed_candidate_ids:
        reasons.append(TEXT["x_placed"])
    if candidate.id in client.declined_recently_ids:
        reasons.append(TEXT["x_declined"])
    if not schedule_fits(client, candidate):
        reasons.append(TEXT["x_schedule"])
    if missing := missing_accommodations(client, candidate, vocab):
        names = _LIST_SEP.join(vocab.name(a) for a in missing)
        reasons.append(TEXT["x_accommodation"].format(names=names))
    if client.needs_pickup and not candidate.pickup:
        reasons.append(TEXT["x_pickup"])
    if not candidate.for_everyone and not client.fields & candidate.audiences:
        audiences = "・".join(FIELD_LABELS[f] for f in _FIELDS if f in candidate.audiences)
        reasons.append(TEXT["x_audience"].format(audiences=audiences or "特定の人"))
    if client.age is not None and not (
        (candidate.min_age is None or client.age >= candidate.min_age)
        and (candidate.max_age is None or client.age <= candidate.max_age)
    ):
        reasons.append(TEXT["x_age"].format(ages=_age_range(candidate)))
    if (
        candidate.gender_only is not None
        and client.gender is not None
        and client.gender != candidate.gender_only
    ):
        reasons.append(TEXT["x_gender"].format(gender=GENDER_LABELS[candidate.gender_only]))
    if not has_capacity(candidate):
        reasons.append(TEXT["x_capacity"])
    if not within_reach(client, candidate) and client.location and candidate.location:
        km = distance_km(client.location, candidate.location)
        reasons.append(TEXT["x_distance"].format(km=km, limit=client.max_distance_km))
    return tuple(reasons)


def exclusion_lines(excluded: Mapping[str, int]) -> list[str]:
    """What kept candidates out, one line per constraint in Japanese (most first, then in the
    order of ``EXCLUSION_REASONS``): 「参加できる曜日・時間帯が合わない: 12件」."""
    order = list(EXCLUSION_REASONS)
    reasons = sorted(
        (r for r, n in excluded.items() if n), key=lambda r: (-excluded[r], order.index(r))
    )
    return [
        TEXT["n_excluded"].format(reason=EXCLUSION_REASONS[r], count=excluded[r]) for r in reasons
    ]


def _age_range(candidate: Candidate) -> str:
    if candidate.min_age is not None and candidate.max_age is not None:
        return f"{candidate.min_age}〜{candidate.max_age}歳"
    if candidate.min_age is not None:
        return f"{candidate.min_age}歳以上"
    return f"{candidate.max_age}歳以下"


# --------------------------------------------------------------------------------------------
# Candidate index: everything per candidate that does not depend on the client, computed once


class CandidateIndex:
    """The candidates of one batch as arrays, so ranking one client is a few numpy passes.

    Also holds the rarity weight of every term: an IDF over the candidates' tags and
    provisions, ln((1 + N) / (1 + df)) + 1 where df counts candidates carrying any term of the
    synonym group. A rare shared interest (えらぶゆり) then says more than a common one (交流).
    """

    def __init__(self, candidates: Iterable[Candidate], vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.candidates: tuple[Candidate, ...] = tuple(candidates)
        self.position: dict[str, int] = {}
        columns: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(self.candidates):
            if c.id in self.position:
                raise ValueError(f"duplicate candidate id {c.id!r}")
            self.position[c.id] = i
            features = c.tags | c.provides
            if unknown := sorted(t for t in features if t not in vocab):
                raise ValueError(f"candidate {c.id!r} has unknown term ids {unknown}")
            for t in features:
                columns[t].append(i)
        # Candidates carrying each term (tags or provisions), as index arrays.
        self.columns: dict[int, np.ndarray] = {
            t: np.asarray(rows, dtype=np.intp) for t, rows in columns.items()
        }
        n = len(self.candidates)
        self.rarity: dict[int, float] = {}
        for members in vocab.members.values():
            cols = [self.columns[m] for m in members if m in self.columns]
            df = np.unique(np.concatenate(cols)).size if cols else 0
            weight = math.log((1 + n) / (1 + df)) + 1
            for m in members:
                self.rarity[m] = weight

        cs = self.candidates
        self.slots = np.fromiter((slot_mask(c.slots) for c in cs), np.uint32, n)
        self.for_everyone = np.fromiter((c.for_everyone for c in cs), bool, n)
        self.audience = np.fromiter((_field_mask(c.audiences) for c in cs), np.uint8, n)
        self.min_age = np.fromiter((c.min_age or 0 for c in cs), np.int64, n)
        self.max_age = np.fromiter(
            (_NO_LIMIT if c.max_age is None else c.max_age for c in cs), np.int64, n
        )
        self.gender_only = np.fromiter((_GENDER_CODE[c.gender_only] for c in cs), np.int8, n)
        self.capacity = np.fromiter(
            (_NO_LIMIT if c.capacity_left is None else c.capacity_left for c in cs), np.int64, n
        )
        self.lat = np.radians(
            np.fromiter((c.location[0] if c.location else np.nan for c in cs), float, n)
        )
        self.cos_lat = np.cos(self.lat)
        self.lng = np.radians(
            np.fromiter((c.location[1] if c.location else np.nan for c in cs), float, n)
        )
        self.pickup = np.fromiter((c.pickup for c in cs), bool, n)
        self.tour_ok = np.fromiter((c.tour_ok for c in cs), bool, n)
        self.companion_ok = np.fromiter((c.companion_ok for c in cs), bool, n)
        self.short_time_ok = np.fromiter((c.short_time_ok for c in cs), bool, n)
        self.group_size = np.fromiter((c.group_size or 0 for c in cs), np.int64, n)
        # Rank of each id in sorted order: the tie-break key, as an integer array.
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[sorted(range(n), key=lambda i: cs[i].id)] = np.arange(n)

    def __len__(self) -> int:
        return len(self.candidates)


# --------------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """One client against the index: the feasible candidates and their scores and parts."""

    rows: np.ndarray  # positions of the feasible candidates
    scores: np.ndarray  # final score, rounded; aligned with rows, as are the next two
    parts: np.ndarray  # (len(COMPONENTS), len(rows)) weighted components, rounded
    distance: np.ndarray  # km, NaN where unknown
    related: dict[int, dict[int, float]]
    client_slots: int
    excluded: dict[str, int]  # reason → candidates it kept out (several reasons may count one)


def _check_terms(client: ClientProfile, vocab: Vocabulary) -> None:
    terms = client.interests | client.needs | client.accommodations
    if unknown := sorted(t for t in terms if t not in vocab):
        raise ValueError(f"client {client.id} has unknown term ids {unknown}")


def _distances(client: ClientProfile, index: CandidateIndex, rows: np.ndarray) -> np.ndarray:
    if client.location is None:
        return np.full(rows.size, np.nan)
    lat, lng = map(math.radians, client.location)
    h = (
        np.sin((index.lat[rows] - lat) / 2) ** 2
        + math.cos(lat) * index.cos_lat[rows] * np.sin((index.lng[rows] - lng) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def _constraint_masks(
    client: ClientProfile, client_slots: int, index: CandidateIndex
) -> dict[str, np.ndarray]:
    """Every hard constraint but travel, vectorised (the same rules as the named functions),
    one boolean mask per reason of ``EXCLUSION_REASONS``, so the counts of what each kept out
    cost one sum each; travel is checked after, on the few candidates left, as distances cost
    the most."""
    n = len(index)
    masks = {"capacity": index.capacity > 0}
    if client_slots:
        masks["schedule"] = (index.slots == 0) | ((index.slots & client_slots) != 0)
    masks["audience"] = index.for_everyone | ((index.audience & _field_mask(client.fields)) != 0)
    if client.age is not None:
        masks["age"] = (index.min_age <= client.age) & (client.age <= index.max_age)
    if client.gender is not None:
        code = _GENDER_CODE[client.gender]
        masks["gender"] = (index.gender_only == 0) | (index.gender_only == code)
    if client.needs_pickup:
        masks["pickup"] = index.pickup
    if client.accommodations:
        provided = np.ones(n, dtype=bool)
        for required in client.accommodations:
            met = np.zeros(n, dtype=bool)
            for term in index.vocab.satisfying(required):
                if (rows := index.columns.get(term)) is not None:
                    met[rows] = True
            provided &= met
        masks["accommodation"] = provided
    history = client.placed_candidate_ids | client.declined_recently_ids
    if history:
        allowed = np.ones(n, dtype=bool)
        for candidate_id in history:
            if (position := index.position.get(candidate_id)) is not None:
                allowed[position] = False
        masks["history"] = allowed
    return masks


def _coverage(
    terms: Iterable[int], related: Mapping[int, Mapping[int, float]], index: CandidateIndex
) -> np.ndarray:
    """Rarity-weighted share of the terms each candidate matches, best credit per term."""
    total = np.zeros(len(index))
    weight_sum = 0.0
    for term in terms:
        best = np.zeros(len(index))
        # Ascending credit, so a better match overwrites a weaker one.
        for other, credit in sorted(related[term].items(), key=lambda kv: (kv[1], kv[0])):
            if (rows := index.columns.get(other)) is not None:
                best[rows] = credit
        total += index.rarity[term] * best
        weight_sum += index.rarity[term]
    return total / weight_sum if weight_sum else total


def _evaluate(client: ClientProfile, index: CandidateIndex, weights: Weights) -> _Evaluation:
    vocab = index.vocab
    _check_terms(client, vocab)
    client_slots = slot_mask(client.availability)
    masks = _constraint_masks(client, client_slots, index)
    ok = np.ones(len(index), dtype=bool)
    for mask in masks.values():
        ok &= mask
    excluded = {reason: int(np.count_nonzero(~mask)) for reason, mask in masks.items()}
    rows = np.flatnonzero(ok)
    distance = _distances(client, index, rows)
    if not client.has_transport and client.max_distance_km is not None:
        # The travel rule; NaN (unknown location) compares False, so it is never "too far".
        # Counted among the candidates every other rule let through: telling how many more are
        # too far would cost a distance per candidate.
        near = ~(distance > client.max_distance_km) | index.pickup[rows]
        excluded["distance"] = int(np.count_nonzero(~near))
        rows, distance = rows[near], distance[near]
    excluded = {r: excluded[r] for r in EXCLUSION_REASONS if excluded.get(r)}

    related = {t: vocab.related(t, weights) for t in client.interests | client.needs}
    interest = _coverage(sorted(client.interests), related, index)[rows]
    need = _coverage(sorted(client.needs), related, index)[rows]

    schedule = np.zeros(rows.size)
    if client_slots:
        slots = index.slots[rows]
        shared = np.bitwise_count(slots & client_slots) / client_slots.bit_count()
        schedule = np.where(slots == 0, 1.0, shared)

    travel = 0.5 ** (distance / weights.half_distance_km)
    travel = np.where(np.isnan(travel), weights.unknown_distance_credit, travel)
    if not client.has_transport:
        pickup = index.pickup[rows]
        travel = np.where(pickup, np.maximum(travel, weights.pickup_travel_credit), travel)

    preference = np.zeros(rows.size)
    if client.preferences:
        group_size = index.group_size[rows]
        met = {
            Preference.SMALL_GROUP: (group_size > 0) & (group_size <= weights.small_group_max),
            Preference.SAME_GENDER_ONLY: (client.gender is not None)
            & (index.gender_only[rows] == _GENDER_CODE[client.gender]),
            Preference.TOUR_FIRST: index.tour_ok[rows],
            Preference.COMPANION: index.companion_ok[rows],
            Preference.SHORT_TIME: index.short_time_ok[rows],
        }
        preference = sum(met[p].astype(float) for p in client.preferences) / len(client.preferences)

    parts = np.vstack(
        [
            weights.interest * interest,
            weights.need * need,
            weights.schedule * schedule,
            weights.distance * travel,
            weights.preference * preference,
        ]
    )
    scores = parts.sum(axis=0)
    if client.declined_candidate_ids:
        declined = [index.position[c] for c in client.declined_candidate_ids if c in index.position]
        scores[np.isin(rows, declined)] *= weights.declined_factor
    # Rounded so that sums taken in a different order cannot reorder equal scores.
    return _Evaluation(
        rows, np.round(scores, 6), np.round(parts, 6), distance, related, client_slots, excluded
    )


def _top(ev: _Evaluation, index: CandidateIndex, top: int | None) -> np.ndarray:
    """Indices into ev's arrays, best first (score desc, then id), at most `top`."""
    local = np.arange(ev.rows.size)
    if top == 0:
        return local[:0]
    if top is not None and top < local.size:
        # Keep everything at least as good as the top-th score, so ties at the cut are
        # decided by id below, not by the partition.
        cut = np.partition(ev.scores, local.size - top)[local.size - top]
        local = np.flatnonzero(ev.scores >= cut)
    order = np.lexsort((index.id_rank[ev.rows[local]], -ev.scores[local]))
    return local[order][:top]


def rank(
    client: ClientProfile,
    candidates: CandidateIndex | Sequence[Candidate],
    vocab: Vocabulary,
    weights: Weights = DEFAULT_WEIGHTS,
    top: int | None = None,
) -> list[Proposal]:
    """Feasible candidates for the client, best first, each with its reasons.

    Pass a `CandidateIndex` when ranking several clients against the same candidates; a plain
    sequence is indexed on each call. Only the returned proposals are explained in words, so
    `top` keeps a coordinator's screen fast on 10,000 candidates.
    """
    return shortlist(client, candidates, vocab, weights, top).proposals()


def shortlist(
    client: ClientProfile,
    candidates: CandidateIndex | Sequence[Candidate],
    vocab: Vocabulary,
    weights: Weights = DEFAULT_WEIGHTS,
    top: int | None = None,
) -> Shortlist:
    """What `rank` returns, before it is put into words: for the batch, which explains only
    the placements it makes."""
    if top is not None and top < 0:
        raise ValueError("top must not be negative")
    index = candidate_index(candidates, vocab)
    ev = _evaluate(client, index, weights)
    best = _top(ev, index, top)
    return Shortlist(
        client=client,
        index=index,
        weights=weights,
        positions=ev.rows[best],
        scores=ev.scores[best],
        parts=ev.parts[:, best],
        distance=ev.distance[best],
        related=ev.related,
        client_slots=ev.client_slots,
        complete=top is None or ev.rows.size <= top,
        excluded=ev.excluded,
        considered=len(index),
    )


def candidate_index(
    candidates: CandidateIndex | Sequence[Candidate], vocab: Vocabulary
) -> CandidateIndex:
    """The index of the candidates, reusing it when it is one already."""
    if isinstance(candidates, CandidateIndex):
        if candidates.vocab is not vocab:
            raise ValueError("the candidate index was built with another vocabulary")
        return candidates
    return CandidateIndex(candidates, vocab)


# --------------------------------------------------------------------------------------------
# Reasons


def _names(items: Iterable[str], sep: str = _LIST_SEP) -> str:
    unique = list(dict.fromkeys(items))
    text = sep.join(unique[:_MAX_NAMES])
    return text + "ほか" if len(unique) > _MAX_NAMES else text


def _slot_text(slots: int) -> str:
    labels = [
        f"{WEEKDAY_LABELS[bit // 3]}曜の{BAND_LABELS[_BANDS[bit % 3]]}"
        for bit in range(21)
        if slots >> bit & 1
    ]
    text = "・".join(labels[:_MAX_NAMES])
    return text + "ほか" if len(labels) > _MAX_NAMES else text


def _matches(
    terms: Iterable[int],
    offered: frozenset[int],
    related: Mapping[int, Mapping[int, float]],
    index: CandidateIndex,
) -> tuple[list[str], list[str]]:
    """(same-concept names, partly-related descriptions), strongest contribution first.

    Each of the candidate's terms is named once, for the client term it serves best, so
    共通の関心: 読書 is not followed by 読書（パソコンに近い）.
    """
    vocab = index.vocab
    found = []
    for term in terms:
        credits = related[term]
        best = max(((credits[o], o) for o in offered & credits.keys()), default=None)
        if best is not None:
            found.append((-index.rarity[term] * best[0], term, best[1]))
    same, near = [], []
    named = set()
    for _, term, other in sorted(found):
        if other in named:
            continue
        named.add(other)
        if vocab.group[term] == vocab.group[other]:
            same.append(vocab.name(other))
        else:
            pair = TEXT["related_pair"].format(candidate=vocab.name(other), client=vocab.name(term))
            near.append(pair)
    return same, near


@dataclass(frozen=True, slots=True)
class Shortlist:
    """A client's best feasible candidates, best first, and what is needed to explain them.

    Only these columns of the client's evaluation are kept, so a batch can hold one per client
    cheaply.
    """

    client: ClientProfile
    index: CandidateIndex
    weights: Weights
    positions: np.ndarray  # candidate positions in the index, best first
    scores: np.ndarray
    parts: np.ndarray  # (len(COMPONENTS), len(positions)) weighted components, rounded
    distance: np.ndarray  # km, NaN where unknown
    related: dict[int, dict[int, float]]  # per client interest/need: term → credit
    client_slots: int
    complete: bool  # holds every feasible candidate: nothing was cut off by `top`
    # Reason (``EXCLUSION_REASONS``) → candidates it kept out; one candidate may count under
    # several reasons. Travel counts only those every other rule let through.
    excluded: Mapping[str, int] = field(default_factory=dict)
    considered: int = 0  # candidates in the index

    def __len__(self) -> int:
        return len(self.positions)

    def proposals(self) -> list[Proposal]:
        return [self.proposal(k) for k in range(len(self))]

    def proposal(self, k: int) -> Proposal:
        """The k-th entry, explained."""
        return _proposal(self, k)


def _proposal(sl: Shortlist, k: int) -> Proposal:
    client, index, weights = sl.client, sl.index, sl.weights
    i = int(sl.positions[k])
    c = index.candidates[i]
    vocab = index.vocab
    offered = c.tags | c.provides
    reasons = []

    same, near = _matches(client.interests, offered, sl.related, index)
    if same:
        names = _names(same, _NAME_SEP)
        reasons.append(TEXT["shared_interest"].format(count=len(same), names=names))
    if near:
        reasons.append(TEXT["related_interest"].format(names=_names(near)))
    same, near = _matches(client.needs, offered, sl.related, index)
    if same:
        reasons.append(TEXT["need_met"].format(names=_names(same, _NAME_SEP)))
    if near:
        reasons.append(TEXT["need_related"].format(names=_names(near)))

    if not c.slots:
        reasons.append(TEXT["schedule_open"])
    elif shared := sl.client_slots & int(index.slots[i]):
        reasons.append(TEXT["schedule"].format(slots=_slot_text(shared)))

    km = float(sl.distance[k])
    if math.isnan(km):
        reasons.append(TEXT["distance_unknown"])
    else:
        reasons.append(TEXT["distance"].format(km=km))
    if c.pickup and (client.needs_pickup or not client.has_transport):
        reasons.append(TEXT["pickup"])
    if client.accommodations:
        names = _names((vocab.name(a) for a in sorted(client.accommodations)), _NAME_SEP)
        reasons.append(TEXT["accommodation"].format(names=names))

    prefs = client.preferences
    if Preference.TOUR_FIRST in prefs and c.tour_ok:
        reasons.append(TEXT["tour"])
    if Preference.COMPANION in prefs and c.companion_ok:
        reasons.append(TEXT["companion"])
    if Preference.SHORT_TIME in prefs and c.short_time_ok:
        reasons.append(TEXT["short_time"])
    if Preference.SMALL_GROUP in prefs and c.group_size and c.group_size <= weights.small_group_max:
        reasons.append(TEXT["small_group"].format(n=c.group_size))
    if Preference.SAME_GENDER_ONLY in prefs and c.gender_only and c.gender_only == client.gender:
        reasons.append(TEXT["same_gender"].format(gender=GENDER_LABELS[c.gender_only]))
    if c.id in client.declined_candidate_ids:
        reasons.append(TEXT["declined"])

    breakdown = dict(zip(COMPONENTS, sl.parts[:, k].tolist(), strict=True))
    return Proposal(c.id, float(sl.scores[k]), tuple(reasons), breakdown)
