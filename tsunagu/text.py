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


# The search backends read every search field once per index column (title, body,
# autocomplete): three analyses of each listing's text in a row; a few remembered will do.
@functools.lru_cache(maxsize=256)
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
            forms = _query_forms(m)
            groups.append(list(dict.fromkeys(f for f in map(_fold, forms + whole) if f)))
    return groups


def matches(index_text: str, query: str) -> bool:
    """Reference matching rule: each query token has an alternative among the text's terms.

    A query with no content words (empty, or only particles) constrains nothing: True.
    """
    terms = set(index_terms(index_text).split())
    return all(any(alt in terms for alt in alts) for alts in query_terms(query))


# --- Search: kana-folded character n-grams, and what one typed word may mean.

# Kanji (with 々〆ヶ), hiragana, katakana and ー: the scripts written without spaces between
# words, where a word can only be found inside a longer one by its characters.
_CJK_RUN = re.compile(
    "[\u3005\u3006\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_NOT_CJK_WORD = re.compile(r"\w")
# Every n-gram is written with this Latin prefix (ゆんたく → bユン bユンタ bンタ bンタク bタク):
# the analyser never joins a Latin letter to kana or kanji, so n-grams and morphological terms
# can share one search field without ever matching each other.
NGRAM_MARK = "b"


def fold(text: str) -> str:
    """Widths, ー look-alikes, hiragana → katakana and case folded: ゆんたく, ユンタク and ﾕﾝﾀｸ
    become one string before any analysis."""
    return to_katakana(normalize(text)).lower()


def _grams(run: str, size: int) -> list[str]:
    return [NGRAM_MARK + run[i : i + size] for i in range(len(run) - size + 1)]


@functools.lru_cache(maxsize=256)  # as index_terms: asked three times in a row
def ngram_terms(text: str) -> str:
    """Every two- and three-character substring of the folded text's kanji and kana runs."""
    terms: list[str] = []
    for run in _CJK_RUN.findall(fold(text)):
        terms += _grams(run, 2) + _grams(run, 3)
    return " ".join(terms)


def ngram_query(word: str) -> list[str]:
    """The n-grams a typed word's text must all contain (``ngram_terms``); empty when they
    cannot find it: a one-character run, or Latin letters and digits (words already).

    A run of two or three characters is one n-gram: an exact substring (キビル is not in
    サトウキビ, although キビ is). A longer run is all its three-character windows, each
    overlapping the next by two: a hit without them side by side would need every window
    elsewhere in the listing, which real text does not do. Windows rather than a phrase of
    adjacent pairs: PostgreSQL checks a phrase by reading each candidate's whole index entry,
    seconds for a common word among 40,000 listings; windows are answered by its GIN index.
    """
    folded = fold(word)
    runs = _CJK_RUN.findall(folded)
    if (
        not runs
        or any(len(run) < 2 for run in runs)
        or _NOT_CJK_WORD.search(_CJK_RUN.sub("", folded))
    ):
        return []
    grams = (_grams(run, min(len(run), 3)) for run in runs)
    return list(dict.fromkeys(gram for found in grams for gram in found))


def _query_forms(m: Morpheme) -> list[str]:
    """The forms a query token may take in the index; one-character readings of kanji
    (市 → シ) are left out, they would match almost anything."""
    forms = [m.surface(), m.normalized_form(), m.dictionary_form()]
    if len(m.reading_form()) > 1:
        forms.append(m.reading_form())
    return forms


def _kana_analysis(word: str) -> tuple[bool, list[list[str]] | None]:
    """(whether the word has a content word, its terms) by the dictionary; terms are None when
    the analysis looks like a mis-split: an unknown word, an auxiliary verb inside a noun
    (ゆん+たく, きび+る, しまう+た), or several pieces of which one is short (さん+しん)."""
    content: list[Morpheme] = []
    trusted = True
    for m in tokenizer().tokenize(word):
        pos = m.part_of_speech()[0]
        if pos == "助動詞" or m.is_oov():
            trusted = False
        if pos not in _SKIP_POS:
            content.append(m)
    if len(content) > 1 and any(len(m.surface()) < 3 for m in content):
        trusted = False
    if not content or not trusted:
        return bool(content), None
    return True, [list(dict.fromkeys(map(_fold, _query_forms(m)))) for m in content]


def word_terms(word: str) -> list[list[list[str]]]:
    """What one typed word (no spaces) may mean: alternatives, each an AND of ORs of index
    terms. Empty when it has no content word (particles alone constrain nothing).

    A kana word is folded before it is analysed: it is looked up in both scripts (the
    dictionary knows ケータイ in katakana and たいそう in hiragana), an analysis that looks
    like a mis-split is not used, and the whole word in katakana is always an alternative
    (a reading: しょくどう finds 食堂). Other words are analysed as ``query_terms`` does.
    """
    word = normalize(word)
    if not _KANA_WORD.fullmatch(word):
        groups = query_terms(word)
        return [groups] if groups else []
    other = to_katakana(word) if word != to_katakana(word) else to_hiragana(word)
    analyses = [_kana_analysis(word), _kana_analysis(other)]
    if not analyses[0][0]:  # judged as typed: です in katakana would be a noun
        return []
    whole = [_fold(word)]
    alternatives = [[whole]]
    for _has_content, terms in analyses:
        if terms is not None and len(terms) == 1:  # one word: its forms join the whole's
            whole += [form for form in terms[0] if form not in whole]
        elif terms is not None and terms not in alternatives:
            alternatives.append(terms)
    return alternatives


# --- Furigana: readings over kanji, for residents who read kana more easily than kanji.

_KANJI = re.compile("[\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30f6]")
_KANA_OR_NOT = re.compile(f"[{_KANA}]+|[^{_KANA}]+")
_KANJI_WORD = re.compile(f"(?:{_KANJI.pattern})+")
# Sudachi refuses input over ~49 KB; a page's text node is far shorter, a pasted essay is not.
_RUBY_CHUNK = 4000
# A weekday written as one kanji, as schedules and dates do (月〜金, 土・日, 12月3日（木）):
# the dictionary reads these as words (がつ, き), so between brackets or separators they are
# read as weekdays.
_WEEKDAY_READINGS = dict(
    zip("月火水木金土日", ("げつ", "か", "すい", "もく", "きん", "ど", "にち"), strict=True)
)
_WEEKDAY_EDGE = re.compile(r"[\s（）()〜~・、,/／\-－–—]")


def has_kanji(text: str) -> bool:
    """Whether ``text`` has anything furigana could be put over."""
    return _KANJI.search(text) is not None


def _align(surface: str, reading: str) -> list[tuple[str, str]]:
    """A word's reading spread over its kanji only: 食べる/タベル → 食(た) べる.

    The kana in the written form must appear in the reading; each kanji run takes what lies
    between them. When they do not line up, the whole word carries the whole reading.
    """
    runs = _KANA_OR_NOT.findall(surface)
    pattern = "".join(
        f"({re.escape(to_katakana(run))})" if _KANA_WORD.fullmatch(run) else "(.+?)" for run in runs
    )
    found = re.fullmatch(pattern, reading)
    if found is None:
        # Only a word of kanji alone can take the whole reading; with symbols or digits in it
        # (家（サンプル）) no reading is better than one over the wrong characters.
        whole = _KANJI_WORD.fullmatch(surface) is not None
        return [(surface, to_hiragana(reading) if whole else "")]
    return [
        (run, to_hiragana(part) if _KANJI.search(run) else "")
        for run, part in zip(runs, found.groups(), strict=True)
    ]


def _weekday_reading(chunk: str, m: Morpheme) -> str | None:
    before = chunk[m.begin() - 1] if m.begin() > 0 else " "
    after = chunk[m.end()] if m.end() < len(chunk) else " "
    if _WEEKDAY_EDGE.match(before) and _WEEKDAY_EDGE.match(after):
        return _WEEKDAY_READINGS.get(m.surface())
    return None


def _dictionary_ruby(text: str) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    for start in range(0, len(text), _RUBY_CHUNK):
        chunk = text[start : start + _RUBY_CHUNK]
        for m in tokenizer().tokenize(chunk):
            surface, reading = m.surface(), m.reading_form()
            if weekday := _weekday_reading(chunk, m):
                segments.append((surface, weekday))
            # An unknown word's "reading" is its own spelling: no reading is better than that.
            elif _KANJI.search(surface) and _KANA_WORD.fullmatch(reading) and not m.is_oov():
                segments.extend(_align(surface, reading))
            else:
                segments.append((surface, ""))
    return segments


@functools.lru_cache(maxsize=8)
def _listed_words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(map(re.escape, words))) if words else None


def ruby_segments(text: str, readings: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``text`` as (written, reading) pairs, reading "" where no furigana is wanted.

    ``readings`` (written form → hiragana) is the town's own list for place names the
    dictionary reads wrongly (手々知名 → てでちな): its words win wherever they occur, longest
    first; the rest comes from Sudachi. Joining the written parts gives back ``text`` exactly.
    """
    pattern = _listed_words(tuple(sorted(readings or {}, key=len, reverse=True)))
    segments: list[tuple[str, str]] = []
    position = 0
    for found in pattern.finditer(text) if pattern else ():
        segments.extend(_dictionary_ruby(text[position : found.start()]))
        segments.append((found[0], readings[found[0]]))
        position = found.end()
    segments.extend(_dictionary_ruby(text[position:]))
    return _merged_plain(segments)


def _merged_plain(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Neighbouring unannotated parts joined: fewer, longer text nodes in the page."""
    merged: list[tuple[str, str]] = []
    for written, reading in segments:
        if not written:
            continue
        if merged and not reading and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + written, "")
        else:
            merged.append((written, reading))
    return merged
