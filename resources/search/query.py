"""What a resident typed, as one backend query: AND across words, each word an OR of what it
may mean (``resources.search``).

The backends nest an n-ary AND/OR one level per operand (SQLite's FTS5 parser overflows at
about 90 levels, and Django compiles each level recursively), so alternatives are joined as
balanced trees: a word with fifty alternatives is six levels deep, not fifty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from wagtail.search.query import And, Or, PlainText, SearchQuery

from tsunagu.text import fold, ngram_query, normalize, word_terms

# Index terms are words: anything else (quotes, operators, brackets) would be query syntax to
# one backend or another, so such alternatives are dropped rather than escaped.
_WORD = re.compile(r"\w+")
# A word and at most this many of the vocabulary's words for it.
MAX_VARIANTS = 8
# The vocabulary's words for a typed word are found by their characters from this length,
# shorter ones by the analyser's terms: two characters are too often part of another word
# (キビ, for さとうきび, is in キビル).
NGRAM_VARIANT = 3


def _balanced(kind: type[And] | type[Or], parts: Sequence[SearchQuery]) -> SearchQuery:
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return kind([_balanced(kind, parts[:middle]), _balanced(kind, parts[middle:])])


def _analysed(word: str) -> list[SearchQuery]:
    """``word`` by the analyser's terms: each of its analyses, an AND of ORs of forms."""
    found: list[SearchQuery] = []
    for groups in word_terms(word):
        groups = [[alt for alt in alts if _WORD.fullmatch(alt)] for alts in groups]
        groups = [alts for alts in groups if alts]
        if groups:
            ors = [_balanced(Or, [PlainText(alt) for alt in alts]) for alts in groups]
            found.append(_balanced(And, ors))
    return found


def _characters(word: str) -> list[SearchQuery]:
    """``word`` by its characters: all its n-grams, or nothing when they cannot find it."""
    grams = ngram_query(word)
    return [_balanced(And, [PlainText(gram) for gram in grams])] if grams else []


def _variant(text: str) -> SearchQuery | None:
    """A vocabulary word, which may itself have spaces (each part must be found), by its
    characters or, when short or not kana and kanji, by the analyser's terms: one way is
    enough, and every alternative adds work to each search for the term."""
    parts = []
    for part in text.split():
        long = len(fold(part)) >= NGRAM_VARIANT
        if found := (long and _characters(part)) or _analysed(part):
            parts.append(_balanced(Or, found))
    return _balanced(And, parts) if parts else None


def word_query(word: str, synonyms: Mapping[str, Sequence[str]]) -> SearchQuery | None:
    """One typed word (no spaces): None when it has no content word (particles constrain
    nothing), else its own forms or those of any of the vocabulary's words for it."""
    if not word_terms(word):
        return None
    alternatives = _analysed(word) + _characters(word)
    others = [other for other in synonyms.get(fold(word), ()) if fold(other) != fold(word)]
    for other in others[: MAX_VARIANTS - 1]:
        if (found := _variant(other)) is not None:
            alternatives.append(found)
    return _balanced(Or, alternatives) if alternatives else None


def search_query(q: str, synonyms: Mapping[str, Sequence[str]]) -> SearchQuery | None:
    """The backend query for ``q``; None when it has no content words. A flat AND of words:
    the PostgreSQL search reads each word's match from the title's or the body's index."""
    words = [found for word in normalize(q).split() if (found := word_query(word, synonyms))]
    return And(words) if words else None


def search_words(q: str) -> list[str]:
    """The words of ``q`` that constrain the search, folded (for ranking by name)."""
    return [fold(word) for word in normalize(q).split() if word_terms(word)]
