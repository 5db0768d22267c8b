"""The tag vocabulary: one controlled list of terms shared by listings, volunteers and clients.

Kinds separate what a term describes (an interest, a support need, an audience, an accommodation)
so the matcher can compare like with like; the parent link gives partial credit (花き栽培 ⊂ 農作業).
"""

from __future__ import annotations

import difflib
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from tsunagu.text import normalize, single_line, to_hiragana


class Term(index.Indexed, TagBase):
    """A vocabulary term, used as a django-taggit tag."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("Interest / activity")
        NEED = "need", _("Support need")
        AUDIENCE = "audience", _("Audience")
        ACCOMMODATION = "accommodation", _("Accommodation")

    # Editors pick from the vocabulary; new terms are added deliberately, in the snippet admin.
    free_tagging = False

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INTEREST)
    kana = models.CharField(_("kana"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broader term"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    synonyms = models.CharField(
        _("synonyms"),
        max_length=300,
        blank=True,
        help_text=_("Other words people use for this, separated by commas (、 or ,)."),
    )

    # A term imported from another vocabulary (an HSDS taxonomy Tsunagu does not use), kept so
    # that it can be mapped to ours: --term-map, or merged here in the admin.
    source_taxonomy = models.CharField(_("from taxonomy"), max_length=200, blank=True)
    source_code = models.CharField(_("code in that taxonomy"), max_length=100, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kana"),
        FieldPanel("kind"),
        FieldPanel("parent"),
        FieldPanel("synonyms"),
        FieldPanel("source_taxonomy", read_only=True),
        FieldPanel("source_code", read_only=True),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("kana"),
        index.SearchField("synonyms"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["kind", "kana", "name"]
        verbose_name = _("term")
        verbose_name_plural = _("vocabulary")

    def save(self, *args, **kwargs):
        # The name titles the tag's iCalendar feed, where a line break breaks the file.
        self.name = single_line(self.name)
        return super().save(*args, **kwargs)

    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.replace("、", ",").split(",") if s.strip()]


def term_key(word: str) -> str:
    """How a term's words compare: NFKC, no spaces, lower case, katakana as hiragana, so
    ｸﾙﾏｲｽ, クルマイス and くるまいす are one word."""
    return to_hiragana(normalize(word).replace(" ", "").lower())


class TermLookup:
    """The vocabulary by every word a person may type for a term: its name, a synonym, its kana.

    One place for the importers (clients, directory tags) and the offer mapping, so a synonym
    the town imported is accepted wherever a term is expected. A term's own name wins over
    another term's synonym or reading; among equals the oldest term wins.
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self._names: dict[str, list[Term]] = defaultdict(list)
        self._others: dict[str, list[Term]] = defaultdict(list)
        for term in sorted(terms, key=lambda t: t.pk):
            self._names[term_key(term.name)].append(term)
            for word in {term_key(w) for w in (term.kana, *term.synonym_list()) if w}:
                self._others[word].append(term)

    @classmethod
    def load(cls) -> TermLookup:
        """Every term, in one query."""
        return cls(Term.objects.only("pk", "name", "kana", "kind", "synonyms"))

    def find(self, word: str, kind: str | None = None) -> Term | None:
        """The term the word stands for (of ``kind`` when given), or None."""
        folded = term_key(word)
        for table in (self._names, self._others):
            for term in table.get(folded, ()):
                if kind is None or term.kind == kind:
                    return term
        return None

    def several(self, word: str) -> list[str]:
        """Names of the terms ``word`` is a reading or synonym of, when it is no term's name and
        stands for more than one: an importer then asks for the name rather than guess."""
        folded = term_key(word)
        terms = [] if folded in self._names else self._others.get(folded, [])
        return [term.name for term in terms] if len(terms) > 1 else []

    def similar(self, word: str, kind: str | None = None, limit: int = 3) -> list[str]:
        """Names of terms whose words look like ``word``: suggestions for a typo."""
        words = {
            w: t
            for table in (self._names, self._others)
            for w, terms in table.items()
            for t in terms
            if kind is None or t.kind == kind
        }
        close = difflib.get_close_matches(term_key(word), list(words), n=limit * 2, cutoff=0.5)
        folded = term_key(word)
        close += [w for w in words if folded and (folded in w or w in folded) and w not in close]
        return list(dict.fromkeys(words[w].name for w in close))[:limit]


class ListingTag(ItemBase):
    """Links a listing page to a vocabulary term (through model for ClusterTaggableManager)."""

    tag = models.ForeignKey(Term, related_name="tagged_listings", on_delete=models.CASCADE)
    content_object = ParentalKey(
        "resources.ListingPage", related_name="tagged_items", on_delete=models.CASCADE
    )

    class Meta:
        unique_together = [("tag", "content_object")]


# What a town's staff and vocabularies commonly call each offer (the template's words on the
# left of 車いす対応 ↔ 車いす); words the town's vocabulary does not hold are not used.
DEFAULT_OFFER_TERMS = {
    "barrier_free": ("バリアフリー", "段差なし", "車いす", "車椅子", "車いす対応", "車椅子対応"),
    "accessible_toilet": ("多目的トイレ", "バリアフリートイレ"),
    "parking": ("駐車場",),
    "pickup": ("送迎", "送迎あり"),
    "hearing_support": ("聴覚障害への配慮", "筆談"),
    "vision_support": ("視覚障害への配慮", "点字"),
    "companion_ok": ("付き添い", "付き添い可"),
}


def seed_default_offer_terms(**kwargs: object) -> None:
    """Fills an empty offer mapping with ``DEFAULT_OFFER_TERMS`` (after every migrate or flush).

    Only an empty one: a town's edits stay. An empty mapping would make every listing flag mean
    nothing to the matcher, which no town wants, so it is never left empty.
    """
    using = str(kwargs.get("using") or "default")
    if OfferTerm._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated only part of the way
    if OfferTerm.objects.using(using).exists():
        return
    OfferTerm.objects.using(using).bulk_create(
        [OfferTerm(flag=f, term=t) for f, terms in DEFAULT_OFFER_TERMS.items() for t in terms]
    )


class OfferTerm(models.Model):
    """One meaning for what a listing offers: a yes/no flag of the listing (the template's
    設備・配慮 and 参加しやすさ columns) stands for an accommodation term (配慮) of the vocabulary.

    The matcher reads these rows, so a client whose 配慮 is 「車いす」 is met by a listing that
    ticks 段差なし as well as by one tagged 車いす. The term is kept as a word (a name, synonym
    or reading) rather than a link: the defaults are there before the town imports its
    vocabulary, and a word the vocabulary does not (yet) hold is simply not used.
    """

    class Flag(models.TextChoices):
        # The listing's own field labels (resources.models.pages), so one word for each.
        BARRIER_FREE = "barrier_free", _("step-free access")
        ACCESSIBLE_TOILET = "accessible_toilet", _("accessible toilet")
        PARKING = "parking", _("parking")
        PICKUP = "pickup", _("pick-up service")
        HEARING_SUPPORT = "hearing_support", _("support for hearing impairment")
        VISION_SUPPORT = "vision_support", _("support for visual impairment")
        NEAR_BUS_STOP = "near_bus_stop", _("near a bus stop")
        TOUR_OK = "tour_ok", _("visits to look around welcome")
        COMPANION_OK = "companion_ok", _("a companion may come along")
        SHORT_TIME_OK = "short_time_ok", _("short stays are fine")

    flag = models.CharField(_("what the listing offers"), max_length=30, choices=Flag.choices)
    term = models.CharField(
        _("accommodation term"),
        max_length=100,
        help_text=_("An accommodation term of the vocabulary: its name, a synonym or its kana."),
    )

    panels = [FieldPanel("flag"), FieldPanel("term")]

    class Meta:
        ordering = ["flag", "term"]
        verbose_name = _("offer and accommodation")
        verbose_name_plural = _("offers and accommodations")
        constraints = [models.UniqueConstraint(fields=["flag", "term"], name="offer_term_unique")]

    def __str__(self) -> str:
        return f"{self.get_flag_display()} ↔ {self.term}"

    def save(self, *args, **kwargs):
        self.term = single_line(self.term)
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuses a word that is no accommodation term: a typo would silently match nothing."""
        self.term = single_line(normalize(self.term))
        if TermLookup.load().find(self.term, Term.Kind.ACCOMMODATION) is not None:
            return
        raise ValidationError(
            {
                "term": _(
                    "“%(value)s” is not an accommodation term of the vocabulary; add it to the "
                    "vocabulary first."
                )
                % {"value": self.term}
            }
        )
