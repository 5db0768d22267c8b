"""Conditional GET for feeds and data that other software polls: ETag + Last-Modified, 304s.

Per view, not a middleware: the view knows when its data last changed (Last-Modified), and the
ETag is the body's hash, so a cache in front (which keeps these headers) and the view agree.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date


def conditional(
    request: HttpRequest, response: HttpResponse, *, last_modified: dt.datetime | None
) -> HttpResponse:
    """``response`` with ETag and Last-Modified set, or a 304 when the client already has it.

    If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2), so a change that leaves no
    newer timestamp (an event unpublished) is still seen by clients that send the ETag.
    """
    if response.status_code != 200:
        return response
    set_response_etag(response)
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=timestamp, response=response
    )
