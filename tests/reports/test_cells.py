"""Small-cell suppression, checked against tables suppressed by hand (minimum 3).

The tables go through ``Table.protected``, the one path every export, print version and
meeting paper takes; the lines are what ``reports.cells`` works on.
"""

import pytest

from reports.cells import SUPPRESSED, Line, count_cell, hidden_cells, is_small
from reports.results.tables import COUNT, PLAIN, SHARE, STATISTIC, Column, Row, Table

S = SUPPRESSED


def table(rows, columns=None, *, sums=False):
    """A table of counts from a matrix; the first cell of each row is its label."""
    columns = columns or [Column(f"c{i}") for i in range(len(rows[0]) - 1)]
    return Table("t", "t", "", columns, [Row(r[0], list(r[1:])) for r in rows], sums=sums)


def shown(table_, minimum=3):
    return [row.values for row in table_.protected(minimum).rows]


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (1, S), (2, S), (3, 3), (40, 40)])
def test_zero_is_published_one_and_two_are_hidden(count, expected):
    assert count_cell(count, minimum=3) == expected


def test_minimum_comes_from_the_setting(settings):
    settings.REPORT_MIN_CELL = 5
    assert is_small(4)
    assert count_cell(5) == 5
    settings.REPORT_MIN_CELL = 3
    assert not is_small(4)


def test_table_with_row_and_column_totals():
    # Body          | row sum       Primary: the 1 at (0,0).
    #   1   5   4   |  10           Row 0 has one hidden cell: hide its smallest non-zero
    #   6   7   8   |  21             visible part, the 4 at (0,2).
    # ------------------            Column 0 has one hidden: hide 6 (1,0).
    #   7  12  12   |  31           Column 2 has one hidden (the 4): hide 8 (1,2).
    # Second pass: row 0 hides 1+4 = 5 ≥ 3, row 1 hides 6+8 = 14, columns likewise: safe.
    # The 1 is now anywhere in 0..5 (a+c=5, a+d=7, d+f=14, c+f=12 have one free unknown).
    columns = [Column("a"), Column("b"), Column("c"), Column("sum", COUNT, (0, 1, 2))]
    rows = [("x", 1, 5, 4, 10), ("y", 6, 7, 8, 21), ("total", 7, 12, 12, 31)]
    assert shown(table(rows, columns, sums=True)) == [[S, 5, S, 10], [S, 7, S, 21], [7, 12, 12, 31]]


def test_hidden_parts_that_sum_below_the_minimum_hide_one_more():
    # 1 and 1 are hidden, but with the total 12 published they add up to 12 − 10 = 2: both
    # known to be small. The next smallest non-zero part, 10, is hidden too.
    columns = [Column("a"), Column("b"), Column("c"), Column("sum", COUNT, (0, 1, 2))]
    assert shown(table([("x", 1, 1, 10, 12)], columns)) == [[S, S, S, 12]]


def test_zeros_are_never_chosen_for_secondary_suppression():
    # Row x = 1 0 | 1: the 1 and its total are both primary, the row is safe.
    # Total row = 1 4 | 5 has one hidden cell: the 4 of column b goes.
    # Column b = 0 4 | (4 hidden): the only non-zero visible part, y's 4, goes.
    # Row-sum column = 1 4 | 5 has one hidden: y's sum 4 goes. The zeros stay published.
    columns = [Column("a"), Column("b"), Column("sum", COUNT, (0, 1))]
    rows = [("x", 1, 0, 1), ("y", 0, 4, 4), ("total", 1, 4, 5)]
    assert shown(table(rows, columns, sums=True)) == [[S, 0, S], [0, S, S], [S, S, 5]]


def test_total_is_hidden_when_no_part_is_left():
    # Line A: a=4, b=0 | T=4.  Line B: a=4, c=1 | U=5.
    # Primary: c.  A: nothing hidden yet.  B: only c hidden → hide a (4).
    # Next pass, A: only a hidden and b is 0 → hide the total T.  B: a+c = 5 ≥ 3, safe.
    counts = {"a": 4, "b": 0, "T": 4, "c": 1, "U": 5}
    lines = [Line(["a", "b"], "T"), Line(["a", "c"], "U")]
    assert hidden_cells(counts, lines, minimum=3) == {"c", "a", "T"}


def test_table_without_small_cells_is_unchanged():
    rows = [("x", 3, 4), ("y", 5, 0), ("total", 8, 4)]
    assert shown(table(rows, sums=True)) == [[3, 4], [5, 0], [8, 4]]


def test_rows_that_are_not_a_partition_get_primary_suppression_only():
    # Support fields: a client in two fields is in two rows, so the total is no sum.
    rows = [("x", 1, 9), ("y", 4, 2), ("total", 4, 10)]
    assert shown(table(rows, sums=False)) == [[S, 9], [4, S], [4, 10]]


def test_a_part_whose_rest_is_small_is_hidden_with_its_share():
    # reached | retained (part of reached) | %
    # 10 | 9 | 90.0 → the rest is 1 person: 9 is hidden, and so is the 90 %
    # 10 | 5 | 50.0 → rest 5: shown · 10 | 10 | 100.0 → rest 0: shown · 2 | 2 → both small
    columns = [Column("reached"), Column("retained", part_of=0), Column("%", SHARE, (1, 0))]
    rows = [("a", 10, 9, 90.0), ("b", 10, 5, 50.0), ("c", 10, 10, 100.0), ("d", 2, 2, 100.0)]
    assert shown(table(rows, columns)) == [
        [10, S, S],
        [10, 5, 50.0],
        [10, 10, 100.0],
        [S, S, S],
    ]


def test_a_statistic_is_hidden_with_the_count_it_is_over():
    # n | mean: n = 2 is primary; in a partition with a total, x's n (2) forces the next
    # smallest, y's 3, to be hidden too (the total 9 would give it away), and its mean with it.
    columns = [Column("n"), Column("mean", STATISTIC, (0,)), Column("hours", PLAIN)]
    rows = [("x", 2, 4.5, 1), ("y", 3, 6.0, 2), ("z", 4, 1.0, 3), ("total", 9, 3.5, 6)]
    assert shown(table(rows, columns, sums=True)) == [
        [S, S, 1],
        [S, S, 2],
        [4, 1.0, 3],
        [9, 3.5, 6],
    ]
