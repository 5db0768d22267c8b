"""Japanese-style dates and hours for shift listings and emails."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _

from ..models import Shift

register = template.Library()


@register.filter
def shift_when(shift: Shift) -> str:
    """12月3日（木）10:00〜12:00 — the locale's month-day and weekday formats."""
    return _("%(date)s (%(weekday)s) %(start)s–%(end)s") % {
        "date": formats.date_format(shift.date, "MONTH_DAY_FORMAT"),
        "weekday": formats.date_format(shift.date, "D"),
        "start": f"{shift.starts_at:%H:%M}",
        "end": f"{shift.ends_at:%H:%M}",
    }


@register.filter
def hours(value: Decimal | None) -> str:
    """2 → "2", 1.50 → "1.5": hours without trailing zeros."""
    text = floatformat(value or 0, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text
