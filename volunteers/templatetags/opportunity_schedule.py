"""``{{ shifts|shift_schedule }}``: an opportunity's schedule in words, from its shifts."""

from collections.abc import Iterable

from django import template

from ..models import Shift
from ..schedule_text import schedule_lines

register = template.Library()


@register.filter
def shift_schedule(shifts: Iterable[Shift]) -> list[str]:
    return schedule_lines(shifts)
