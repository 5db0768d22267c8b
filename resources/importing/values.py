"""Cell values as a town's staff type them: full-width digits, 月・木, 第2・第4, 10時半, ○×.

Each parser takes text and returns a value or raises ``ValueError`` whose message is the
Japanese explanation shown to the operator. Text is NFKC-normalised first (``tsunagu.text``),
so ｶﾅ, ２０２５ and １０：００ are read as meant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from resources.models import Area, Term
from resources.models.schedules import parse_weeks
from resources.models.vocabulary import TermLookup
from tsunagu.text import normalize, to_hiragana

SEPARATORS = re.compile(r"[、,，/／\n]+")
LIST_SEPARATORS = re.compile(r"[、,，/／・\s]+")  # for lists of one-word items (days, weeks)
WEEKDAYS = "月火水木金土日"
RRULE_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ENGLISH_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# An HSDS time may carry seconds and a UTC offset (10:00:00+09:00): the offset is the town's.
_TIME_COLON = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
# Control characters other than tab and line breaks (NUL, escapes): never part of a cell.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RANGE_SEPARATORS = re.compile(r"[;；\n]+")
_TIME_RANGE = re.compile(r"^(.*?)\s*(\d{1,2}(?::\d{2}|時(?:\d{1,2}分|半)?))\s*[-~〜～−–—]\s*(.+)$")
_TIME_KANJI = re.compile(r"^(\d{1,2})時(?:(\d{1,2})分|(半))?$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
TRUE_WORDS = frozenset({"○", "◯", "〇", "はい", "可", "あり", "有", "する", "true", "yes", "1"})
FALSE_WORDS = frozenset({"×", "✕", "いいえ", "不可", "なし", "無", "しない", "false", "no", "0"})


def key(text: str) -> str:
    """A comparison key: NFKC, no spaces, lower case, hiragana."""
    return to_hiragana(normalize(text).replace(" ", "").lower())


def free_text(text: str) -> str:
    """Free text as written: Excel's CRLF → LF, blanks around it gone, nothing normalised."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def has_time_ranges(text: str) -> bool:
    """Whether a day cell also holds times (「火 10:00-11:30; 木 13:00-15:00」)."""
    return any(_TIME_RANGE.match(part.strip()) for part in _RANGE_SEPARATORS.split(text))


def parse_day_ranges(text: str) -> list[tuple[int, dt.time, dt.time]]:
    """「火 10:00-11:30; 木・金 13:00-15:00」 → (weekday, opens, closes) for each day and range."""
    found: list[tuple[int, dt.time, dt.time]] = []
    for part in _RANGE_SEPARATORS.split(normalize(text).replace("〜", "~")):
        if not part.strip():
            continue
        m = _TIME_RANGE.match(part.strip())
        if m is None or not m[1].strip():
            raise ValueError(
                _("“%(value)s” is not a day and times; write it like 火 10:00-11:30.")
                % {"value": part.strip()}
            )
        opens, closes = parse_time(m[2]), parse_time(m[3])
        if closes <= opens:
            raise ValueError(
                _("%(value)s: the end time must be after the start.") % {"value": part.strip()}
            )
        found += [(day, opens, closes) for day in parse_weekdays(m[1])]
    return found


def split(text: str, pattern: re.Pattern[str] = SEPARATORS) -> list[str]:
    return [part.strip() for part in pattern.split(normalize(text)) if part.strip()]


def parse_time(text: str) -> dt.time:
    value = normalize(text)
    if m := _TIME_COLON.match(value):
        hour, minute = int(m[1]), int(m[2])
    elif m := _TIME_KANJI.match(value):
        hour, minute = int(m[1]), 30 if m[3] else int(m[2] or 0)
    else:
        raise ValueError(_("“%(value)s” is not a time; write it like 10:00.") % {"value": text})
    if hour > 23 or minute > 59:
        raise ValueError(_("“%(value)s” is not a time of day.") % {"value": text})
    return dt.time(hour, minute)


def parse_date(text: str) -> dt.date:
    value = normalize(text)
    m = _DATE.match(value)
    try:
        if m is None:
            raise ValueError
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date; write it like 2025-04-01.") % {"value": text}
        ) from None


def parse_weekdays(text: str) -> list[int]:
    """'月・木', '月曜日, 木曜日', '月水金', 'mon' → weekday numbers (0 = Monday)."""
    days: list[int] = []
    for token in split(text, LIST_SEPARATORS):
        word = token.lower()
        if word[:3] in ENGLISH_WEEKDAYS:
            days.append(ENGLISH_WEEKDAYS.index(word[:3]))
            continue
        if word.upper() in RRULE_WEEKDAYS:
            days.append(RRULE_WEEKDAYS.index(word.upper()))
            continue
        chars = re.sub("曜日?", "", token)
        if not chars or any(c not in WEEKDAYS for c in chars):
            raise ValueError(
                _("“%(value)s” is not a day of the week; use 月 火 水 木 金 土 日.")
                % {"value": token}
            )
        days.extend(WEEKDAYS.index(c) for c in chars)
    return sorted(set(days))


def parse_weeks_of_month(text: str) -> str:
    """'第2・第4', '2,4', '最終', '毎週' → the model's '2,4' / '-1' / ''."""
    weeks: list[str] = []
    for token in split(text, LIST_SEPARATORS):
        word = token.removeprefix("第").removesuffix("週").lower()
        if word in {"毎", "毎週", ""}:
            continue
        weeks.append("-1" if word in {"最終", "最後", "last", "-1"} else word)
    value = ",".join(weeks)
    try:
        return ",".join(str(w) for w in parse_weeks(value))
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a week of the month; use 第1〜第5 or 最終.") % {"value": text}
        ) from None


def parse_bool(text: str) -> bool:
    word = normalize(text).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS or not word:
        return False
    raise ValueError(_("“%(value)s” is not yes or no; use ○ or ×.") % {"value": text})


def parse_int(text: str, *, minimum: int = 0, maximum: int = 10_000) -> int:
    value = normalize(text).removesuffix("歳").removesuffix("人").removesuffix("名")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
    if not minimum <= number <= maximum:
        raise ValueError(
            _("%(value)s is outside %(min)s–%(max)s.")
            % {"value": number, "min": minimum, "max": maximum}
        )
    return number


def parse_coordinate(text: str | float, *, limit: int) -> Decimal:
    """A latitude (limit 90) or longitude (limit 180), kept to the model's six decimals."""
    try:
        number = Decimal(normalize(str(text)))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValueError(
            _("%(value)s is outside −%(limit)s to %(limit)s.") % {"value": text, "limit": limit}
        )
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def parse_email(text: str) -> str:
    value = normalize(text)
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not an email address.") % {"value": text}) from None
    return value


def parse_url(text: str) -> str:
    value = normalize(text)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(
            _("“%(value)s” is not a web address (http:// or https://).") % {"value": text}
        ) from None
    return value


class Choices:
    """Looks up a code by its code, its Japanese label, its English label or an alias."""

    def __init__(
        self, choices: Iterable[tuple[str, str | Promise]], aliases: dict[str, str] | None = None
    ) -> None:
        self.codes: dict[str, str] = {}
        self.labels: list[str] = []
        for code, label in choices:
            self.labels.append(str(label))
            with translation.override("en"):
                english = str(label)
            for name in (code, str(label), english):
                self.codes[key(name)] = code
        for alias, code in (aliases or {}).items():
            self.codes[key(alias)] = code

    def get(self, text: str) -> str:
        try:
            return self.codes[key(text)]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(self.labels)}
            ) from None


class AreaIndex:
    """Districts by name or reading, as loaded for this town (``site``; every town's when
    None, as on a single-town install)."""

    def __init__(self, site: Any = None) -> None:
        self.areas: dict[str, Area] = {}
        rows = Area.objects.all() if site is None else Area.objects.filter(site=site)
        for area in rows:
            self.areas.setdefault(key(area.name), area)
            if area.kana:
                self.areas.setdefault(key(area.kana), area)

    def get(self, text: str) -> Area:
        try:
            return self.areas[key(text)]
        except KeyError:
            raise ValueError(
                _("There is no district “%(value)s”; load the town's districts first.")
                % {"value": text}
            ) from None


class TermIndex:
    """Vocabulary terms by name, reading or synonym (``TermLookup``, shared with import_clients):
    the one lookup every importer uses wherever a term is expected."""

    def __init__(self, terms: Iterable[Term] | None = None) -> None:
        self.terms = TermLookup.load() if terms is None else TermLookup(terms)

    def get(self, text: str) -> Term:
        """The term ``text`` names; ``ValueError`` (in Japanese) when none or several do."""
        if several := self.terms.several(text):
            raise ValueError(
                _("“%(value)s” is a reading or synonym of several terms (%(terms)s); use the name.")
                % {"value": text, "terms": "、".join(several)}
            )
        term = self.terms.find(text)
        if term is None:
            raise ValueError(
                _(
                    "“%(value)s” is neither a term, a reading nor a synonym in the vocabulary; "
                    "add it with import_vocabulary (as a term or a synonym) first."
                )
                % {"value": text}
            )
        return term
