"""The vocabulary's other words for a typed word, for query expansion.

A term's synonyms are the words residents use for it, often narrower ones (体操: ストレッチ,
ヨガ). Typing the term's name or kana finds listings that use any of them; typing one of them
finds listings that use the term's name, not the other synonyms (ヨガ does not find
ストレッチ). Listings tagged with the term carry all of them in their own search text already.
"""

from __future__ import annotations

from collections.abc import Iterable

from tsunagu.text import fold

from ..models import Term


def synonym_map(terms: Iterable[Term]) -> dict[str, list[str]]:
    """Folded word → the words a search for it also looks for."""
    found: dict[str, dict[str, None]] = {}
    for term in terms:
        heads = [word for word in (term.name, term.kana) if word]
        others = term.synonym_list()
        for word in heads:
            found.setdefault(fold(word), {}).update(dict.fromkeys(heads + others))
        for word in others:
            found.setdefault(fold(word), {}).update(dict.fromkeys(heads))
    return {key: list(words) for key, words in found.items()}
