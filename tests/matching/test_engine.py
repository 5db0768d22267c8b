"""The pure matcher: hard constraints one by one, scoring, reasons, determinism. No database."""

import dataclasses
import random
import subprocess
import sys

import pytest

from matching.engine import (
    DEFAULT_WEIGHTS,
    Band,
    Candidate,
    CandidateIndex,
    CandidateKind,
    ClientProfile,
    Gender,
    Preference,
    SupportField,
    Term,
    TermKind,
    Vocabulary,
    Weights,
    accommodations_met,
    audience_eligible,
    distance_km,
    exclusion_lines,
    explain_exclusion,
    has_capacity,
    history_allows,
    missing_accommodations,
    rank,
    schedule_fits,
    shortlist,
    within_reach,
)

INTEREST, NEED, ACCOM = TermKind.INTEREST, TermKind.NEED, TermKind.ACCOMMODATION
FARMING, FLOWERS, LILY, VEGETABLES, MUSIC, SANSHIN, SHIMAUTA, CHAT, FIELDWORK = range(1, 10)
PLACE, WORK = 20, 21
BARRIER_FREE, WHEELCHAIR, HEARING = 30, 31, 32
VOCAB = Vocabulary(
    [
        Term(FARMING, "農作業", INTEREST, synonyms=("農業",)),
        Term(FLOWERS, "花き栽培", INTEREST, FARMING),
        Term(LILY, "えらぶゆり", INTEREST, FLOWERS, ("ユリ栽培",)),
        Term(VEGETABLES, "野菜づくり", INTEREST, FARMING),
        Term(MUSIC, "音楽", INTEREST),
        Term(SANSHIN, "三線", INTEREST, MUSIC, ("サンシン",)),
        Term(SHIMAUTA, "島唄", INTEREST, MUSIC),
        Term(CHAT, "おしゃべり", INTEREST),
        Term(FIELDWORK, "畑仕事", INTEREST, synonyms=("農業",)),  # folds with 農作業 through 農業
        Term(PLACE, "居場所", NEED),
        Term(WORK, "就労準備", NEED),
        Term(BARRIER_FREE, "バリアフリー", ACCOM),
        Term(WHEELCHAIR, "車椅子対応", ACCOM, BARRIER_FREE),
        Term(HEARING, "聴覚サポート", ACCOM),
    ]
)
HOME = (27.392, 128.655)  # 和泊
KM_PER_DEGREE_LAT = 111.195
WED_AM = (2, Band.MORNING)
THU_PM = (3, Band.AFTERNOON)


def north(km: float) -> tuple[float, float]:
    return (HOME[0] + km / KM_PER_DEGREE_LAT, HOME[1])


def make_client(**changes: object) -> ClientProfile:
    base = ClientProfile(
        id=1,
        fields=frozenset({SupportField.ELDERLY}),
        age=80,
        gender=Gender.FEMALE,
        interests=frozenset({FLOWERS}),
        availability=frozenset({WED_AM}),
        location=HOME,
        max_distance_km=2.0,
    )
    return dataclasses.replace(base, **changes)


def make_candidate(id: str = "a", **changes: object) -> Candidate:
    base = Candidate(
        id=id,
        kind=CandidateKind.ACTIVITY,
        title=f"活動{id}",
        tags=frozenset({FLOWERS}),
        slots=frozenset({WED_AM}),
        location=north(1.0),
        capacity_left=2,
    )
    return dataclasses.replace(base, **changes)


def ranked_ids(client: ClientProfile, candidates: list[Candidate], **kw: object) -> list[str]:
    return [p.candidate_id for p in rank(client, candidates, VOCAB, **kw)]


# --- hard constraints, one by one -----------------------------------------------------------

EXCLUDED = {
    "schedule": (make_client(), make_candidate(slots=frozenset({THU_PM})), schedule_fits),
    "accommodation": (
        make_client(accommodations=frozenset({WHEELCHAIR})),
        make_candidate(provides=frozenset({BARRIER_FREE})),  # broader than what is needed
        accommodations_met,
    ),
    "pickup": (make_client(needs_pickup=True), make_candidate(), accommodations_met),
    "audience": (
        make_client(),
        make_candidate(for_everyone=False, audiences=frozenset({SupportField.CHILDREN})),
        audience_eligible,
    ),
    "min_age": (make_client(age=50), make_candidate(min_age=65), audience_eligible),
    "max_age": (make_client(age=19), make_candidate(max_age=18), audience_eligible),
    "gender": (
        make_client(gender=Gender.MALE),
        make_candidate(gender_only=Gender.FEMALE),
        audience_eligible,
    ),
    "capacity": (make_client(), make_candidate(capacity_left=0), has_capacity),
    "distance": (make_client(), make_candidate(location=north(5.0)), within_reach),
    "placed": (
        make_client(placed_candidate_ids=frozenset({"a"})),
        make_candidate(),
        history_allows,
    ),
    "declined": (
        make_client(declined_recently_ids=frozenset({"a"})),
        make_candidate(),
        history_allows,
    ),
}
EXCLUSION_TEXT = {
    "schedule": "参加できる曜日・時間帯が合わない",
    "accommodation": "必要な配慮がない: 車椅子対応",
    "pickup": "送迎が必要だが送迎がない",
    "audience": "対象外（子ども向け）",
    "min_age": "対象年齢外（65歳以上）",
    "max_age": "対象年齢外（18歳以下）",
    "gender": "対象外（女性のみ）",
    "capacity": "受け入れ枠に空きがない",
    "distance": "自宅から5.0 km（自力で行ける範囲は2 km、送迎なし）",
    "placed": "すでに参加している活動",
    "declined": "今季すでに受け入れを見送られた活動",
}


def _check(check, client: ClientProfile, candidate: Candidate) -> bool:
    if check is has_capacity:
        return check(candidate)
    if check is accommodations_met:
        return check(client, candidate, VOCAB)
    return check(client, candidate)


@pytest.mark.parametrize("case", EXCLUDED)
def test_hard_constraint_excludes_whatever_the_score(case: str) -> None:
    client, broken, check = EXCLUDED[case]
    # The broken candidate matches every interest, is next door and meets every preference;
    # the feasible one shares nothing but still gets proposed.
    client = dataclasses.replace(client, preferences=frozenset({Preference.TOUR_FIRST}))
    broken = dataclasses.replace(broken, tags=client.interests, tour_ok=True)
    plain = make_candidate(
        "z", tags=frozenset(), location=north(1.9), provides=client.accommodations, pickup=True
    )
    assert not _check(check, client, broken)
    assert _check(check, client, plain)
    assert ranked_ids(client, [broken, plain]) == ["z"]
    assert explain_exclusion(client, broken, VOCAB) == (EXCLUSION_TEXT[case],)
    assert explain_exclusion(client, plain, VOCAB) == ()


def test_narrower_accommodation_meets_a_broader_need() -> None:
    client = make_client(accommodations=frozenset({BARRIER_FREE}))
    assert accommodations_met(client, make_candidate(provides=frozenset({WHEELCHAIR})), VOCAB)
    assert not accommodations_met(client, make_candidate(provides=frozenset({HEARING})), VOCAB)


def test_accommodation_may_come_from_tags() -> None:
    client = make_client(accommodations=frozenset({HEARING}))
    assert ranked_ids(client, [make_candidate(tags=frozenset({FLOWERS, HEARING}))]) == ["a"]


@pytest.mark.parametrize(
    "change",
    [
        {"pickup": True},  # the host fetches the client
        {"location": None},  # distance unknown: the coordinator checks it
    ],
)
def test_far_candidate_allowed_with_pickup_or_unknown_location(change: dict) -> None:
    far = make_candidate(**{"location": north(5.0), **change})
    assert within_reach(make_client(), far)
    assert ranked_ids(make_client(), [far]) == ["a"]


def test_far_candidate_allowed_when_client_has_transport() -> None:
    client = make_client(has_transport=True)
    assert ranked_ids(client, [make_candidate(location=north(5.0))]) == ["a"]


def test_unrecorded_facts_do_not_exclude() -> None:
    client = make_client(availability=frozenset(), age=None, gender=None, location=None)
    candidate = make_candidate(
        slots=frozenset({THU_PM}), min_age=65, gender_only=Gender.MALE, location=north(9)
    )
    assert ranked_ids(client, [candidate]) == ["a"]


def test_open_schedule_fits_any_availability() -> None:
    proposal = rank(make_client(), [make_candidate(slots=frozenset())], VOCAB)[0]
    assert "日時は応相談" in proposal.reasons
    assert proposal.breakdown["schedule"] == DEFAULT_WEIGHTS.schedule


def test_everyone_welcome_needs_no_field() -> None:
    client = make_client(fields=frozenset())
    assert ranked_ids(client, [make_candidate()]) == ["a"]
    assert ranked_ids(client, [make_candidate(for_everyone=False)]) == []


def _random_case(rng: random.Random) -> tuple[ClientProfile, list[Candidate]]:
    slots = [(d, b) for d in range(7) for b in Band]
    terms = sorted(VOCAB.terms)
    accommodations = [BARRIER_FREE, WHEELCHAIR, HEARING]

    def some(items: list, k: int) -> frozenset:
        return frozenset(rng.sample(items, rng.randint(0, k)))

    ids = [f"c{i:03}" for i in range(60)]

    client = ClientProfile(
        id=1,
        fields=some(list(SupportField), 2),
        age=rng.choice([None, 12, 40, 70, 85]),
        gender=rng.choice([None, *Gender]),
        interests=some(terms, 3),
        needs=some([PLACE, WORK], 2),
        accommodations=some(accommodations, 1),
        availability=some(slots, 6),
        location=rng.choice([None, HOME]),
        max_distance_km=rng.choice([None, 1.0, 3.0]),
        has_transport=rng.random() < 0.3,
        needs_pickup=rng.random() < 0.2,
        preferences=some(list(Preference), 2),
        placed_candidate_ids=frozenset(rng.sample(ids, rng.randint(0, 2))),
        declined_recently_ids=frozenset(rng.sample(ids, rng.randint(0, 2))),
    )
    candidates = [
        Candidate(
            id=f"c{i:03}",
            kind=CandidateKind.ACTIVITY,
            title="",
            tags=some(terms, 3),
            audiences=some(list(SupportField), 2),
            for_everyone=rng.random() < 0.5,
            min_age=rng.choice([None, 18, 65]),
            max_age=rng.choice([None, 18, 64]),
            gender_only=rng.choice([None, None, *Gender]),
            slots=some(slots, 4),
            location=rng.choice([None, north(rng.uniform(0, 6))]),
            provides=some(accommodations, 2),
            pickup=rng.random() < 0.3,
            capacity_left=rng.choice([None, 0, 1, 3]),
            tour_ok=rng.random() < 0.5,
            group_size=rng.choice([None, 5, 20]),
        )
        for i in range(len(ids))
    ]
    return client, candidates


def _allowed_but_for_travel(client: ClientProfile, c: Candidate) -> bool:
    return (
        schedule_fits(client, c)
        and accommodations_met(client, c, VOCAB)
        and audience_eligible(client, c)
        and has_capacity(c)
        and history_allows(client, c)
    )


@pytest.mark.parametrize("seed", range(30))
def test_vectorised_constraints_agree_with_the_named_functions(seed: int) -> None:
    client, candidates = _random_case(random.Random(seed))
    expected = {
        c.id for c in candidates if _allowed_but_for_travel(client, c) and within_reach(client, c)
    }
    assert set(ranked_ids(client, candidates)) == expected
    assert {c.id for c in candidates if not explain_exclusion(client, c, VOCAB)} == expected


def _scalar_exclusions(client: ClientProfile, candidates: list[Candidate]) -> dict[str, int]:
    """What the named functions say kept each candidate out, counted per reason."""
    counts: dict[str, int] = {}

    def count(reason: str, failed: bool) -> None:
        if failed:
            counts[reason] = counts.get(reason, 0) + 1

    for c in candidates:
        count("schedule", not schedule_fits(client, c))
        count("accommodation", bool(missing_accommodations(client, c, VOCAB)))
        count("pickup", client.needs_pickup and not c.pickup)
        count("audience", not c.for_everyone and not client.fields & c.audiences)
        count(
            "age",
            client.age is not None and not ((c.min_age or 0) <= client.age <= (c.max_age or 999)),
        )
        count(
            "gender",
            c.gender_only is not None and client.gender not in (None, c.gender_only),
        )
        count("capacity", not has_capacity(c))
        count("history", not history_allows(client, c))
    for c in candidates:
        if _allowed_but_for_travel(client, c):
            count("distance", not within_reach(client, c))
    return counts


@pytest.mark.parametrize("seed", range(30))
def test_exclusion_counts_agree_with_the_named_functions(seed: int) -> None:
    client, candidates = _random_case(random.Random(seed))
    excluded = shortlist(client, candidates, VOCAB).excluded
    assert dict(excluded) == _scalar_exclusions(client, candidates)


def test_when_nothing_fits_the_lines_say_which_constraint_kept_how_many_out() -> None:
    client = make_client(availability=frozenset({WED_AM}), accommodations=frozenset({WHEELCHAIR}))
    candidates = [
        make_candidate(id="a", slots=frozenset({THU_PM}), provides=frozenset({WHEELCHAIR})),
        make_candidate(id="b", slots=frozenset({THU_PM})),
        make_candidate(id="c", slots=frozenset({WED_AM}), capacity_left=0),
    ]
    result = shortlist(client, candidates, VOCAB)
    assert len(result) == 0
    assert result.considered == 3
    assert exclusion_lines(result.excluded) == [
        "参加できる曜日・時間帯が合わない: 2件",
        "必要な配慮がない: 2件",
        "受け入れ枠に空きがない: 1件",
    ]


# --- score -----------------------------------------------------------------------------------


def test_reasons_in_japanese() -> None:
    client = make_client(
        interests=frozenset({FARMING, FLOWERS}),
        needs=frozenset({PLACE}),
        accommodations=frozenset({BARRIER_FREE}),
        preferences=frozenset({Preference.TOUR_FIRST, Preference.SMALL_GROUP}),
    )
    candidate = make_candidate(
        tags=frozenset({FARMING, FLOWERS, PLACE}),
        slots=frozenset({WED_AM, THU_PM}),
        location=north(1.2),
        provides=frozenset({WHEELCHAIR}),
        pickup=True,
        tour_ok=True,
        group_size=6,
    )
    assert rank(client, [candidate], VOCAB)[0].reasons == (
        "関心が2つ一致（農作業・花き栽培）",
        "必要な支援に合う（居場所）",
        "水曜の朝に参加可能",
        "自宅から1.2 km",
        "送迎あり",
        "バリアフリー",
        "見学可",
        "少人数（6人程度）",
    )


def test_related_interest_is_named_with_what_it_is_close_to() -> None:
    proposal = rank(make_client(), [make_candidate(tags=frozenset({LILY}))], VOCAB)[0]
    assert proposal.reasons[0] == "近い関心: えらぶゆり（花き栽培に近い）"


def test_rare_shared_interest_outweighs_a_common_one() -> None:
    client = make_client(interests=frozenset({SANSHIN, CHAT}))
    rare = make_candidate("rare", tags=frozenset({SANSHIN}))
    common = make_candidate("common", tags=frozenset({CHAT}))
    crowd = [make_candidate(f"x{i}", tags=frozenset({CHAT}), capacity_left=0) for i in range(8)]
    index = CandidateIndex([rare, common, *crowd], VOCAB)
    assert index.rarity[SANSHIN] > index.rarity[CHAT]
    assert [p.candidate_id for p in rank(client, index, VOCAB)] == ["rare", "common"]


@pytest.mark.parametrize(
    ("tag", "credit"),
    [
        (FLOWERS, 1.0),  # the client's own term
        (FIELDWORK, DEFAULT_WEIGHTS.hierarchy_credit),  # parent's synonym group: one step up
        (LILY, DEFAULT_WEIGHTS.hierarchy_credit),  # child
        (VEGETABLES, DEFAULT_WEIGHTS.sibling_credit),  # sibling
        (SANSHIN, 0.0),  # unrelated
    ],
)
def test_partial_credit_through_the_hierarchy(tag: int, credit: float) -> None:
    proposal = rank(make_client(), [make_candidate(tags=frozenset({tag}))], VOCAB)[0]
    assert proposal.breakdown["interest"] == pytest.approx(DEFAULT_WEIGHTS.interest * credit)


def test_grandchild_gets_credit_per_step() -> None:
    client = make_client(interests=frozenset({FARMING}))
    proposal = rank(client, [make_candidate(tags=frozenset({LILY}))], VOCAB)[0]
    expected = DEFAULT_WEIGHTS.interest * DEFAULT_WEIGHTS.hierarchy_credit**2
    assert proposal.breakdown["interest"] == pytest.approx(expected)


def test_synonym_folded_term_gets_synonym_credit() -> None:
    assert VOCAB.group[FIELDWORK] == VOCAB.group[FARMING]
    client = make_client(interests=frozenset({FARMING}))
    proposal = rank(client, [make_candidate(tags=frozenset({FIELDWORK}))], VOCAB)[0]
    expected = DEFAULT_WEIGHTS.interest * DEFAULT_WEIGHTS.synonym_credit
    assert proposal.breakdown["interest"] == pytest.approx(expected)
    assert proposal.reasons[0] == "関心が1つ一致（畑仕事）"


def test_credit_order_exact_synonym_parent_sibling_unrelated() -> None:
    client = make_client(interests=frozenset({FARMING}))
    tags = {"1exact": FARMING, "2synonym": FIELDWORK, "3child": FLOWERS, "4none": SANSHIN}
    candidates = [make_candidate(i, tags=frozenset({t})) for i, t in reversed(tags.items())]
    assert ranked_ids(client, candidates) == sorted(tags)


def test_needs_met_by_what_the_candidate_offers() -> None:
    client = make_client(interests=frozenset(), needs=frozenset({WORK}))
    meets = make_candidate("meets", tags=frozenset({WORK}))
    other = make_candidate("other", tags=frozenset({PLACE}))
    proposals = rank(client, [other, meets], VOCAB)
    assert [p.candidate_id for p in proposals] == ["meets", "other"]
    assert proposals[0].breakdown["need"] == pytest.approx(DEFAULT_WEIGHTS.need)
    assert "必要な支援に合う（就労準備）" in proposals[0].reasons


def test_schedule_fit_is_the_share_of_client_slots_covered() -> None:
    client = make_client(availability=frozenset({WED_AM, THU_PM, (4, Band.MORNING)}))
    proposal = rank(client, [make_candidate(slots=frozenset({WED_AM, THU_PM}))], VOCAB)[0]
    assert proposal.breakdown["schedule"] == pytest.approx(DEFAULT_WEIGHTS.schedule * 2 / 3)
    assert "水曜の朝・木曜の昼に参加可能" in proposal.reasons


def test_distance_decays_by_half_every_half_distance() -> None:
    half = DEFAULT_WEIGHTS.half_distance_km
    client = make_client(has_transport=True)
    by_km = {
        km: rank(client, [make_candidate(location=north(km))], VOCAB)[0].breakdown["distance"]
        for km in (0.0, half, 2 * half)
    }
    w = DEFAULT_WEIGHTS.distance
    assert by_km == pytest.approx({0.0: w, half: w / 2, 2 * half: w / 4}, rel=1e-3)
    assert distance_km(HOME, north(half)) == pytest.approx(half, rel=1e-3)


def test_pickup_softens_distance_for_a_client_without_transport() -> None:
    far = make_candidate("far", location=north(9.0), pickup=True)
    proposal = rank(make_client(), [far], VOCAB)[0]
    expected = DEFAULT_WEIGHTS.distance * DEFAULT_WEIGHTS.pickup_travel_credit
    assert proposal.breakdown["distance"] == pytest.approx(expected)


def test_preferences_add_to_the_score() -> None:
    client = make_client(preferences=frozenset({Preference.TOUR_FIRST}))
    tour = make_candidate("tour", tour_ok=True)
    plain = make_candidate("plain")
    assert ranked_ids(client, [plain, tour]) == ["tour", "plain"]


def test_same_gender_group_meets_the_preference() -> None:
    client = make_client(preferences=frozenset({Preference.SAME_GENDER_ONLY}))
    women = make_candidate("women", gender_only=Gender.FEMALE)
    proposals = rank(client, [make_candidate("mixed"), women], VOCAB)
    assert proposals[0].candidate_id == "women"
    assert "女性のみの会" in proposals[0].reasons


def test_declined_in_an_earlier_season_is_demoted_not_dropped() -> None:
    client = make_client(declined_candidate_ids=frozenset({"a"}))
    proposals = rank(client, [make_candidate("a"), make_candidate("b")], VOCAB)
    assert [p.candidate_id for p in proposals] == ["b", "a"]
    demoted = proposals[0].score * DEFAULT_WEIGHTS.declined_factor
    assert proposals[1].score == pytest.approx(demoted, abs=1e-6)
    assert "以前の季節に見送りあり（順位を下げています）" in proposals[1].reasons


def test_default_scores_stay_within_zero_and_one() -> None:
    client, candidates = _random_case(random.Random(7))
    assert all(0 <= p.score <= 1 for p in rank(client, candidates, VOCAB))


# --- order -----------------------------------------------------------------------------------


def test_ties_are_broken_by_id_and_runs_repeat() -> None:
    candidates = [make_candidate(i) for i in ["c", "a", "d", "b"]]
    assert ranked_ids(make_client(), candidates) == ["a", "b", "c", "d"]
    assert ranked_ids(make_client(), candidates, top=2) == ["a", "b"]
    random.Random(3).shuffle(candidates)
    assert ranked_ids(make_client(), candidates, top=3) == ["a", "b", "c"]


@pytest.mark.parametrize("seed", range(5))
def test_proposals_are_sorted_by_score_then_id(seed: int) -> None:
    client, candidates = _random_case(random.Random(seed))
    proposals = rank(client, candidates, VOCAB)
    keys = [(-p.score, p.candidate_id) for p in proposals]
    assert keys == sorted(keys)
    assert rank(client, candidates, VOCAB, top=5) == proposals[:5]


def test_index_is_reused_across_clients() -> None:
    index = CandidateIndex([make_candidate("a"), make_candidate("b")], VOCAB)
    assert rank(make_client(), index, VOCAB) == rank(make_client(), list(index.candidates), VOCAB)
    with pytest.raises(ValueError, match="another vocabulary"):
        rank(make_client(), index, Vocabulary(VOCAB.terms.values()))


# --- inputs ------------------------------------------------------------------------------------


def test_unknown_terms_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown term ids"):
        rank(make_client(interests=frozenset({999})), [make_candidate()], VOCAB)
    with pytest.raises(ValueError, match="unknown term ids"):
        CandidateIndex([make_candidate(tags=frozenset({999}))], VOCAB)


def test_bad_slots_are_refused() -> None:
    with pytest.raises(ValueError):
        rank(make_client(availability=frozenset({(7, Band.MORNING)})), [make_candidate()], VOCAB)
    with pytest.raises(ValueError):
        CandidateIndex([make_candidate(slots=frozenset({(1, "night")}))], VOCAB)


def test_vocabulary_folds_width_and_kana_variants() -> None:
    assert VOCAB.lookup("ｻﾝｼﾝ") == SANSHIN
    assert VOCAB.lookup("ゆり栽培") == LILY
    assert VOCAB.lookup("農業") == FARMING  # a synonym of two folded terms: the lower id


def test_vocabulary_refuses_cycles() -> None:
    with pytest.raises(ValueError, match="cycle"):
        Vocabulary([Term(1, "a", INTEREST, 2), Term(2, "b", INTEREST, 1)])
    with pytest.raises(ValueError, match="its own broader term"):
        Vocabulary([Term(1, "a", INTEREST), Term(2, "b", INTEREST, 1, ("a",))])


def test_weights_are_validated() -> None:
    with pytest.raises(ValueError):
        Weights(interest=-1)
    with pytest.raises(ValueError):
        Weights(hierarchy_credit=1.5)
    with pytest.raises(ValueError):
        Weights(half_distance_km=0)


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, matching.engine, matching.assignment; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_each_candidate_term_is_named_once() -> None:
    client = make_client(interests=frozenset({FLOWERS, VEGETABLES}))
    proposal = rank(client, [make_candidate(tags=frozenset({FLOWERS}))], VOCAB)[0]
    assert proposal.reasons[0] == "関心が1つ一致（花き栽培）"
    assert not any(r.startswith("近い関心") for r in proposal.reasons)
