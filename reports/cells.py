"""Small-cell suppression for figures that leave the team, as statistics offices do it.

A count of 1 or 2 people in a town of 5,800 can point at one neighbour. So in every export,
print pack or meeting paper:

- **Primary suppression.** A count of people from 1 to ``REPORT_MIN_CELL`` − 1 becomes ``*``.
  0 is published as 0, as the e-Stat tables and the ONS do: "nobody" identifies nobody, and
  hiding zeros would hide most of a small town's table for no protection.
- **Secondary suppression.** A hidden cell must not be recoverable from a published total. The
  cells of a table that add up are declared as *lines* (parts and their total). A line is unsafe
  when exactly one of its cells is hidden (it is the total minus the rest), or when its total is
  published and its hidden parts together count fewer than the minimum (then every hidden part
  is known to be small). A non-zero visible part is hidden next — or the total when no part is
  left — and the lines are checked again until all are safe, since hiding a cell for a row can
  open its column. This is the line-by-line heuristic, not an optimal (τ-ARGUS) solution.
- **Statistics.** A mean, median or rate is hidden with the count of people it is over; a
  part of a whole (retained of reached) is the line "part + rest = whole", so 9 of 10 hides the
  9 and the 90 % (it tells that one person left). ``reports.results.tables`` declares these
  lines for each kind of column.

Totals that are not sums (a client with two support fields counts in both) form no line:
their cells get primary suppression only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

SUPPRESSED = "*"

K = TypeVar("K", bound=Hashable)


def minimum_cell() -> int:
    """The smallest count of people published (``settings.REPORT_MIN_CELL``)."""
    return int(settings.REPORT_MIN_CELL)


def is_small(count: int, minimum: int | None = None) -> bool:
    """A count that would point at one or two people: hidden, while 0 is published."""
    return 0 < count < (minimum_cell() if minimum is None else minimum)


def count_cell(count: int, minimum: int | None = None) -> int | str:
    """One count on its own (primary suppression only)."""
    return SUPPRESSED if is_small(count, minimum) else count


@dataclass(frozen=True)
class Line(Generic[K]):
    """Cells that add up: ``sum(parts) == total``."""

    parts: Sequence[K]
    total: K


def hidden_cells(
    counts: Mapping[K, int], lines: Iterable[Line[K]], minimum: int | None = None
) -> frozenset[K]:
    """The keys of every cell to show as ``*``: primary and secondary suppression.

    One cell is hidden at a time, until every line is safe: of the cells that would make an
    unsafe line safer, the one that helps the most lines, then the smallest (which gives away
    the least), then the first.
    """
    minimum = minimum_cell() if minimum is None else minimum
    lines = list(lines)
    hidden = {key for key, count in counts.items() if is_small(count, minimum)}
    while True:
        wanted: dict[K, int] = {}
        for line in lines:
            for key in _candidates(counts, line, hidden, minimum):
                wanted[key] = wanted.get(key, 0) + 1
        if not wanted:
            return frozenset(hidden)
        hidden.add(min(wanted, key=lambda key: (-wanted[key], counts[key])))


def _candidates(counts: Mapping[K, int], line: Line[K], hidden: set[K], minimum: int) -> list[K]:
    """The cells that could make this line safe (none when it is safe already)."""
    hidden_parts = [key for key in line.parts if key in hidden]
    total_hidden = line.total in hidden
    recoverable = len(hidden_parts) + total_hidden == 1
    all_small = not total_hidden and 0 < sum(counts[key] for key in hidden_parts) < minimum
    if not (recoverable or all_small):
        return []
    parts = [key for key in line.parts if key not in hidden and counts[key] > 0]
    return parts or ([] if total_hidden else [line.total])
