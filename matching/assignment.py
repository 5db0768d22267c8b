"""Batch mode: place many waiting clients at once, under capacity, maximising the total score.

The problem is a maximum-weight bipartite matching. Each candidate becomes as many identical
*place* columns as it has places left; each client also gets a private "not placed" column of
score 0, so leaving someone unplaced is always possible and a full matching always exists. It is
solved exactly by scipy's sparse Jonker–Volgenant (`min_weight_full_bipartite_matching`) on
costs `M - score` (M above every score, so no cost is zero, as scipy requires).

Pruning. 1,000 clients × 10,000 candidates is too big as a dense matrix, so each client starts
with only its top-k feasible candidates (`engine.shortlist`), and the sparse problem on those
pairs is solved. The plan is then checked: it is optimal for the *whole* problem if every
client whose list was cut has at least one candidate on its list with a place still free.
Why: by LP duality (the capacitated assignment LP is integral), take optimal duals u (clients)
and v ≥ 0 (candidates) of the pruned problem; a candidate with a free place has v = 0, so
u_i ≥ score(i, j') for that j' on i's list, and every cut-off candidate j scores at most
score(i, j') ≤ u_i ≤ u_i + v_j — the duals stay feasible with the cut-off pairs added, so
no plan using them scores more. Clients that fail the check (every candidate on their list
full) get a list WIDEN times longer and the problem is solved again, until the check holds
or the lists hold every feasible candidate. So the result is always the exact optimum; k
only sets where the search starts, and a round costs re-scoring the clients that competed
for full candidates. The check is sufficient, not necessary: a round may widen lists that
did not need it, which costs time but never changes the optimum.

Columns are kept small too: a candidate wanted by no more clients than it has places gets one
private column per interested client (no competition, so sharing is unnecessary); otherwise it
gets `capacity` shared columns. The edge count is at most Σ demand × min(capacity, demand).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .engine import (
    DEFAULT_WEIGHTS,
    Candidate,
    CandidateIndex,
    ClientProfile,
    Proposal,
    Shortlist,
    Vocabulary,
    Weights,
    candidate_index,
    shortlist,
)

DEFAULT_K = 20
WIDEN = 4  # how much a cut-short shortlist grows per round


@dataclass(frozen=True, slots=True)
class Assignment:
    """The plan: each placed client's proposal (with reasons), the unplaced, the total."""

    placements: Mapping[int, Proposal]
    unassigned: tuple[int, ...]
    total_score: float


def solve(
    options: Sequence[Mapping[int, float]], capacities: Sequence[int | None]
) -> list[int | None]:
    """The plan maximising the total score: per client, a candidate position or None.

    options[i] maps candidate positions to client i's score for them (its allowed pairs; a
    pair missing here is forbidden). capacities[j] is candidate j's places left, None for no
    limit. A pair scoring 0 or less is never worth a place, so it is left out.
    """
    if not options:
        return []
    demand = Counter(j for opts in options for j, s in opts.items() if s > 0)
    shared: dict[int, range] = {}
    column_candidate: list[int | None] = []
    for j, wanted in sorted(demand.items()):
        places = capacities[j]
        if places is not None and places < wanted:
            shared[j] = range(len(column_candidate), len(column_candidate) + max(places, 0))
            column_candidate += [j] * max(places, 0)

    rows: list[int] = []
    cols: list[int] = []
    scores: list[float] = []
    for i, opts in enumerate(options):
        for j, score in opts.items():
            if score <= 0:
                continue
            if j in shared:
                targets: Sequence[int] = shared[j]
            else:
                targets = [len(column_candidate)]
                column_candidate.append(j)
            rows += [i] * len(targets)
            cols += targets
            scores += [score] * len(targets)
        rows.append(i)  # the client's private "not placed" column
        cols.append(len(column_candidate))
        scores.append(0.0)
        column_candidate.append(None)

    score_array = np.asarray(scores)
    cost = score_array.max() + 1 - score_array
    graph = csr_array((cost, (rows, cols)), shape=(len(options), len(column_candidate)))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    plan: list[int | None] = [None] * len(options)
    for i, col in zip(matched_rows, matched_cols, strict=True):
        plan[i] = column_candidate[col]
    return plan


def assign(
    clients: Sequence[ClientProfile],
    candidates: CandidateIndex | Sequence[Candidate],
    vocab: Vocabulary,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    k: int = DEFAULT_K,
) -> Assignment:
    """Place the clients among the candidates, optimally; k is the first shortlist length."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if len({c.id for c in clients}) != len(clients):
        raise ValueError("duplicate client ids")
    index = candidate_index(candidates, vocab)
    capacities = [c.capacity_left for c in index.candidates]
    lists = [shortlist(client, index, vocab, weights, top=k) for client in clients]
    while True:
        options = [
            dict(zip(sl.positions.tolist(), sl.scores.tolist(), strict=True)) for sl in lists
        ]
        plan = solve(options, capacities)
        if not (short := _cut_short(lists, plan, capacities)):
            break
        for i in short:
            lists[i] = shortlist(clients[i], index, vocab, weights, top=WIDEN * len(lists[i]))

    placements: dict[int, Proposal] = {}
    unassigned = []
    for client, sl, j in zip(clients, lists, plan, strict=True):
        if j is None:
            unassigned.append(client.id)
        else:
            placements[client.id] = sl.proposal(sl.positions.tolist().index(j))
    total = round(float(sum(p.score for p in placements.values())), 6)
    return Assignment(placements, tuple(unassigned), total)


def _cut_short(
    lists: Sequence[Shortlist], plan: Sequence[int | None], capacities: Sequence[int | None]
) -> list[int]:
    """Clients for whom pruning may have cost something: their list was cut and every
    candidate on it is full in the plan. If there are none, the plan is optimal (module doc)."""
    load = Counter(j for j in plan if j is not None)

    def full(j: int) -> bool:
        places = capacities[j]
        return places is not None and load[j] >= places

    return [
        i
        for i, sl in enumerate(lists)
        if not sl.complete and all(full(j) for j in sl.positions.tolist())
    ]
