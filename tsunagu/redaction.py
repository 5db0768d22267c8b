"""Secret segments of URL paths, kept out of every log line.

The links in emails to host places, volunteers, invitees and listing operators work without a
login, so whoever reads a log that holds one could use it. gunicorn's access log
(``tsunagu.gunicorn_conf``) and Django's own loggers (``LOGGING``: "Internal Server Error: <path>")
both pass their text through ``redact``.
"""

import logging
import re

# The URL patterns whose segments are secrets, as regexes over a path (or a whole URL, for the
# Referer). tests/tsunagu/test_gunicorn_conf.py walks the URL conf and fails for any route with a
# ``token`` or ``uidb64`` argument these do not cover, so a new emailed link cannot be missed.
# A segment is anything up to the next "/", "?" or "#"; the groups are what gets replaced.
_SEGMENT = r"[^/?#\s]+"
SECRET_PATHS = re.compile(
    "|".join(
        (
            rf"/matching/respond/(?P<proposal>{_SEGMENT})",
            rf"/followups/host/(?P<checkin>{_SEGMENT})",
            rf"/volunteers/(?:link|confirm|cancel|hours)/(?!sent(?:/|$))(?P<volunteer>{_SEGMENT})",
            r"/volunteers/calendar/(?P<calendar>[^/?#\s]+?)(?=\.ics)",
            rf"/verification/confirm/{_SEGMENT}/\d+/(?P<listing>{_SEGMENT})",
            rf"/community/invite/(?!done(?:/|$))(?P<invite_uid>{_SEGMENT})/(?P<invite>{_SEGMENT})",
            rf"/admin/password_reset/confirm/(?P<reset_uid>{_SEGMENT})/(?P<reset>{_SEGMENT})",
        )
    )
)
REDACTED = "…"


def redact(text: str) -> str:
    """``text`` with every secret path segment in it replaced by ``…``."""

    def replace(match: re.Match) -> str:
        found = match.group(0)
        start = match.start(0)
        # Replace the named groups from the right, so earlier offsets stay valid.
        spans = sorted((match.span(name) for name, value in match.groupdict().items() if value))
        for group_start, group_end in reversed(spans):
            found = found[: group_start - start] + REDACTED + found[group_end - start :]
        return found

    return SECRET_PATHS.sub(replace, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message (and drops its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
