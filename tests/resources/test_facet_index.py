"""The facet index gives the same results and counts as the facets' SQL, and is rebuilt on change.

The directory page counts and pages through bitsets; ``facet_q`` stays the definition (it
filters the map and the calendar). Random combinations over a town with varied listings
compare the two on every option, so one cannot drift from the other.
"""

import datetime as dt
import random
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.db.models import Count
from django.http import QueryDict

from resources import caching
from resources.facet_index import OrderedKeys
from resources.filters import ANY_OF_GROUPS, COUPLED, FACET_GROUPS, DirectoryFilterSet
from resources.models import ListingPage, ListingTag

from .conftest import build_town
from .factories import ActivityPageFactory, PlacePageFactory, directory_page

pytestmark = pytest.mark.django_db

FLAGS = (
    "for_elderly",
    "for_disabled",
    "for_children",
    "for_poverty",
    "for_everyone",
    "barrier_free",
    "accessible_toilet",
    "hearing_support",
    "vision_support",
    "pickup",
    "near_bus_stop",
    "parking",
)


@pytest.fixture(scope="module")
def varied_town(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """The small town plus 24 listings with random districts, flags, costs, tags and
    schedules (some rules ended), built once for the module."""
    rng = random.Random(7)
    with django_db_blocker.unblock(), transaction.atomic():
        directory = directory_page()
        town = build_town()
        terms = [town.cooking, town.exercise, town.farming]
        areas = [town.wadomari, town.kibiru, town.kunigami]
        for n in range(24):
            factory = PlacePageFactory if n % 2 else ActivityPageFactory
            opens = rng.choice(range(4, 22))
            factory(
                title=f"集いの場{n}",
                summary=rng.choice(["食堂です", "体操をします", "畑仕事"]),
                area=rng.choice([*areas, None]),
                cost=rng.choice(list(ListingPage.Cost.values)),
                tags=rng.sample(terms, rng.randint(0, 3)),
                schedule=[
                    {
                        "weekday": rng.randrange(7),
                        "opens_at": dt.time(opens),
                        "closes_at": dt.time(min(opens + rng.randint(1, 3), 23)),
                        "valid_until": rng.choice([None, None, dt.date(2020, 1, 1)]),
                    }
                    for _ in range(rng.randint(0, 2))
                ],
                **{flag: rng.random() < 0.4 for flag in FLAGS},
            )
        yield SimpleNamespace(directory=directory, town=town)
        transaction.set_rollback(True)


def run(directory, query: QueryDict) -> DirectoryFilterSet:
    from resources.selectors import directory_listings

    return DirectoryFilterSet(query, queryset=directory_listings(directory))


def random_queries(filterset: DirectoryFilterSet, n: int) -> list[QueryDict]:
    rng = random.Random(11)
    queries = []
    for _ in range(n):
        query = QueryDict(mutable=True)
        # The town facet has options only on a site sharing with the island.
        groups = [name for name in FACET_GROUPS if filterset.filters[name].field.choices]
        for name in rng.sample(groups, rng.randint(1, 4)):
            choices = [value for value, _label in filterset.filters[name].field.choices]
            query.setlist(name, rng.sample(choices, rng.randint(1, min(2, len(choices)))))
        if rng.random() < 0.4:
            query["q"] = rng.choice(["しょくどう", "体操", "畑"])
        queries.append(query)
    return queries


def filtered_except(filterset: DirectoryFilterSet, ignored: set[str]):
    """The keyword matches passing every selected group but ``ignored``, in SQL."""
    selected = filterset.selected()
    within = filterset.queryset
    if "q" in selected:
        within = within.filter(pk__in=filterset.hits().matching)
    for name in FACET_GROUPS:
        if name in selected and name not in ignored:
            within = within.filter(filterset.facet_q(name, selected[name]))
    return within


def expected_counts(filterset: DirectoryFilterSet) -> dict[tuple[str, str], int]:
    """Each option's count, straight from SQL with the rules the facet list promises."""
    counts = {}
    for name in FACET_GROUPS:
        if name == "tag":
            continue
        ignored = {name, COUPLED.get(name)} if name in ANY_OF_GROUPS else set()
        within = filtered_except(filterset, ignored)
        for value, _label in filterset.filters[name].field.choices:
            counts[name, str(value)] = within.filter(filterset.facet_q(name, [value])).count()
    return counts


def test_results_and_counts_match_the_sql_on_random_combinations(varied_town):
    directory = varied_town.directory
    probe = run(directory, QueryDict())
    assert len(probe.results()) == 28
    for query in random_queries(probe, 25):
        filterset = run(directory, query)
        expected = list(filterset.qs.values_list("pk", flat=True))
        total, facets = filterset.facets()
        results = filterset.results()
        assert total == len(expected) == len(results), query
        assert {page.pk for page in results[0:100]} == set(expected), query
        counted = {
            (facet.name, option.value): option.count
            for facet in facets
            if facet.name != "tag"
            for option in facet.options
        }
        assert counted == expected_counts(filterset), query
        # Every term here is an interest: one tag group, counted as if none were ticked.
        tags = {
            option.value: option.count for f in facets if f.name == "tag" for option in f.options
        }
        in_sql = (
            ListingTag.objects.filter(content_object__in=filtered_except(filterset, {"tag"}))
            .values("tag__slug")
            .annotate(n=Count("content_object"))
        )
        counted = {row["tag__slug"]: row["n"] for row in in_sql}
        ticked = {slug: counted.get(slug, 0) for slug in filterset.selected().get("tag", [])}
        assert tags == counted | ticked, query


def test_without_keywords_results_keep_the_kana_order(varied_town):
    directory = varied_town.directory
    results = run(directory, QueryDict("audience=elderly&audience=everyone")).results()
    in_sql = run(directory, QueryDict("audience=elderly&audience=everyone")).qs
    assert [page.pk for page in results[0:50]] == [page.pk for page in in_sql]
    assert [page.pk for page in results[2:5]] == [page.pk for page in in_sql[2:5]]


def test_index_is_built_once_then_rebuilt_after_a_publish(varied_town, django_assert_num_queries):
    directory = varied_town.directory
    caching.invalidate()
    filtersets = [run(directory, QueryDict()), run(directory, QueryDict("kind=place"))]
    with django_assert_num_queries(3):  # listings, schedule rules, tags
        first = filtersets[0].index()
    with django_assert_num_queries(0):
        assert filtersets[1].index() is first
    page = varied_town.town.hatake
    page.save_revision().publish()
    rebuilt = run(directory, QueryDict()).index()
    assert rebuilt is not first and rebuilt.keys == first.keys


def test_rules_that_ended_are_left_out_of_the_day_facet(varied_town):
    directory, oshaberi = varied_town.directory, varied_town.town.oshaberi
    thursday = QueryDict("weekday=4")
    before = {page.pk for page in run(directory, thursday).results()[0:100]}
    assert oshaberi.pk in before
    rule = oshaberi.schedule_rules.get()
    rule.valid_until = dt.date(2020, 3, 31)
    rule.save()
    caching.invalidate()  # as publishing the change would
    filterset = run(directory, thursday)
    total, _facets = filterset.facets()
    assert {page.pk for page in filterset.results()[0:100]} == before - {oshaberi.pk}
    assert total == len(before) - 1


@pytest.mark.parametrize("seed", range(5))
def test_ordered_keys_slice_like_the_list_they_stand_for(seed):
    rng = random.Random(seed)
    keys = list(range(1000, 1000 + rng.randint(1, 300)))
    chosen = [i for i in range(len(keys)) if rng.random() < 0.3]
    bits = sum(1 << i for i in chosen)
    expected = [keys[i] for i in chosen]
    ordered = OrderedKeys(keys, bits)
    assert len(ordered) == len(expected)
    for start, stop in [(0, 20), (20, 40), (5, 6), (0, 1000), (len(expected), len(expected) + 5)]:
        assert ordered[start:stop] == expected[start:stop]
    if expected:
        assert ordered[len(expected) - 1] == expected[-1]
