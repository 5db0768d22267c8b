"""The one gate for what the public types into a search box: the directory, the calendar's
filters and the HSDS API's ``search`` all pass through ``clean_search``.

Why caps: a query becomes an AND (one per Sudachi token) of ORs (its written forms and
readings) in the search backend, and the backends' query builders recurse per token: SQLite's
FTS5 parser overflows at about 90 tokens, Python's recursion limit is reached a little later,
and a thousand words took seconds on PostgreSQL. Residents see two caps, ``MAX_SEARCH_CHARS``
characters and ``MAX_SEARCH_WORDS`` space-separated words; ``MAX_SEARCH_TERMS`` tokens guards
the backends against a short text that splits into many tokens (Sudachi cuts unknown kana and
mixed scripts into pieces), at a third of the point where FTS5 fails. Real queries ("子ども食堂
和泊", "こども しょくどう" = 3 tokens) are far below all three; within them a search takes
milliseconds.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tsunagu.text import normalize, query_terms, single_line

MAX_SEARCH_CHARS = 100
MAX_SEARCH_WORDS = 10
MAX_SEARCH_TERMS = 30


def clean_search(raw: str) -> str:
    """The query as searched (normalised, one line), or ValidationError with a Japanese message."""
    query = normalize(single_line(raw))
    if len(query) > MAX_SEARCH_CHARS:
        raise ValidationError(
            _("Please shorten the keywords to %(max)d characters or fewer (now %(count)d).")
            % {"max": MAX_SEARCH_CHARS, "count": len(query)},
            code="search_too_long",
        )
    words = len(query.split())
    if words > MAX_SEARCH_WORDS:
        raise ValidationError(
            _("Please use %(max)d keywords or fewer (now %(count)d).")
            % {"max": MAX_SEARCH_WORDS, "count": words},
            code="search_too_many_words",
        )
    if len(query_terms(query)) > MAX_SEARCH_TERMS:
        raise ValidationError(
            _("These keywords are too complicated to search. Please use shorter, simpler words."),
            code="search_too_many_terms",
        )
    return query


class SearchQueryField(forms.CharField):
    """A keyword box: the browser stops typing at the cap, the server refuses anything beyond."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": str(MAX_SEARCH_CHARS)}

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_search(value) if value else value
