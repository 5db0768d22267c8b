"""The Japanese catalogues agree with each other.

Django merges every app's catalogue into one, so a msgid translated two ways shows one of them
depending on INSTALLED_APPS order: an app's test passes alone and fails beside another app, and
a word meant for one screen ("Address": a network address) appears on another (a street address).
"""

import gettext
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/ja/LC_MESSAGES/django.mo"))

# Older conflicts, each harmless where it shows (same meaning, other wording); to be unified, not
# added to. A new msgid here needs its own wording or a pgettext context instead.
KNOWN = {
    ", ",
    "The sign-up is no longer on record.",
    "Cancelled",
    "Check-ins are scheduled when a placement becomes active.",
    "Questions:",
    "Record",
    "Thank you for your answer. The coordinator has been told.",
    "To the organisers of %(title)s",
    "kind",
    "new status",
    "notes",
    "started on",
    "created",
    "name",
    "sent",
    "verification",
}


def _messages(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    return {msgid: text for msgid, text in catalogue.items() if isinstance(msgid, str) and msgid}


def test_every_app_with_a_catalogue_is_read():
    assert {path.parents[3].name for path in CATALOGUES} >= {"accounts", "matching", "resources"}


def test_a_message_is_translated_the_same_way_in_every_app():
    translations: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in CATALOGUES:
        for msgid, text in _messages(path).items():
            translations[msgid][text].append(path.parents[3].name)
    conflicts = {
        msgid: dict(seen)
        for msgid, seen in translations.items()
        if len(seen) > 1 and msgid not in KNOWN
    }
    assert conflicts == {}
