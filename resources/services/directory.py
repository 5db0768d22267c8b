"""Writing a directory file: operators, vocabulary terms, places and activities.

All or nothing. Every record is first matched against the database and checked (read-only);
only when nothing is wrong are the records written, in the same transaction. Pages are saved the
way an editor's are: a new revision, published when the import is ``live``.

Matching, so that importing the same file again updates instead of duplicating: by external ID
(団体ID, 場所ID, 活動ID, or HSDS external identifiers), then by HSDS id, then — for a CSV row
without an ID — by the operator's or place's name.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_save
from django.utils.translation import gettext as _
from modelcluster.models import get_all_child_relations
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import ReferenceIndex, Site
from wagtail.search.backends import get_search_backend
from wagtail.signal_handlers import disable_reference_index_auto_update

from resources import caching, signals
from resources.hsds.serializers import html_to_text, text_to_html
from resources.importing.files import Errors, ImportRejected, Progress
from resources.importing.records import (
    DESCRIPTION,
    ActivityRecord,
    DirectoryData,
    ListingRecord,
    OrganizationRecord,
)
from resources.importing.vocabulary import find_cycles
from resources.models import (
    ActivityPage,
    DirectoryIndexPage,
    ListingPage,
    ListingTag,
    Organization,
    PlacePage,
    ScheduleException,
    ScheduleRule,
    Term,
)
from resources.services.page_bulk import pages_bulk_create
from tsunagu.sites import default_site_id

SUMMARY_LENGTH = 400


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)


# What a save changes by itself (tree position, revisions, publishing, derived search text):
# left out when deciding whether a file changed a page.
_VOLATILE = frozenset(
    {
        "pk",
        "id",
        "path",
        "depth",
        "numchild",
        "url_path",
        "live",
        "has_unpublished_changes",
        "latest_revision",
        "latest_revision_created_at",
        "live_revision",
        "first_published_at",
        "last_published_at",
        "draft_title",
        "search_text",
        "search_ngrams",
        "locked",
        "locked_at",
        "locked_by",
        "content_type",
        "page_ptr",
        "listingpage_ptr",
        "page",
        "content_object",
        "sort_order",
    }
)


def _content(value: Any) -> Any:
    """A page's serialised content without what every save changes, to compare before writing."""
    if isinstance(value, dict):
        return {k: _content(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_content(v) for v in value]
    return value


def _same_rows(records: Sequence[Any], stored: Iterable[Any]) -> bool:
    """The file's rows and the stored ones hold the same values, in whatever order."""
    stored = list(stored)
    if len(stored) != len(records):
        return False
    if not records:
        return True
    fields = list(vars(records[0]))
    file_rows = Counter(tuple(vars(record).values()) for record in records)
    return file_rows == Counter(tuple(getattr(row, name) for name in fields) for row in stored)


@transaction.atomic
def directory_import(
    *,
    data: DirectoryData,
    live: bool,
    dry_run: bool = False,
    progress: Progress | None = None,
    site: Site | None = None,
) -> ImportResult:
    """Create or update everything ``data`` describes under the site's directory page (the
    directory of ``site``, a town, when given; else the install's one).

    ``live`` publishes what the file marks active (drafts otherwise); ``dry_run`` checks and
    writes everything, then rolls back. Raises ``ImportRejected`` listing every problem.
    """
    plan = _Plan(data, site)
    with _one_index_update() as saved:
        result = plan.write(live=live, progress=progress or Progress(), saved=saved)
    if dry_run:
        transaction.set_rollback(True)
    else:
        _index(saved, plan.created)
        caching.invalidate()
    return result


INDEX_CHUNK = 500
_Saved = dict[type[Model], set[int]]


@contextlib.contextmanager
def _one_index_update() -> Iterator[_Saved]:
    """Each page is saved three times (created, revised, published) and each save re-indexed
    it for search, most of an import's time: the per-save indexing is paused while the import
    writes, and what was saved is indexed once, in bulk, at the end (``_index``). Imports run
    in a management command, so pausing the handler of this process is safe."""
    saved: dict[type[Model], set[int]] = defaultdict(set)

    def remember(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            saved[type(instance)].add(instance.pk)

    models = [PlacePage, ActivityPage, Organization, Term]
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
        post_save.connect(remember, sender=model, weak=False)
    try:
        with signals.listings_published_together(), disable_reference_index_auto_update():
            yield saved
    finally:
        for model in models:
            post_save.disconnect(remember, sender=model)
            post_save.connect(post_save_signal_handler, sender=model)


def _index(saved: _Saved, created: set[int]) -> None:
    """The search backend's bulk indexing of everything the import saved, and of the
    activities held at a saved place (they carry its name in their search text); and
    Wagtail's reference index of the saved objects (the admin's "usage" of an operator or a
    place), once each rather than after each of a page's saves."""
    if saved.get(PlacePage):
        saved[ActivityPage] |= set(
            ActivityPage.objects.filter(place__in=saved[PlacePage]).values_list("pk", flat=True)
        )
    backend = get_search_backend()
    related = {
        PlacePage: ["area", "organization"],
        ActivityPage: ["area", "organization", "place__area"],
    }
    for model, ids in saved.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), INDEX_CHUNK):
            queryset = model.objects.filter(pk__in=ordered[start : start + INDEX_CHUNK])
            if model in related:
                children = [r.get_accessor_name() for r in get_all_child_relations(model)]
                queryset = queryset.select_related(*related[model]).prefetch_related(
                    "tags", *children
                )
            objects = list(queryset)
            backend.add_bulk(model, objects)
            if ReferenceIndex.is_indexed(model):
                for obj in objects:
                    if obj.pk not in created:  # page_bulk wrote theirs
                        ReferenceIndex.create_or_update_for_object(obj)


def _set_description(page: ListingPage, text: str) -> None:
    """HSDS has one description: a short one is the summary, a long one the body."""
    if text == (page.summary or html_to_text(page.body)):
        return
    if len(text) <= SUMMARY_LENGTH:
        page.summary = text
    else:
        page.summary, page.body = "", text_to_html(text)


MATCH_CHUNK = 1000


class _Existing:
    """The stored listings of one kind that the file's records may describe, read in a few
    queries (by external ID, HSDS id or title) with what comparing them needs, instead of
    several queries per record."""

    def __init__(
        self,
        model: type[ListingPage],
        records: Iterable[ListingRecord],
        *,
        under: DirectoryIndexPage,
    ) -> None:
        self.by_external_id: defaultdict[str, list[ListingPage]] = defaultdict(list)
        self.by_uuid: dict[uuid.UUID, ListingPage] = {}
        self.by_title: defaultdict[str, list[ListingPage]] = defaultdict(list)
        self._seen: set[int] = set()
        records = list(records)
        related = ["place__area"] if model is ActivityPage else []
        # Everything serializable_data reads, for comparing a page with its record.
        children = [relation.get_accessor_name() for relation in get_all_child_relations(model)]
        for start in range(0, len(records), MATCH_CHUNK):
            chunk = records[start : start + MATCH_CHUNK]
            wanted = (
                Q(external_id__in={r.external_id for r in chunk if r.external_id})
                | Q(hsds_id__in={r.uuid for r in chunk if r.uuid})
                | Q(
                    title__in={
                        r.fields["title"] for r in chunk if r.match_title and r.fields.get("title")
                    }
                )
            )
            pages = (
                # The town's own directory: another town's listing of the same name or
                # external ID is never updated by this town's file.
                model.objects.descendant_of(under)
                .filter(wanted)
                .order_by("path")
                .select_related(*related)
                .prefetch_related(*children)
            )
            for page in pages:
                self._add(page)
        missing = sorted({r.uuid for r in records if r.uuid} - set(self.by_uuid))
        # Ids held by a listing this import may not update: of the other kind, or of
        # another town (a page's id is unique across the install).
        elsewhere = [
            row
            for start in range(0, len(missing), MATCH_CHUNK)
            for row in ListingPage.objects.filter(
                hsds_id__in=missing[start : start + MATCH_CHUNK]
            ).values_list("hsds_id", "path")
        ]
        self.other_kinds = {h for h, path in elsewhere if path.startswith(under.path)}
        self.other_towns = {h for h, path in elsewhere if not path.startswith(under.path)}

    def _add(self, page: ListingPage) -> None:
        if page.pk in self._seen:
            return
        self._seen.add(page.pk)
        if page.external_id:
            self.by_external_id[page.external_id].append(page)
        self.by_uuid[page.hsds_id] = page
        self.by_title[page.title].append(page)


class _Plan:
    """The records matched to what exists; raises ``ImportRejected`` before anything is written."""

    def __init__(self, data: DirectoryData, site: Site | None = None) -> None:
        self.data = data
        self.errors = Errors()
        directories = DirectoryIndexPage.objects.all()
        if site is not None:
            directories = directories.descendant_of(site.root_page)
        self.directory = directories.first()
        # The town new operators belong to, found once: the model's default (the default
        # site) is a query per new operator.
        self.site_id = site.pk if site is not None else default_site_id()
        if self.directory is None:
            raise ImportRejected(
                [_("There is no directory page; create it in the admin before importing.")]
            )
        self.claimed: dict[tuple[str, int], str] = {}
        self.created: set[int] = set()  # pages created in bulk
        self._check_lengths()
        self.terms = self._match_terms()
        self.orgs = {key: self._match_org(r) for key, r in data.organizations.items()}
        self.existing = {
            PlacePage: _Existing(PlacePage, data.places.values(), under=self.directory),
            ActivityPage: _Existing(ActivityPage, data.activities, under=self.directory),
        }
        self.places = {key: self._match_place(r) for key, r in data.places.items()}
        self.activities = [self._match_activity(r) for r in data.activities]
        self._check_tags()
        self.errors.raise_if_any()

    def _check_lengths(self) -> None:
        """Text longer than its column would fail half-way through the writes; refuse it now."""
        records: list[tuple[type[Model], str, dict[str, Any]]] = [
            (Term, r.where, {"name": r.name}) for r in self.data.terms
        ]
        records += [(Organization, r.where, r.fields) for r in self.data.organizations.values()]
        records += [(PlacePage, r.where, r.fields) for r in self.data.places.values()]
        records += [(ActivityPage, r.where, r.fields) for r in self.data.activities]
        for model, where, fields in records:
            for name, value in fields.items():
                if name == DESCRIPTION or not isinstance(value, str):
                    continue
                limit = model._meta.get_field(name).max_length
                if limit and len(value) > limit:
                    self.errors.file(
                        _("%(where)s: “%(field)s” must be %(max)s characters or fewer.")
                        % {
                            "where": where,
                            "field": model._meta.get_field(name).verbose_name,
                            "max": limit,
                        }
                    )

    # --- matching ---------------------------------------------------------------------------

    def _one(self, queryset: QuerySet, where: str, what: str) -> Any:
        return self._found(list(queryset[:2]), where, what)

    def _claim(self, obj: Model | None, kind: str, where: str) -> None:
        """Two records of one file must not update the same row."""
        if obj is None or obj.pk is None:
            return
        earlier = self.claimed.setdefault((kind, obj.pk), where)
        if earlier != where:
            self.errors.file(
                _("%(where)s: describes the same %(what)s as %(earlier)s.")
                % {"where": where, "what": str(obj), "earlier": earlier}
            )

    def _match_terms(self) -> dict[uuid.UUID, Term]:
        terms: dict[uuid.UUID, Term] = {}
        for record in self.data.terms:
            term = (
                Term.objects.filter(uuid=record.uuid).first()
                or Term.objects.filter(name=record.name).first()
            )
            if term is None:
                term = Term(uuid=record.uuid)
            elif Term.objects.filter(name=record.name).exclude(pk=term.pk).exists():
                self.errors.file(
                    _("%(where)s: another term is already called “%(name)s”.")
                    % {"where": record.where, "name": record.name}
                )
            self._claim(term, "term", record.where)
            terms[record.uuid] = term
        return terms

    def _match_org(self, record: OrganizationRecord) -> Organization:
        org = None
        if record.external_id:
            org = self._one(
                Organization.objects.filter(external_id=record.external_id),
                record.where,
                _("operator"),
            )
        if org is None and record.uuid:
            org = Organization.objects.filter(uuid=record.uuid).first()
        if org is None and record.match_name and record.fields.get("name"):
            org = self._one(
                Organization.objects.filter(name=record.fields["name"]),
                record.where,
                _("operator"),
            )
        if org is None:
            if not record.fields:
                self.errors.file(
                    _("%(where)s: the operator %(id)s is neither in the file nor in Tsunagu.")
                    % {"where": record.where, "id": record.uuid}
                )
            elif record.uuid and record.fields.get("name") and not record.fields.get("kind"):
                # HSDS does not require a legal status (the reader warned): 「その他」.
                record.fields["kind"] = Organization.Kind.OTHER
            elif not (record.fields.get("name") and record.fields.get("kind")):
                self.errors.file(
                    _("%(where)s: a new operator needs a name and a kind.")
                    % {"where": record.where}
                )
            org = Organization(uuid=record.uuid or uuid.uuid4(), site_id=self.site_id)
        self._claim(org, "organization", record.where)
        return org

    def _found(self, found: list[Any], where: str, what: str) -> Any:
        """The one match, or an error when there are several."""
        if len(found) > 1:
            self.errors.file(
                _("%(where)s: more than one %(what)s matches; make the IDs unique.")
                % {"where": where, "what": what}
            )
        return found[0] if found else None

    def _match_listing(
        self, record: ListingRecord, model: type[ListingPage], what: str
    ) -> ListingPage | None:
        found = self.existing[model]
        page = None
        if record.external_id:
            page = self._found(found.by_external_id[record.external_id], record.where, what)
        if page is None and record.uuid:
            page = found.by_uuid.get(record.uuid)
            if page is None and record.uuid in found.other_kinds:
                self.errors.file(
                    _("%(where)s: the id %(id)s belongs to a listing of another kind.")
                    % {"where": record.where, "id": record.uuid}
                )
            elif page is None and record.uuid in found.other_towns:
                self.errors.file(
                    _("%(where)s: the id %(id)s belongs to a listing of another town.")
                    % {"where": record.where, "id": record.uuid}
                )
        if page is None and record.match_title and record.fields.get("title"):
            page = self._found(found.by_title[record.fields["title"]], record.where, what)
        if page is None and not record.fields:
            self.errors.file(
                _("%(where)s: the %(what)s %(id)s is neither in the file nor in Tsunagu.")
                % {"where": record.where, "what": what, "id": record.uuid or record.external_id}
            )
        elif page is None and not record.fields.get("title"):
            self.errors.file(
                _("%(where)s: a new %(what)s needs a name.") % {"where": record.where, "what": what}
            )
        self._claim(page, "listing", record.where)
        return page

    def _match_place(self, record: ListingRecord) -> PlacePage | None:
        return self._match_listing(record, PlacePage, _("place"))

    def _match_activity(self, record: ActivityRecord) -> ActivityPage | None:
        return self._match_listing(record, ActivityPage, _("activity"))

    def _check_tags(self) -> None:
        known = set(self.terms)
        wanted = {
            tag
            for record in [*self.data.places.values(), *self.data.activities]
            for tag in record.tags or ()
        }
        existing = Term.objects.filter(uuid__in=wanted - known)
        self.terms.update({term.uuid: term for term in existing})
        for record in [*self.data.places.values(), *self.data.activities]:
            for tag in record.tags or ():
                if tag not in self.terms:
                    self.errors.file(
                        _("%(where)s: the term %(id)s is not in the vocabulary.")
                        % {"where": record.where, "id": tag}
                    )
        parents = {t.uuid: t.parent.uuid if t.parent else None for t in Term.objects.all()}
        parents.update({r.uuid: r.parent for r in self.data.terms})
        for term_id in find_cycles(parents):
            for record in self.data.terms:
                if record.uuid == term_id:
                    self.errors.file(
                        _("%(where)s: “%(name)s” would become its own broader term.")
                        % {"where": record.where, "name": record.name}
                    )

    # --- writing ----------------------------------------------------------------------------

    def write(self, *, live: bool, progress: Progress, saved: _Saved) -> ImportResult:
        result = ImportResult()
        progress.total = len(self.data.terms) + len(self.orgs) + len(self.places)
        progress.total += len(self.activities)
        for record in self.data.terms:
            term = self.terms[record.uuid]
            # Saving a term re-indexes every listing tagged with it: only save real changes.
            if term._state.adding or (term.name, term.kind) != (record.name, record.kind):
                self._count(result, "term", term._state.adding)
                term.name, term.kind = record.name, record.kind
                if record.source_taxonomy:
                    term.source_taxonomy = record.source_taxonomy
                    term.source_code = record.source_code
                if term._state.adding and not Term.objects.filter(slug=record.slug).exists():
                    term.slug = record.slug
                term.save()
            else:
                result.unchanged["term"] += 1
            progress.advance()
        for record in self.data.terms:
            term = self.terms[record.uuid]
            parent = self.terms[record.parent] if record.parent else None
            if term.parent_id != (parent.pk if parent else None):
                term.parent = parent
                term.save(update_fields=["parent"])
        for key, org in self.orgs.items():
            record = self.data.organizations[key]
            if record.fields:
                wanted = dict(record.fields)
                if record.external_id:
                    wanted["external_id"] = record.external_id
                if not org._state.adding and all(
                    getattr(org, name) == value for name, value in wanted.items()
                ):
                    result.unchanged["organization"] += 1  # no save: last_modified stays
                    progress.advance()
                    continue
                self._count(result, "organization", org._state.adding)
                for name, value in wanted.items():
                    setattr(org, name, value)
                org.save()
            progress.advance()
        new: list[tuple[ListingPage, bool]] = []
        for key, page in self.places.items():
            record = self.data.places[key]
            if record.fields:
                self.places[key] = self._save(record, page, PlacePage, live, result, new)
            progress.advance()
        # Activities refer to their places: the new places need their ids first.
        self._create(new, saved)
        for record, page in zip(self.data.activities, self.activities, strict=True):
            self._save(record, page, ActivityPage, live, result, new)
            progress.advance()
        self._create(new, saved)
        return result

    def _create(self, new: list[tuple[ListingPage, bool]], saved: _Saved) -> None:
        """The new pages in bulk (``page_bulk``), remembered for indexing; empties ``new``."""
        pages = [page for page, _publish in new]
        pages_bulk_create(
            parent=self.directory, pages=pages, published=[publish for _page, publish in new]
        )
        for page in pages:
            saved[type(page)].add(page.pk)
            self.created.add(page.pk)
        new.clear()

    @staticmethod
    def _count(result: ImportResult, what: str, created: bool) -> None:
        (result.created if created else result.updated)[what] += 1

    def _save(
        self,
        record: ListingRecord,
        page: ListingPage | None,
        model: type[ListingPage],
        live: bool,
        result: ImportResult,
        new: list[tuple[ListingPage, bool]],
    ) -> ListingPage:
        """Update ``page`` (a revision, published or not) or, when it is None, build a new
        one and add it to ``new`` to be created in bulk."""
        created = page is None
        if page is None:
            page = model(hsds_id=record.uuid or uuid.uuid4(), live=False)
        else:
            # Build on the latest revision, as the editor would: a pending draft is kept.
            page = page.get_latest_revision_as_object()
        before = None if created else _content(page.serializable_data())
        if record.external_id:
            page.external_id = record.external_id
        for name, value in record.fields.items():
            if name == DESCRIPTION:
                _set_description(page, value)
            else:
                setattr(page, name, value)
        if record.set_organization:
            page.organization = self.orgs[record.organization] if record.organization else None
        if isinstance(record, ActivityRecord) and record.set_place:
            page.place = self.places[record.place] if record.place else None
        if record.tags is not None:
            terms = [self.terms[tag] for tag in record.tags]
            # Tags are a set: the export lists them by kind and reading, the page keeps the order
            # they were added in, so only a different set of terms is a change.
            if {term.pk for term in terms} != {item.tag_id for item in page.tagged_items.all()}:
                page.tagged_items = [ListingTag(tag=term) for term in terms]
        # Schedules too are sets: the export lists rules by day and time, the page keeps the
        # order they were entered in (and PostgreSQL may return equal sort orders either way).
        if record.schedules is not None and not _same_rows(
            record.schedules, page.schedule_rules.all()
        ):
            page.schedule_rules = [
                ScheduleRule(sort_order=i, **vars(rule)) for i, rule in enumerate(record.schedules)
            ]
        if record.exceptions is not None and not _same_rows(
            record.exceptions, page.schedule_exceptions.all()
        ):
            page.schedule_exceptions = [
                ScheduleException(sort_order=i, **vars(exception))
                for i, exception in enumerate(record.exceptions)
            ]
        # What save() derives, derived now, so an unchanged page compares equal.
        page._single_line_titles()
        if isinstance(page, ActivityPage):
            page.fill_from_place()
        if before is not None and before == _content(page.serializable_data()):
            published = page.live and not page.has_unpublished_changes
            if not live or (published if record.publish else not page.live):
                # Unchanged: no revision, no publishing, last_modified kept.
                result.unchanged[model._meta.model_name] += 1
                return page
        if created:
            page.slug = record.slug or ""  # kept unless a sibling has it (page_bulk)
            new.append((page, live and record.publish))
            self._count(result, model._meta.model_name, created)
            return page
        revision = page.save_revision()
        if live and record.publish:
            revision.publish()
        elif live and page.live:
            page.unpublish()
        self._count(result, model._meta.model_name, created)
        return page
