"""Names before mentions: a listing called what the resident typed comes first.

The backends' scores count how often the words occur, which a long description with many
mentions wins; a resident who types a place's name wants that place first. Listings are put
in three bands, each keeping the backend's order: the name (or its kana) is exactly the
query; the name contains every word; the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def name_band(name: str, kana: str, words: Sequence[str]) -> int:
    """0, 1 or 2 for a listing's folded name and kana (spaces removed) and the folded words."""
    if "".join(words) in (name, kana):
        return 0
    if all(word in name or word in kana for word in words):
        return 1
    return 2


def names_first(
    keys: Sequence[int], names: Callable[[int], tuple[str, str]], words: Sequence[str]
) -> list[int]:
    """``keys`` (in the backend's order) by band; a stable sort keeps that order within one."""
    if not words:
        return list(keys)
    return sorted(keys, key=lambda key: name_band(*names(key), words))
