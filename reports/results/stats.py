"""Summaries of a histogram: n, mean and median.

The databases share no median function, so each distribution is counted in the database as a
histogram (``GROUP BY`` the value: days, score changes) and summarised here. The answer is
exact, and what is fetched is one row per distinct value, not one per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def _middle(counts: Mapping[float, int], n: int) -> float:
    """The median of a histogram: the middle value, or the mean of the two middle ones."""
    wanted = {(n - 1) // 2, n // 2}  # positions, counting from 0, in sorted order
    found, seen = [], 0
    for value in sorted(counts):
        positions = range(seen, seen + counts[value])
        found += [value for position in wanted if position in positions]
        seen += counts[value]
    return sum(found) / len(found)


@dataclass(frozen=True)
class Stats:
    n: int
    mean: float | None
    median: float | None

    @classmethod
    def of_counts(cls, counts: Mapping[float, int]) -> Stats:
        """From ``{value: how many}``."""
        n = sum(counts.values())
        if not n:
            return cls(0, None, None)
        mean = sum(value * count for value, count in counts.items()) / n
        return cls(n, mean, float(_middle(counts, n)))


@dataclass(frozen=True)
class ScoreBin:
    """The placements whose score changed by ``change``: how many, and their scores summed."""

    change: int
    n: int
    baseline_sum: int
    follow_up_sum: int


@dataclass(frozen=True)
class ScoreChange:
    """A score at the baseline and at one follow-up point, over the placements that have both.

    ``change`` is follow-up minus baseline; ``improved`` counts placements whose score moved the
    good way (down for loneliness, up for life satisfaction).
    """

    point: int
    n: int
    baseline_mean: float | None
    follow_up_mean: float | None
    change: Stats
    improved: int

    @classmethod
    def of_bins(cls, point: int, bins: Iterable[ScoreBin], *, lower_is_better: bool) -> ScoreChange:
        bins = list(bins)
        counts: dict[float, int] = {}
        for b in bins:
            counts[b.change] = counts.get(b.change, 0) + b.n
        n = sum(counts.values())
        better = [b for b in bins if (b.change < 0 if lower_is_better else b.change > 0)]
        return cls(
            point=point,
            n=n,
            baseline_mean=sum(b.baseline_sum for b in bins) / n if n else None,
            follow_up_mean=sum(b.follow_up_sum for b in bins) / n if n else None,
            change=Stats.of_counts(counts),
            improved=sum(b.n for b in better),
        )
