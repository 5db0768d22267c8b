"""Many new pages under one parent, written in a few queries instead of dozens per page.

``parent.add_child`` + ``save_revision`` + ``publish`` cost some forty queries and three search,
reference-index and cache updates per page: 5,000 listings took over ten minutes. Here the
pages get what those calls would give them — tree paths allocated after the parent's last
child, slugs free among their siblings, one revision each, published or draft, the "created"
and "published" history entries, their reference index rows — through bulk inserts. Search
indexing and the page cache are the caller's to update once, for everything it wrote.

Django's ``bulk_create`` refuses multi-table models (a place is a row in ``wagtailcore_page``,
one in ``resources_listingpage`` and one in ``resources_placepage``), so the base rows are bulk
created and each child table's rows inserted with the same batched insert ``bulk_create`` uses.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import CharField, F, Model, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.models import get_all_child_relations
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision

CHUNK = 900  # ids in one statement, under SQLite's 999 parameters


def pages_bulk_create(*, parent: Page, pages: Sequence[Page], published: Sequence[bool]) -> None:
    """Create ``pages`` (unsaved, of one specific page type, their child objects assigned) as
    the last children of ``parent``, each with a first revision, published where
    ``published`` says so. A page's ``slug`` is kept when no sibling has it, otherwise made
    from its title as Wagtail does (``-2``, ``-3``…)."""
    if not pages:
        return
    model = type(pages[0])
    now = timezone.now()
    _place_in_tree(parent, pages)
    for page, live in zip(pages, published, strict=True):
        page.content_type = ContentType.objects.get_for_model(model)
        page.draft_title = page.title
        page.live = live
        page.has_unpublished_changes = not live
        page.latest_revision_created_at = now
        if live:
            page.first_published_at = page.last_published_at = now
    _insert(model, pages)
    _insert_children(model, pages)
    revisions = [
        Revision(
            content_type_id=page.content_type_id,
            base_content_type_id=ContentType.objects.get_for_model(Page).pk,
            object_id=str(page.pk),
            created_at=now,
            # As save_revision stores it: the page before it was published.
            content=_first_revision_content(page),
            object_str=str(page),
        )
        for page in pages
    ]
    Revision.objects.bulk_create(revisions)
    for page, revision, live in zip(pages, revisions, published, strict=True):
        page.latest_revision = revision
        page.live_revision = revision if live else None
    _link_revisions(pages, revisions, published)
    PageLogEntry.objects.bulk_create(_history(pages, revisions, published, now))
    _index_references(model, pages)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild += len(pages)


def _place_in_tree(parent: Page, pages: Sequence[Page]) -> None:
    """Paths after the parent's last child, as ``add_child`` allocates them one at a time."""
    last = parent.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    taken = set(parent.get_children().values_list("slug", flat=True))
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    for page in pages:
        step += 1
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, step)
        page.numchild = 0
        page.locale_id = parent.locale_id
        if not page.slug or page.slug in taken:
            base = slugify(page.title, allow_unicode=allow_unicode) or "page"
            page.slug, suffix = base, 1
            while page.slug in taken:
                suffix += 1
                page.slug = f"{base}-{suffix}"
        taken.add(page.slug)
        page.set_url_path(parent)


def _insert(model: type[Page], pages: Sequence[Page]) -> None:
    """One row per table of the page type, from ``Page`` down."""
    Page.objects.bulk_create(pages)  # sets each page's id
    tables = [m for m in reversed(model._meta.get_parent_list()) if m is not Page] + [model]
    for page in pages:
        for table in tables:
            for parent_link in table._meta.parents.values():
                setattr(page, parent_link.attname, page.id)
        page._state.adding = False
        page._state.db = router.db_for_write(model)
    for table in tables:
        fields = list(table._meta.local_concrete_fields)
        table._base_manager.all()._batched_insert(list(pages), fields, batch_size=None)


def _insert_children(model: type[Page], pages: Sequence[Page]) -> None:
    """The pages' assigned child objects (tags, schedules…), saved with their page's id."""
    for relation in get_all_child_relations(model):
        name = relation.get_accessor_name()
        rows: list[Model] = []
        for page in pages:
            assigned = getattr(page, "_cluster_related_objects", {}).get(name)
            if assigned is None:
                setattr(page, name, [])  # known empty: its revision need not ask the database
            elif assigned:
                for child in assigned:
                    setattr(child, relation.field.attname, page.pk)
                rows += assigned
        if rows:
            relation.related_model.objects.bulk_create(rows)


def _link_revisions(
    pages: Sequence[Page], revisions: Sequence[Revision], published: Sequence[bool]
) -> None:
    """Each page's row points at its revision: one UPDATE with a subquery per chunk (a CASE
    over thousands of ids, as ``bulk_update`` writes it, is slow on SQLite)."""
    revision_of_page = Revision.objects.filter(
        base_content_type_id=revisions[0].base_content_type_id,
        object_id=Cast(OuterRef("pk"), CharField()),
    ).values("pk")[:1]
    ids = [page.pk for page in pages]
    live_ids = [page.pk for page, live in zip(pages, published, strict=True) if live]
    for start in range(0, len(ids), CHUNK):
        Page.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            latest_revision=Subquery(revision_of_page)
        )
    for start in range(0, len(live_ids), CHUNK):
        Page.objects.filter(pk__in=live_ids[start : start + CHUNK]).update(
            live_revision=F("latest_revision")
        )


def _index_references(model: type[Page], pages: Sequence[Page]) -> None:
    """The reference index rows ``ReferenceIndex.create_or_update_for_object`` would write
    (the admin's "usage" of an operator or a place), in one insert: a new page has none to
    compare with, and three queries per page cost half the import's time."""
    if not ReferenceIndex.is_indexed(model):
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    base_content_type = ContentType.objects.get_for_model(Page)
    ReferenceIndex.objects.bulk_create(
        [
            ReferenceIndex(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=page.pk,
                to_content_type_id=to_content_type_id,
                to_object_id=to_object_id,
                model_path=model_path,
                content_path=content_path,
                content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
            )
            for page in pages
            for to_content_type_id, to_object_id, model_path, content_path in set(
                ReferenceIndex._extract_references_from_object(page)
            )
        ],
        batch_size=500,
    )


def _first_revision_content(page: Page) -> dict:
    data = page.serializable_data()
    data.update(
        live=False,
        has_unpublished_changes=True,
        live_revision=None,
        latest_revision=None,
        first_published_at=None,
        last_published_at=None,
    )
    return data


def _history(
    pages: Sequence[Page], revisions: Sequence[Revision], published: Sequence[bool], now
) -> list[PageLogEntry]:
    """The entries the page's history shows after add_child and publish."""
    entries = []
    for page, revision, live in zip(pages, revisions, published, strict=True):
        common = {
            "page_id": page.pk,
            "content_type_id": page.content_type_id,
            "label": page.get_admin_display_title(),
            "timestamp": now,
            "content_changed": True,
            "data": {},
        }
        entries.append(PageLogEntry(action="wagtail.create", uuid=uuid.uuid4(), **common))
        if live:
            entries.append(
                PageLogEntry(
                    action="wagtail.publish", uuid=uuid.uuid4(), revision=revision, **common
                )
            )
    return entries
