"""Mean and median from histograms (what the database counts), against hand-computed answers."""

import pytest

from reports.results.stats import ScoreBin, ScoreChange, Stats


@pytest.mark.parametrize(
    ("counts", "n", "mean", "median"),
    [
        ({}, 0, None, None),
        ({5: 4}, 4, 5.0, 5.0),
        # 1, 2, 10 → mean 13/3, median the middle one
        ({1: 1, 2: 1, 10: 1}, 3, 13 / 3, 2.0),
        # 1, 1, 3, 3 → median between the two middle values
        ({3: 2, 1: 2}, 4, 2.0, 2.0),
        # 2.0, 4.5, 1.0 days → 1.0, 2.0, 4.5
        ({2.0: 1, 4.5: 1, 1.0: 1}, 3, 2.5, 2.0),
        # −2 ×3, 0, 7 → sorted −2, −2, −2, 0, 7: median −2, mean 1/5
        ({-2: 3, 0: 1, 7: 1}, 5, 0.2, -2.0),
    ],
)
def test_stats_of_a_histogram(counts, n, mean, median):
    stats = Stats.of_counts(counts)
    assert stats.n == n
    assert stats.mean == pytest.approx(mean) if mean is not None else stats.mean is None
    assert stats.median == median


def test_score_change_from_bins():
    # Loneliness: 9 → 7 and 11 → 12 (one bin each), two placements 10 → 10
    bins = [ScoreBin(-2, 1, 9, 7), ScoreBin(1, 1, 11, 12), ScoreBin(0, 2, 20, 20)]
    change = ScoreChange.of_bins(14, bins, lower_is_better=True)
    # n 4; baseline (9 + 11 + 20) / 4 = 10; follow-up (7 + 12 + 20) / 4 = 9.75
    # changes −2, 0, 0, 1 → mean −0.25, median 0; improved (went down) 1
    assert (change.n, change.baseline_mean, change.follow_up_mean) == (4, 10.0, 9.75)
    assert (change.change.mean, change.change.median, change.improved) == (-0.25, 0.0, 1)
    assert ScoreChange.of_bins(14, bins, lower_is_better=False).improved == 1  # the +1


def test_score_change_of_nobody():
    change = ScoreChange.of_bins(182, [], lower_is_better=True)
    assert (change.n, change.baseline_mean, change.change.median, change.improved) == (
        0,
        None,
        None,
        0,
    )
