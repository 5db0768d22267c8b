"""Which of the Wagtail admin's inline scripts may run under our Content-Security-Policy.

Wagtail 8 still starts some widgets with an inline ``<script>`` written by its own Python and
templates (date pickers, choosers, inline panels), without a nonce and out of reach of the
request. Rather than ``'unsafe-inline'``, which would also let any injected markup run, the admin's
HTML gets the request's nonce on exactly those scripts whose whole body is one call of a known
Wagtail initialiser with JSON arguments: data can reach them, code cannot.
"""

import json
import re

# The initialisers Wagtail 8 writes inline, with how many JSON arguments each takes.
_CALLS = {
    "initDateChooser": 2,
    "initTimeChooser": 2,
    "initDateTimeChooser": 2,
    "createTaskChooser": 1,
    "new Chooser": 2,
    "new PageChooser": 2,
    "new ImageChooser": 2,
    "new DocumentChooser": 2,
    "new SnippetChooser": 2,
}
_CALL = re.compile(r"(?P<callee>(?:new )?[A-Za-z]+)\((?P<arguments>.*)\);", re.DOTALL)
# wagtailadmin/panels/inline_panel.html and multiple_chooser_panel.html (whitespace collapsed).
_PANEL = re.compile(
    r"\(function\(\) \{ var panel = new (?:InlinePanel|MultipleChooserPanel)"
    r'\(JSON\.parse\((?P<literal>".*")\)\); \}\)\(\);',
    re.DOTALL,
)
_BARE_INLINE_SCRIPT = re.compile(r"<script>(?P<body>.*?)</script>", re.DOTALL)


def _json_values(text: str) -> int | None:
    """How many comma-separated JSON values ``text`` is, or None if it is anything else."""
    decoder = json.JSONDecoder()
    position, count = 0, 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        try:
            _, position = decoder.raw_decode(text, position)
        except ValueError:
            return None
        count += 1
        rest = text[position:].lstrip()
        if not rest:
            return count
        if not rest.startswith(","):
            return None
        position = len(text) - len(rest) + 1


def is_wagtail_initialiser(body: str) -> bool:
    """True for the body of an inline script that only starts a Wagtail widget with data."""
    code = " ".join(body.split())
    panel = _PANEL.fullmatch(code)
    if panel:
        try:
            json.loads(json.loads(panel["literal"]))
        except (TypeError, ValueError):
            return False
        return True
    call = _CALL.fullmatch(code)
    return bool(call) and _CALLS.get(call["callee"]) == _json_values(call["arguments"])


def add_nonce_to_wagtail_initialisers(html: str, nonce: str) -> str:
    """``html`` with ``nonce`` on each bare inline script that is a Wagtail initialiser."""

    def stamp(match: re.Match) -> str:
        if is_wagtail_initialiser(match["body"]):
            return f'<script nonce="{nonce}">{match["body"]}</script>'
        return match.group(0)

    return _BARE_INLINE_SCRIPT.sub(stamp, html)
