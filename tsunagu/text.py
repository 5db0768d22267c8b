"""Japanese text tools for search: normalisation, kana folding and Sudachi-based terms.

Index and query go through the same normalize → tokenize → fold pipeline, so what a resident
types (かな, カナ, ｶﾅ, full-width, kanji) meets what an editor wrote. Pure Python: no Django
import, so models, tasks and tests can all use it.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

_HIRA_TO_KATA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)}
_KATA_TO_HIRA = {kata: hira for hira, kata in _HIRA_TO_KATA.items()}
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
# Dashes typed in place of ー: ASCII/Unicode hyphens, dashes, box-drawing lines, minus signs.
_DASHES = "-\u2010-\u2015\u2212\u2500\u2501\u30fc\uff0d\uff70"
_DASH_AFTER_KANA = re.compile(f"(?<=[{_KANA}])[{_DASHES}]+")
_KANA_WORD = re.compile(f"[{_KANA}]+")
_SPACES = re.compile(r"\s+")
# Particles, auxiliaries, punctuation and spaces carry no meaning a resident searches for.
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
# Nouns and affixes that glue into compounds (子ども+食堂, 喜美留+公民館).
_COMPOUND_POS = frozenset({"名詞", "接頭辞", "接尾辞"})


def normalize(text: str) -> str:
    """Fold width variants and ー look-alikes, so ｼｮｸﾄﾞｳ, ０１２３ and メ－ル match as meant."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASH_AFTER_KANA.sub(lambda m: "ー" * len(m[0]), text)
    return _SPACES.sub(" ", text).strip()


# C0/C1 control characters and DEL; the line-keeping variant spares LF (CR is dropped: CRLF → LF).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LF = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def single_line(text: str) -> str:
    """A title or name without control characters: CR/LF, tabs, NUL and escapes become spaces.

    A line break in a title would end an iCalendar content line (and a mail header); the other
    controls are not allowed in iCalendar TEXT at all.
    """
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()


def without_controls(text: str) -> str:
    """Multi-line text (descriptions) with line breaks kept as LF and every other control gone."""
    return _CONTROLS_BUT_LF.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def to_katakana(text: str) -> str:
    """Hiragana → katakana, so こども and コドモ become the same term."""
    return text.translate(_HIRA_TO_KATA)


def reading_key(text: str) -> str:
    """A kana reading as one exact key: width, script (ひらがな/カタカナ/ｶﾀｶﾅ), spaces folded.

    For readings matched whole (the keyed hash of a client's kana), not searched word by word.
    """
    return to_katakana(normalize(text)).lower().replace(" ", "")


def to_hiragana(text: str) -> str:
    """Katakana → hiragana, for display (e.g. furigana) of folded readings."""
    return text.translate(_KATA_TO_HIRA)


_lock = threading.Lock()
_local = threading.local()


@functools.lru_cache(maxsize=1)
def _load_dictionary() -> Dictionary:
    return Dictionary(dict="core")


def dictionary() -> Dictionary:
    """The Sudachi dictionary, loaded once per process (the lock stops racing first loads)."""
    with _lock:
        return _load_dictionary()


def tokenizer() -> Tokenizer:
    """A mode-C tokenizer for this thread: Sudachi tokenizers must not be shared across threads."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _local.tokenizer = dictionary().tokenizer(SplitMode.C)
    return tok


@functools.lru_cache(maxsize=16384)  # a town's vocabulary is small; folding was the hot spot
def _fold(term: str) -> str:
    return to_katakana(normalize(term)).lower()


def _forms(m: Morpheme) -> tuple[str, ...]:
    return (m.surface(), m.normalized_form(), m.dictionary_form(), m.reading_form())


def index_terms(text: str) -> str:
    """Space-separated search terms for `text`: every written form and reading of its words.

    Whole compounds, their mode-B/A parts and joined readings of noun runs (コドモショクドウ)
    are all included, so both 食堂 and こどもしょくどう find 子ども食堂.
    """
    terms: dict[str, None] = {}

    def add(forms: Iterable[str]) -> None:
        terms.update(dict.fromkeys(f for f in map(_fold, forms) if f and " " not in f))

    run: list[Morpheme] = []
    for m in tokenizer().tokenize(normalize(text)):
        pos = m.part_of_speech()[0]
        if pos in _SKIP_POS:
            run.clear()
            continue
        add(_forms(m))
        for mode in (SplitMode.B, SplitMode.A):
            parts = m.split(mode)
            if len(parts) > 1:
                for part in parts:
                    add(_forms(part))
        if pos not in _COMPOUND_POS:
            run.clear()
            continue
        run.append(m)
        for width in (2, 3):
            if len(run) >= width:
                tail = run[-width:]
                add(("".join(x.surface() for x in tail), "".join(x.reading_form() for x in tail)))
    return " ".join(terms)


def query_terms(query: str) -> list[list[str]]:
    """Per content token, its alternative forms: OR within a list, AND across lists.

    An all-kana word also offers its whole katakana form in every list, which is exactly
    "(all tokens) OR (whole reading)": the tokenizer mis-splits kana (しょく|どう, きび|る).
    One-character readings of kanji (市 → シ) are left out; they would match almost anything.
    """
    groups: list[list[str]] = []
    tok = tokenizer()
    for word in normalize(query).split():
        whole = [_fold(word)] if _KANA_WORD.fullmatch(word) else []
        for m in tok.tokenize(word):
            if m.part_of_speech()[0] in _SKIP_POS:
                continue
            forms = [m.surface(), m.normalized_form(), m.dictionary_form()]
            if len(m.reading_form()) > 1:
                forms.append(m.reading_form())
            groups.append(list(dict.fromkeys(f for f in map(_fold, forms + whole) if f)))
    return groups


def matches(index_text: str, query: str) -> bool:
    """Reference matching rule: each query token has an alternative among the text's terms.

    A query with no content words (empty, or only particles) constrains nothing: True.
    """
    terms = set(index_terms(index_text).split())
    return all(any(alt in terms for alt in alts) for alts in query_terms(query))
