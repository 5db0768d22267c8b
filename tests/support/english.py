"""English left on a Japanese screen or in a Japanese e-mail: what a reader meets, not markup."""

import re
from collections.abc import Iterable, Iterator

from bs4 import BeautifulSoup
from bs4.element import PreformattedString

# Text that is English by nature, not by a missing translation. Keep it short.
ALLOWED = {
    "Wagtail",  # the CMS's name, in the footer/about links
    *("Ctrl", "Shift", "Alt", "Esc", "Enter", "Tab"),  # printed so on the keys, in shortcuts
    "km",  # the unit, written so in Japanese too
}
# A token that is an address, an identifier or a file: user names, slugs, e-mail, URLs, paths.
NOT_WORDS = re.compile(r"\S*[-_@./:=#]\S*|\S*\d\S*")
# English: two words in a row, or one word that is not an acronym (PDF, CSV, SEO stay).
ENGLISH = re.compile(
    r"\b[A-Za-z][A-Za-z']*(?:\s+[A-Za-z][A-Za-z']*)+\b"  # two or more words
    r"|\b[A-Za-z]?[a-z]{2,}[a-z']*\b"  # one word, not in capitals
)
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-w-tooltip-content-value")


def visible_text(html: str) -> Iterator[str]:
    """What a reader or a screen reader meets: text, labels, tooltips and placeholders.

    Not what is ``hidden`` (Wagtail's empty counters print "None" there, unseen).
    """
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript"]) + soup(attrs={"hidden": True}):
        hidden.decompose()
    for element in soup.find_all(True):
        for name in ATTRIBUTES:
            if isinstance(value := element.get(name), str):
                yield value
        if element.name == "input" and element.get("type") in {"submit", "button"}:
            value = element.get("value") or ""
            # Wagtail hard-codes value="Search" on its screen-reader-only search button
            # (header.html, home.html): not translatable short of copying both templates.
            yield "" if value == "Search" and element.find_parent(class_="w-sr-only") else value
    # find_all, not stripped_strings: that skips <template>, where Wagtail keeps its dialogs.
    for string in soup.find_all(string=True):
        if not isinstance(string, PreformattedString) and string.strip():
            yield string.strip()


def english_in(html: str, data: Iterable[str] = ()) -> set[str]:
    """Runs of English words (or one lower-case English word) in the text, attributes included.

    ``data``: names that are English because someone typed them so (user names, group names,
    page titles, host names): they are content, not a missing translation.
    """
    names = sorted({*ALLOWED, *(name for name in data if name)}, key=len, reverse=True)
    allowed = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    found = set()
    for text in visible_text(html):
        words = allowed.sub("|", NOT_WORDS.sub("|", text))
        for match in ENGLISH.finditer(words):
            found.add(" ".join(match.group().split()))
    return found
