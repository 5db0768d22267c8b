"""The directory's facet checkboxes, written in Python.

A result page shows some eighty options, each with its count; laid out by the template
language they were half of the page's rendering time (a lookup, an escape and a translation per
value). The markup is the one the template had.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..filters import Facet

register = template.Library()

CHECKED = mark_safe(" checked")


@register.simple_tag
def facet_fieldsets(facets: list[Facet]) -> SafeString:
    """A fieldset per facet group with options; ids stay unique across the tag groups."""
    count_text = gettext("(%(n)s)")
    fieldsets = []
    for facet in facets:
        if not facet.options:
            continue
        options = format_html_join(
            "\n",
            '<div class="facet__option"><input type="checkbox" name="{}" value="{}" id="{}"{}>'
            '<label for="{}">{} <span class="facet__count">{}</span></label></div>',
            (
                (
                    facet.name,
                    option.value,
                    f"f-{facet.name}-{number}",
                    CHECKED if option.checked else "",
                    f"f-{facet.name}-{number}",
                    option.label,
                    count_text % {"n": option.count},
                )
                for number, option in enumerate(facet.options, start=facet.offset + 1)
            ),
        )
        legend = format_html('<legend class="facet__legend">{}</legend>', facet.legend)
        fieldsets.append(
            format_html('<fieldset class="facet">\n{}\n{}\n</fieldset>', legend, options)
        )
    return mark_safe("\n".join(fieldsets))
