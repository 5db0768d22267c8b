"""When a volunteer can help: weekday × time band (朝・昼・夕), stored as one 21-bit integer.

One integer keeps "who is free on Wednesday mornings" a single indexed-column bit test on SQLite
and PostgreSQL alike, instead of a join per filtered slot. Weekdays and bands are the directory's
(``resources.models.schedules``), so a volunteer's slots compare directly with a listing's.
"""

from collections.abc import Iterable

from django import forms
from django.db import models
from django.utils.translation import pgettext_lazy

from resources.models.schedules import TIME_BANDS, WEEKDAY_CHOICES

BANDS: tuple[str, ...] = tuple(TIME_BANDS)  # ("morning", "afternoon", "evening")
BAND_LABELS = {
    "morning": pgettext_lazy("time band", "Morning"),
    "afternoon": pgettext_lazy("time band", "Afternoon"),
    "evening": pgettext_lazy("time band", "Evening"),
}
Slot = tuple[int, str]
"""(weekday 0=Monday … 6=Sunday, band "morning" | "afternoon" | "evening")."""

ALL_SLOTS: tuple[Slot, ...] = tuple((day, band) for day, _ in WEEKDAY_CHOICES for band in BANDS)


def slot_code(slot: Slot) -> str:
    return f"{slot[0]}-{slot[1]}"


def slot_bit(slot: Slot) -> int:
    day, band = slot
    return 1 << (day * len(BANDS) + BANDS.index(band))


def slots_to_mask(slots: Iterable[Slot]) -> int:
    mask = 0
    for slot in slots:
        mask |= slot_bit(slot)
    return mask


def mask_to_slots(mask: int) -> list[Slot]:
    return [slot for slot in ALL_SLOTS if mask & slot_bit(slot)]


def codes_to_mask(codes: Iterable[str]) -> int:
    by_code = {slot_code(slot): slot for slot in ALL_SLOTS}
    return slots_to_mask(by_code[code] for code in codes)


def slot_label(slot: Slot) -> str:
    return f"{dict(WEEKDAY_CHOICES)[slot[0]]} {BAND_LABELS[slot[1]]}"


def slot_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices grouped by weekday, for a checkbox grid with one group per day."""
    return [
        (day_label, [(slot_code((day, band)), BAND_LABELS[band]) for band in BANDS])
        for day, day_label in WEEKDAY_CHOICES
    ]


def flat_slot_choices() -> list[tuple[str, str]]:
    """Choices with the weekday in every label, for filters that show them ungrouped."""
    return [(slot_code(slot), slot_label(slot)) for slot in ALL_SLOTS]


class AvailabilityWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in one fieldset per weekday, so a screen reader says 月曜 before 朝."""

    template_name = "volunteers/widgets/availability.html"


class AvailabilityFormField(forms.MultipleChoiceField):
    """Checkboxes in, the integer mask out."""

    widget = AvailabilityWidget

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        super().__init__(choices=slot_choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [slot_code(slot) for slot in mask_to_slots(value)]
        return value

    def clean(self, value) -> int:
        return codes_to_mask(super().clean(value))

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial or 0), data)


class AvailabilityField(models.PositiveIntegerField):
    """A weekday × band bit mask that edits as a checkbox grid everywhere, admin included."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": AvailabilityFormField, **kwargs})
