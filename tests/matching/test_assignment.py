"""Batch assignment: optimal against brute force, capacity kept, pruning exact where it must be."""

import dataclasses
import itertools
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from matching.assignment import assign, solve
from matching.engine import (
    Band,
    Candidate,
    CandidateIndex,
    CandidateKind,
    ClientProfile,
    Term,
    TermKind,
    Vocabulary,
    rank,
)

Options = Sequence[Mapping[int, float]]
Capacities = Sequence[int | None]


def brute_force(options: Options, capacities: Capacities) -> float:
    """Best total by trying every plan (each client: one of its options or nothing)."""
    best = 0.0
    for plan in itertools.product(*[[None, *opts] for opts in options]):
        used = Counter(j for j in plan if j is not None)
        if all(capacities[j] is None or n <= capacities[j] for j, n in used.items()):
            best = max(best, sum(options[i][j] for i, j in enumerate(plan) if j is not None))
    return best


def greedy(options: Options, capacities: Capacities) -> float:
    """Highest pair first: what a hand-written heuristic would do."""
    left = list(capacities)
    placed: set[int] = set()
    total = 0.0
    pairs = sorted(
        ((s, i, j) for i, opts in enumerate(options) for j, s in opts.items()), reverse=True
    )
    for score, i, j in pairs:
        if i not in placed and (left[j] is None or left[j] > 0):
            placed.add(i)
            total += score
            if left[j] is not None:
                left[j] -= 1
    return total


def total(options: Options, plan: list[int | None]) -> float:
    return sum(options[i][j] for i, j in enumerate(plan) if j is not None)


def random_instance(rng: random.Random) -> tuple[list[dict[int, float]], list[int | None]]:
    n_clients, n_candidates = rng.randint(1, 5), rng.randint(1, 4)
    capacities = [rng.choice([None, 0, 1, 1, 2]) for _ in range(n_candidates)]
    options = [
        {j: round(rng.random(), 3) for j in range(n_candidates) if rng.random() < 0.7}
        for _ in range(n_clients)
    ]
    return options, capacities


@pytest.mark.parametrize("seed", range(200))
def test_solve_matches_brute_force(seed: int) -> None:
    options, capacities = random_instance(random.Random(seed))
    plan = solve(options, capacities)
    used = Counter(j for j in plan if j is not None)
    assert all(capacities[j] is None or n <= capacities[j] for j, n in used.items())
    assert all(j is None or j in options[i] for i, j in enumerate(plan))
    assert total(options, plan) == pytest.approx(brute_force(options, capacities))


def test_solve_beats_greedy_where_greedy_is_short_sighted() -> None:
    # Greedy gives the one place of candidate 0 to client 0 (0.9) and leaves client 1 with a
    # poor fit (0.1): 1.0. Swapping them scores 0.8 + 0.85 = 1.65.
    options = [{0: 0.9, 1: 0.8}, {0: 0.85, 1: 0.1}]
    capacities = [1, 1]
    assert greedy(options, capacities) == pytest.approx(1.0)
    plan = solve(options, capacities)
    assert plan == [1, 0]
    assert total(options, plan) == pytest.approx(1.65)


def test_solve_leaves_clients_unplaced_when_places_run_out() -> None:
    options = [{0: 0.5}, {0: 0.7}, {0: 0.6}]
    assert solve(options, [2]) == [None, 0, 0]
    assert solve(options, [0]) == [None, None, None]
    assert solve([{}, {0: 0.4}], [None]) == [None, 0]
    assert solve([], []) == []


def test_solve_skips_pairs_worth_nothing() -> None:
    assert solve([{0: 0.0}], [1]) == [None]


# --- through the engine --------------------------------------------------------------------

INTEREST = TermKind.INTEREST
VOCAB = Vocabulary(
    [
        Term(1, "農作業", INTEREST),
        Term(2, "花き栽培", INTEREST, 1),
        Term(3, "野菜づくり", INTEREST, 1),
        Term(4, "三線", INTEREST),
        Term(5, "料理", INTEREST),
    ]
)
DAYS = [(d, b) for d in range(5) for b in (Band.MORNING, Band.AFTERNOON)]
HOME = (27.392, 128.655)


def engine_instance(
    rng: random.Random, n_clients: int, n_candidates: int
) -> tuple[list[ClientProfile], list[Candidate]]:
    def near() -> tuple[float, float]:
        return (HOME[0] + rng.uniform(-0.03, 0.03), HOME[1] + rng.uniform(-0.03, 0.03))

    clients = [
        ClientProfile(
            id=i,
            interests=frozenset(rng.sample(range(1, 6), rng.randint(1, 2))),
            availability=frozenset(rng.sample(DAYS, 4)),
            location=near(),
            max_distance_km=3.0,
        )
        for i in range(n_clients)
    ]
    candidates = [
        Candidate(
            id=f"c{j}",
            kind=CandidateKind.ACTIVITY,
            title="",
            tags=frozenset(rng.sample(range(1, 6), rng.randint(1, 2))),
            slots=frozenset(rng.sample(DAYS, 3)),
            location=near(),
            capacity_left=rng.choice([1, 1, 2]),
        )
        for j in range(n_candidates)
    ]
    return clients, candidates


def exact_options(
    clients: list[ClientProfile], index: CandidateIndex
) -> tuple[list[dict[int, float]], list[int | None]]:
    options = [
        {index.position[p.candidate_id]: p.score for p in rank(c, index, VOCAB)} for c in clients
    ]
    return options, [c.capacity_left for c in index.candidates]


@pytest.mark.parametrize("seed", range(25))
def test_pruning_is_exact_when_k_is_at_least_the_number_of_clients(seed: int) -> None:
    clients, candidates = engine_instance(random.Random(seed), n_clients=4, n_candidates=6)
    index = CandidateIndex(candidates, VOCAB)
    optimum = brute_force(*exact_options(clients, index))
    result = assign(clients, index, VOCAB, k=len(clients))
    assert result.total_score == pytest.approx(optimum, abs=1e-5)


@pytest.mark.parametrize("seed", range(25))
def test_widening_makes_even_k_1_exact(seed: int) -> None:
    clients, candidates = engine_instance(random.Random(seed), n_clients=5, n_candidates=6)
    index = CandidateIndex(candidates, VOCAB)
    optimum = brute_force(*exact_options(clients, index))
    assert assign(clients, index, VOCAB, k=1).total_score == pytest.approx(optimum, abs=1e-5)


def test_plain_top_k_pruning_would_lose_where_assign_does_not() -> None:
    # Many clients, few places: everyone's first choice is the same few candidates. Solving on
    # the top-1 pairs alone leaves clients unplaced; assign widens their lists instead.
    losses = 0
    for seed in range(20):
        clients, candidates = engine_instance(random.Random(seed), n_clients=12, n_candidates=8)
        index = CandidateIndex(candidates, VOCAB)
        options, capacities = exact_options(clients, index)
        exact = assign(clients, index, VOCAB, k=len(candidates)).total_score
        top1 = [dict(sorted(o.items(), key=lambda kv: (-kv[1], kv[0]))[:1]) for o in options]
        naive = total(top1, solve(top1, capacities))
        assert assign(clients, index, VOCAB, k=1).total_score == pytest.approx(exact)
        losses += naive < exact - 1e-6
    assert losses > 0


def test_assignment_keeps_capacity_and_explains_each_placement() -> None:
    clients, candidates = engine_instance(random.Random(1), n_clients=40, n_candidates=10)
    result = assign(clients, candidates, VOCAB, k=5)
    used = Counter(p.candidate_id for p in result.placements.values())
    capacity = {c.id: c.capacity_left for c in candidates}
    assert all(n <= capacity[cid] for cid, n in used.items())
    assert sum(capacity.values()) >= len(result.placements) > 0
    assert set(result.placements) | set(result.unassigned) == {c.id for c in clients}
    assert result.total_score == pytest.approx(sum(p.score for p in result.placements.values()))
    assert all(p.reasons for p in result.placements.values())


def test_assignment_beats_greedy_through_the_engine() -> None:
    # Ann lives at the flower farm and likes flowers and vegetables; Ben likes only flowers and
    # lives 3 km away. One place each. Greedy gives the farm to Ann (the best pair) and Ben
    # gets the vegetable plot he barely fits; the optimum swaps them.
    farm = Candidate("farm", CandidateKind.ACTIVITY, "", frozenset({2, 3}), location=HOME)
    plot = Candidate("plot", CandidateKind.ACTIVITY, "", frozenset({3}))
    ann = ClientProfile(id=1, interests=frozenset({2, 3}), location=HOME, has_transport=True)
    ben = dataclasses.replace(
        ann, id=2, interests=frozenset({2}), location=(HOME[0] + 0.027, HOME[1])
    )
    candidates = [dataclasses.replace(c, capacity_left=1) for c in (farm, plot)]
    index = CandidateIndex(candidates, VOCAB)
    options, capacities = exact_options([ann, ben], index)
    result = assign([ann, ben], index, VOCAB)
    assert {c: p.candidate_id for c, p in result.placements.items()} == {1: "plot", 2: "farm"}
    assert result.total_score == pytest.approx(brute_force(options, capacities), abs=1e-5)
    assert result.total_score > greedy(options, capacities) + 0.05


def test_assignment_refuses_bad_arguments() -> None:
    clients, candidates = engine_instance(random.Random(0), n_clients=2, n_candidates=2)
    with pytest.raises(ValueError):
        assign(clients, candidates, VOCAB, k=0)
    with pytest.raises(ValueError):
        assign([clients[0], clients[0]], candidates, VOCAB)
