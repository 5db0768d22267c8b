"""A prefecture-sized directory for benchmarks: 10,000 places and 30,000 activities.

Built under the demo town's directory, with its districts and vocabulary, in bulk: adding
40,000 pages through Wagtail one by one would take most of an hour, so the rows are written
as Wagtail would write them (tree paths, URL paths, the page tables of each type, schedule
rules, tags) and indexed for search with the backend's own bulk indexing.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from resources import caching
from resources.models import (
    ActivityPage,
    Area,
    DirectoryIndexPage,
    ListingPage,
    ListingTag,
    Organization,
    PlacePage,
    ScheduleRule,
    Term,
)

N_PLACES = int(os.environ.get("BENCH_PLACES", 10_000))
N_ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", 30_000))
N_ORGANIZATIONS = 300
CHUNK = 500

PLACE_KINDS = (
    "公民館",
    "集落センター",
    "サロン",
    "図書館分室",
    "体育館",
    "子ども食堂",
    "農園",
    "カフェ",
)
ACTIVITY_KINDS = (
    "ふれあいサロン",
    "いきいき体操",
    "三線教室",
    "手芸の会",
    "えらぶゆり・花き栽培の手伝い",
    "農作業体験",
    "就労体験",
    "学習支援",
    "傾聴の会",
    "子ども食堂",
    "料理教室",
    "囲碁・将棋の会",
)
SUMMARIES = (
    "地域の誰もが気軽に立ち寄れる場所です。お茶を飲みながらおしゃべりを楽しめます。",
    "月に数回、体を動かしたり手を動かしたりして過ごします。初めての方も歓迎します。",
    "見学だけでも大丈夫です。送迎の相談にも応じます。",
    "季節の行事や畑仕事を通じて、世代をこえた交流をしています。",
)


def build(seed: int = 20261127) -> DirectoryIndexPage:
    """Add the generated listings to the existing demo directory; returns the directory."""
    rng = random.Random(seed)
    directory = DirectoryIndexPage.objects.get()
    areas = list(Area.objects.all())
    terms = list(Term.objects.all())
    with transaction.atomic():
        Organization.objects.bulk_create(
            Organization(name=f"ベンチ団体{n}", kana=f"べんちだんたい{n}", kind="voluntary")
            for n in range(N_ORGANIZATIONS)
        )
        organizations = list(Organization.objects.filter(name__startswith="ベンチ団体"))
        place_ids = _add_listings(
            PlacePage,
            directory,
            (_place(rng, n, areas, organizations) for n in range(N_PLACES)),
            rng,
            terms,
        )
        places = dict(PlacePage.objects.in_bulk(place_ids))
        activity_ids = _add_listings(
            ActivityPage,
            directory,
            (
                _activity(rng, n, places[rng.choice(place_ids)], organizations)
                for n in range(N_ACTIVITIES)
            ),
            rng,
            terms,
        )
    _index(PlacePage, place_ids)
    _index(ActivityPage, activity_ids)
    _settle()
    caching.invalidate()  # bulk writes skip the publish signals that would do this
    return directory


def _settle() -> None:
    """What autovacuum does after a bulk load, which it cannot do inside the benchmark's
    transaction: fresh planner statistics (without them PostgreSQL scans whole tables for
    a page's schedule rules), and GIN pending lists merged (otherwise every full-text search
    reads them through)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE a.amname = 'gin'"
        )
        cursor.execute("ANALYZE")


def _place(rng: random.Random, n: int, areas: list[Area], orgs: list[Organization]) -> dict:
    area = rng.choice(areas)
    return {
        "title": f"{area.name}{rng.choice(PLACE_KINDS)}{n}",
        "kana": "",
        "summary": rng.choice(SUMMARIES),
        "area_id": area.pk,
        "organization_id": rng.choice(orgs).pk,
        "address": f"和泊町{area.name}{rng.randint(1, 2000)}番地",
        "latitude": area.latitude + Decimal(rng.randint(-300, 300)) / 100000,
        "longitude": area.longitude + Decimal(rng.randint(-300, 300)) / 100000,
        **_flags(rng),
    }


def _activity(rng: random.Random, n: int, place: PlacePage, orgs: list[Organization]) -> dict:
    return {
        "title": f"{rng.choice(ACTIVITY_KINDS)}（{place.title}）{n}",
        "kana": "",
        "summary": rng.choice(SUMMARIES),
        "place_id": place.pk,
        "area_id": place.area_id,
        "organization_id": rng.choice(orgs).pk,
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "accepts_placements": rng.random() < 0.5,
        "placement_capacity": rng.choice([0, 1, 2, 3, 5]),
        "tour_ok": rng.random() < 0.5,
        "companion_ok": rng.random() < 0.4,
        "short_time_ok": rng.random() < 0.5,
        **_flags(rng),
    }


def _flags(rng: random.Random) -> dict:
    return {
        "cost": rng.choice(["free", "free", "paid", "donation"]),
        "for_elderly": rng.random() < 0.4,
        "for_children": rng.random() < 0.2,
        "for_disabled": rng.random() < 0.15,
        "for_poverty": rng.random() < 0.1,
        "for_everyone": rng.random() < 0.6,
        "barrier_free": rng.random() < 0.4,
        "accessible_toilet": rng.random() < 0.3,
        "parking": rng.random() < 0.6,
        "pickup": rng.random() < 0.15,
        "near_bus_stop": rng.random() < 0.3,
        "assured_date": timezone.localdate() - dt.timedelta(days=rng.randint(0, 400)),
    }


def _add_listings(
    model: type[ListingPage],
    parent: Page,
    specs: Iterator[dict],
    rng: random.Random,
    terms: list[Term],
) -> list[int]:
    """Write pages of ``model`` as children of ``parent``, as Wagtail's tree would."""
    content_type = ContentType.objects.get_for_model(model)
    locale = Locale.get_default()
    now = timezone.now()
    parent = Page.objects.get(pk=parent.pk)
    step = parent.numchild
    pk_ids: list[int] = []
    batch: list[dict] = []

    def flush() -> None:
        nonlocal step
        pages = []
        for spec in batch:
            step += 1
            slug = f"{model._meta.model_name}-{uuid.uuid4().hex[:12]}"
            pages.append(
                Page(
                    title=spec["title"],
                    draft_title=spec["title"],
                    slug=slug,
                    content_type=content_type,
                    locale=locale,
                    path=Page._get_path(parent.path, parent.depth + 1, step),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{slug}/",
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                    latest_revision_created_at=now,
                    translation_key=uuid.uuid4(),
                )
            )
        Page.objects.bulk_create(pages)
        ids = list(
            Page.objects.filter(path__in=[p.path for p in pages])
            .order_by("path")
            .values_list("pk", flat=True)
        )
        rows = []
        for page_id, spec in zip(ids, batch, strict=True):
            row = model(page_ptr_id=page_id, listingpage_ptr_id=page_id, **spec)
            row.hsds_id = uuid.uuid4()
            rows.append(row)
        _insert_parent_tables(model, rows)
        _schedules_and_tags(rng, ids, terms)
        pk_ids.extend(ids)
        batch.clear()

    for spec in specs:
        batch.append(spec)
        if len(batch) == CHUNK:
            flush()
    if batch:
        flush()
    Page.objects.filter(pk=parent.pk).update(numchild=step)
    return pk_ids


def _insert_parent_tables(model: type[ListingPage], rows: list[ListingPage]) -> None:
    """Django's bulk_create refuses multi-table models; insert each table's own columns."""
    for table_model in (ListingPage, model):
        fields = list(table_model._meta.local_concrete_fields)
        table_model._base_manager._insert(rows, fields=fields)


def _schedules_and_tags(rng: random.Random, ids: list[int], terms: list[Term]) -> None:
    rules, tags = [], []
    for page_id in ids:
        for order in range(rng.randint(1, 2)):
            opens = rng.choice([9, 10, 13, 14, 18])
            rules.append(
                ScheduleRule(
                    listing_id=page_id,
                    sort_order=order,
                    weekday=rng.randrange(7),
                    weeks_of_month=rng.choice(["", "", "1,3", "2,4"]),
                    opens_at=dt.time(opens),
                    closes_at=dt.time(opens + 2),
                )
            )
        weights = [1 / (rank + 1) for rank in range(len(terms))]
        chosen = {t.pk for t in rng.choices(terms, weights, k=rng.randint(2, 5))}
        tags += [ListingTag(content_object_id=page_id, tag_id=tag_id) for tag_id in chosen]
    ScheduleRule.objects.bulk_create(rules)
    ListingTag.objects.bulk_create(tags)


def _index(model: type[Model], ids: list[int]) -> None:
    """The search backend's bulk indexing, in chunks with what ``search_parts`` reads (an
    activity's place and that place's district too)."""
    backend = get_search_backend()
    related = ["area", "organization"] + (["place__area"] if model is ActivityPage else [])
    for start in range(0, len(ids), CHUNK):
        chunk = list(
            model.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related(*related)
            .prefetch_related("tags")
        )
        backend.add_bulk(model, chunk)
