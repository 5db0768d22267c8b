"""The client page's check-in section (matching's placeholder include) in one query."""

from typing import Any

from django import template

from ..selectors import checkins_by_placement

register = template.Library()


@register.simple_tag
def checkins_for(placements: Any) -> list[tuple[Any, list]]:
    """(placement, its check-ins) for each placement, in one query."""
    placements = list(placements or [])
    grouped = checkins_by_placement(placements)
    return [(p, grouped[p.pk]) for p in placements]
