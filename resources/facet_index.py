"""Facet counts and result keys from bitsets, the way search engines count facets.

Counting some forty facet options in SQL re-evaluates the schedule and tag conditions once per
option and listing: hundreds of milliseconds over 40,000 listings. Here each option's listings
are one bitset (a Python int, bit *i* for the *i*-th listing in display order), so a count is
an AND and a popcount, and a page of results is a few bit scans.

An index is built from three queries (listings, current schedule rules, tags) once per base
queryset, page-cache generation and day, and kept in the process. Every publish, unpublish,
move or delete, and every edit of what listings show, replaces the generation
(``resources.caching``); schedule rules expire with the day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import add, or_
from typing import Any

from django.db.models import Case, Expression, Q, QuerySet, Value, When

from tsunagu.text import fold

from .caching import ProcessMemo
from .models import ListingTag, ScheduleRule
from .models.schedules import TIME_BANDS

_BITS_OF_BYTE = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


def _bits(positions: Iterable[int], size: int) -> int:
    """A bitset from positions, through a byte buffer: OR-ing bits into a big int one at a
    time would copy the whole int each time."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


@dataclass(frozen=True)
class FacetIndex:
    """Bitsets over one queryset's rows, in the queryset's order."""

    keys: list[int]
    positions: dict[int, int]
    values: dict[str, dict[Any, int]]
    tags: dict[str, int]
    # Bands per weekday: a rule that day at all (None), or one overlapping each band.
    slots: dict[tuple[int, str | None], int]
    # Each row's name and kana as written, for ranking keyword results by name.
    names: list[tuple[str, str]] = field(default_factory=list)
    _folded: dict[int, tuple[str, str]] = field(default_factory=dict, repr=False)

    @property
    def everything(self) -> int:
        return (1 << len(self.keys)) - 1

    def where(self, field: str, value: Any) -> int:
        """Rows whose ``field`` equals ``value``."""
        return self.values[field].get(value, 0)

    def tagged(self, slug: str) -> int:
        return self.tags.get(slug, 0)

    def among(self, keys: Iterable[int]) -> int:
        """Rows with these primary keys; keys outside the queryset are ignored."""
        positions = self.positions
        return _bits((positions[pk] for pk in keys if pk in positions), len(self.keys))

    def scheduled(self, days: Sequence[int], bands: Sequence[str]) -> int:
        """Held on one of ``days`` in one of ``bands`` by one rule (either may be empty: any)."""
        days = days or range(7)
        wanted: Sequence[str | None] = bands or [None]
        return reduce(or_, (self.slots.get((day, band), 0) for day in days for band in wanted), 0)

    def folded_name(self, pk: int) -> tuple[str, str]:
        """Name and kana folded for comparison (``tsunagu.text.fold``), spaces removed; folded
        on first use, so a rebuild after a publish does not fold 40,000 names."""
        found = self._folded.get(pk)
        if found is None:
            title, kana = self.names[self.positions[pk]]
            found = self._folded[pk] = (fold(title).replace(" ", ""), fold(kana).replace(" ", ""))
        return found

    def ordered(self, bits: int) -> OrderedKeys:
        """The keys of ``bits`` in the queryset's order, without listing them all."""
        return OrderedKeys(self.keys, bits)

    def keys_of(self, bits: int) -> list[int]:
        """Every key of ``bits``, in the queryset's order (a byte at a time: most are empty)."""
        keys, found = self.keys, []
        for offset, byte in enumerate(bits.to_bytes((len(keys) + 7) // 8, "little")):
            if byte:
                found += [keys[offset * 8 + bit] for bit in _BITS_OF_BYTE[byte]]
        return found


class OrderedKeys(Sequence):
    """The keys whose bits are set, sliced by rank: a page is found by counting bits below a
    position (binary search), not by walking the thousands of rows before it."""

    def __init__(self, keys: list[int], bits: int) -> None:
        self.keys = keys
        self.bits = bits
        self.size = bits.bit_count()

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.size)  # pages are contiguous slices
        found: list[int] = []
        if start >= stop:
            return found
        offset = self._position_of(start)
        rest = self.bits >> offset
        while len(found) < stop - start:
            low = (rest & -rest).bit_length() - 1
            found.append(self.keys[offset + low])
            rest >>= low + 1
            offset += low + 1
        return found

    def _position_of(self, rank: int) -> int:
        """The position of the set bit with ``rank`` set bits below it."""
        low, high = 0, len(self.keys)
        while low < high:
            middle = (low + high) // 2
            if (self.bits & ((1 << (middle + 1)) - 1)).bit_count() > rank:
                high = middle
            else:
                low = middle + 1
        return low


def _mask(conditions: Sequence[Q]) -> Expression:
    """One integer per row with bit *i* set when condition *i* holds, computed by the database:
    converting thousands of booleans and times row by row was most of a build."""
    return reduce(
        add,
        (
            Case(When(condition, then=Value(1 << i)), default=Value(0))
            for i, condition in enumerate(conditions)
        ),
    )


def _set_bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def build(
    queryset: QuerySet, fields: Sequence[str], flags: Sequence[str], *, today: dt.date
) -> FacetIndex:
    """Read the queryset's keys, names, ``fields`` and true ``flags``, its current schedule
    rules and its tags."""
    rows = list(
        queryset.select_related(None)
        .prefetch_related(None)
        .values_list("pk", "title", "kana", *fields, _mask([Q(**{flag: True}) for flag in flags]))
    )
    keys = [row[0] for row in rows]
    positions = {pk: i for i, pk in enumerate(keys)}
    size = len(keys)
    values: dict[str, dict[Any, list[int]]] = {name: defaultdict(list) for name in fields}
    true_flags: list[list[int]] = [[] for _ in flags]
    for i, (_pk, _title, _kana, *row, flag_mask) in enumerate(rows):
        for name, value in zip(fields, row, strict=True):
            values[name][value].append(i)
        for flag in _set_bits(flag_mask):
            true_flags[flag].append(i)
    for flag, found in zip(flags, true_flags, strict=True):
        values[flag] = {True: found}
    listing_keys = queryset.order_by().values("pk")
    rules = ScheduleRule.objects.filter(listing__in=listing_keys).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    bands = list(TIME_BANDS)
    in_band = [Q(opens_at__lt=end, closes_at__gt=start) for start, end in TIME_BANDS.values()]
    slots: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    for listing, weekday, band_mask in rules.values_list("listing_id", "weekday", _mask(in_band)):
        position = positions[listing]
        slots[weekday, None].append(position)
        for band in _set_bits(band_mask):
            slots[weekday, bands[band]].append(position)
    tags: dict[str, list[int]] = defaultdict(list)
    for listing, slug in ListingTag.objects.filter(content_object__in=listing_keys).values_list(
        "content_object_id", "tag__slug"
    ):
        tags[slug].append(positions[listing])
    return FacetIndex(
        keys=keys,
        positions=positions,
        values={
            name: {value: _bits(found, size) for value, found in by_value.items()}
            for name, by_value in values.items()
        },
        tags={slug: _bits(found, size) for slug, found in tags.items() if slug},
        slots={slot: _bits(found, size) for slot, found in slots.items()},
        names=[(title, kana) for _pk, title, kana, *_rest in rows],
    )


# One per directory is the usual case; a few more cover previews.
_indexes: ProcessMemo[FacetIndex] = ProcessMemo(kept=4)


def facet_index(
    queryset: QuerySet,
    fields: Sequence[str],
    flags: Sequence[str],
    *,
    today: dt.date,
    scope: str | None = None,
) -> FacetIndex:
    """The index for this queryset as published now, built on first use.

    ``scope`` is a name the caller guarantees stands for this queryset (a directory's pages):
    without one the queryset's SQL identifies it, which costs a compile per request.
    """
    if scope is None:
        sql, params = queryset.query.sql_with_params()
        scope = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return _indexes.get(
        repr((scope, tuple(fields), tuple(flags), today.isoformat())),
        lambda: build(queryset, fields, flags, today=today),
    )
