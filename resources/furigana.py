"""Furigana on demand: the readings of a page's text, asked for by the page's script.

Why not in the HTML: most residents never turn furigana on, and every anonymous page is cached
as one copy for everyone (resources/caching.py). So pages stay exactly as they are, and only a
resident who turns furigana on makes the script send the page's kanji-bearing text here and put
the answer in as <ruby>. The answer depends only on the text and the town's readings, both
fixed within a cache generation, so it is memoised per process by (generation, text).
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tsunagu.text import has_kanji, ruby_segments
from tsunagu.throttle import TOO_MANY_REQUESTS, allow_request

from . import caching
from .models import Area, PlaceNameReading
from .models.readings import reading_of

# One page's text in one request; more is not a page a resident is reading.
MAX_TEXTS = 600
MAX_CHARS = 30_000


def town_readings() -> dict[str, str]:
    """Written form → hiragana: district names with their kana, then the town's reading list
    (which wins where both name the same word). Cached until anything published changes."""

    def build() -> dict[str, str]:
        readings = {
            area.name: reading_of(area.kana)
            for area in Area.objects.exclude(kana="").only("name", "kana")
            if has_kanji(area.name)
        }
        readings.update(PlaceNameReading.objects.values_list("written", "reading"))
        return readings

    return cache.get_or_set(
        f"resources:readings:{caching.generation()}", build, caching.SERVER_SECONDS
    )


@lru_cache(maxsize=8192)
def _ruby(text: str, generation: str) -> tuple[tuple[str, str], ...]:
    return tuple(ruby_segments(text, town_readings()))


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@csrf_exempt  # it changes nothing and reads nothing private: a cached page has no CSRF token
@require_POST
def ruby(request: HttpRequest) -> JsonResponse:
    """``{"texts": [...]}`` → ``{"ruby": [[[written, reading], ...], ...]}``, in the same order.

    Throttled per address: each request runs the analyser over up to a page of text, which
    nobody reading pages needs more than a few times a minute.
    """
    if not allow_request(
        request, scope="furigana", limit=settings.FURIGANA_REQUESTS_PER_MINUTE, seconds=60
    ):
        message = _("Too many requests for furigana. Please wait a minute and try again.")
        return JsonResponse({"error": message}, status=TOO_MANY_REQUESTS)
    try:
        texts = json.loads(request.body).get("texts")
    except (ValueError, AttributeError):
        texts = None
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        return _bad_request(_("Send the texts as a JSON list."))
    if len(texts) > MAX_TEXTS or sum(map(len, texts)) > MAX_CHARS:
        return _bad_request(_("Too much text at once."))
    generation = caching.generation()
    return JsonResponse({"ruby": [_ruby(text, generation) for text in texts]})
