"""Each facet on its own, combined, normalised, and refusing bad input without a 500."""

import datetime as dt

import pytest
from django.http import QueryDict

from resources.filters import DirectoryFilterSet
from resources.selectors import directory_listings

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(shared_town):
    return shared_town


def run(directory, query: str) -> DirectoryFilterSet:
    return DirectoryFilterSet(QueryDict(query), queryset=directory_listings(directory))


def titles(directory, query: str) -> set[str]:
    return {page.title for page in run(directory, query).qs}


ALL = {"子ども食堂ひまわり", "いきいき体操", "みんなの畑", "夜のおしゃべり会"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("kind=place", {"子ども食堂ひまわり", "みんなの畑"}),
        ("kind=activity", {"いきいき体操", "夜のおしゃべり会"}),
        ("kind=place&kind=activity", ALL),
        ("audience=children", {"子ども食堂ひまわり"}),
        ("audience=elderly&audience=children", {"子ども食堂ひまわり", "いきいき体操"}),
        ("audience=everyone", {"みんなの畑"}),
        ("audience=poverty", set()),
        ("weekday=5", {"子ども食堂ひまわり", "みんなの畑"}),
        ("weekday=2&weekday=4", {"いきいき体操", "夜のおしゃべり会"}),
        ("time=morning", {"みんなの畑"}),
        ("time=afternoon", {"子ども食堂ひまわり", "いきいき体操"}),
        ("time=evening", {"みんなの畑", "夜のおしゃべり会"}),
        # Day and time must be one session: the field is open Saturday evening, not morning.
        ("weekday=5&time=morning", set()),
        ("weekday=5&time=evening", {"みんなの畑"}),
        ("cost=free", {"子ども食堂ひまわり", "いきいき体操"}),
        ("access=barrier_free", {"子ども食堂ひまわり", "いきいき体操"}),
        ("access=barrier_free&access=accessible_toilet", {"いきいき体操"}),
        ("access=hearing_support", {"夜のおしゃべり会"}),
        ("transport=pickup", {"子ども食堂ひまわり"}),
        ("transport=parking", {"みんなの畑"}),
        ("transport=near_bus_stop", {"いきいき体操"}),
        ("transport=pickup&transport=near_bus_stop", set()),
        ("tag=cooking", {"子ども食堂ひまわり", "みんなの畑"}),
        # Interests are any of (tags of other kinds narrow: tests/resources/test_search_facets.py).
        ("tag=cooking&tag=farming", {"子ども食堂ひまわり", "みんなの畑"}),
        ("tag=cooking&tag=exercise", {"子ども食堂ひまわり", "いきいき体操", "みんなの畑"}),
    ],
)
def test_each_facet(directory, town, query, expected):
    assert titles(directory, query) == expected


def test_districts_are_any_of(directory, town):
    assert titles(directory, f"area={town.wadomari.pk}") == {
        "子ども食堂ひまわり",
        "夜のおしゃべり会",
    }
    assert titles(directory, f"area={town.wadomari.pk}&area={town.kibiru.pk}") == {
        "子ども食堂ひまわり",
        "いきいき体操",
        "夜のおしゃべり会",
    }


def test_facets_and_keywords_combine(directory, town):
    query = f"q=しょくどう&area={town.wadomari.pk}&cost=free&weekday=5&tag=cooking"
    assert titles(directory, query) == {"子ども食堂ひまわり"}
    assert titles(directory, f"q=食堂&area={town.kibiru.pk}") == set()


def test_ended_schedules_do_not_count(directory, town):
    rule = town.oshaberi.schedule_rules.get()
    rule.valid_until = dt.date(2020, 3, 31)
    rule.save()
    assert titles(directory, "weekday=4") == set()


def test_full_width_input_is_normalised(directory, town):
    pk = str(town.wadomari.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    filterset = run(directory, f"weekday=５&area={pk}&q=ｼｮｸﾄﾞｳ")
    assert not filterset.errors
    assert {page.title for page in filterset.qs} == {"子ども食堂ひまわり"}
    assert (
        filterset.query_string()
        == QueryDict(f"weekday=5&area={town.wadomari.pk}&q=ショクドウ").urlencode()
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("weekday=9", "weekday"),
        ("weekday=月", "weekday"),
        ("area=abc", "area"),
        ("area=99999", "area"),
        ("kind=event", "kind"),
        ("time=night", "time"),
        ("tag=no-such-tag", "tag"),
        ("cost=paid", "cost"),
        ("q=" + "あ" * 101, "q"),
    ],
)
def test_bad_values_are_reported_in_japanese_and_ignored(directory, town, query, field):
    filterset = run(directory, f"{query}&transport=parking")
    message = filterset.errors[field][0]
    assert "選択" in message or "文字" in message  # Django's Japanese messages
    assert {page.title for page in filterset.qs} == {"みんなの畑"}


def test_counts_show_what_ticking_would_add_or_leave(directory, town):
    filterset = run(directory, f"area={town.wadomari.pk}")
    total, facets = filterset.facets()
    counts: dict[str, dict] = {}
    for facet in facets:  # tags come in one group per kind of term
        counts.setdefault(facet.name, {}).update(
            {o.value: (o.count, o.checked) for o in facet.options}
        )
    assert total == 2
    # Any-of groups count as if their own group were not ticked: other districts would add.
    assert counts["area"] == {
        str(town.wadomari.pk): (2, True),
        str(town.kibiru.pk): (1, False),
        str(town.kunigami.pk): (1, False),
    }
    # Every other group counts within the current results.
    assert counts["kind"] == {"place": (1, False), "activity": (1, False)}
    assert counts["cost"] == {"free": (1, False)}
    assert counts["weekday"]["5"] == (1, False) and counts["weekday"]["4"] == (1, False)
    assert counts["transport"]["pickup"] == (1, False)
    assert counts["tag"] == {"cooking": (1, False)}


def test_day_counts_respect_the_ticked_time(directory, town):
    _, facets = run(directory, "time=evening").facets()
    weekday = {o.value: o.count for o in next(f for f in facets if f.name == "weekday").options}
    assert weekday == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1, "5": 1, "6": 0}


def test_tag_counts_include_a_ticked_tag_with_no_results(directory, town):
    _, facets = run(directory, "tag=exercise&kind=place").facets()
    tags = {
        o.value: (o.count, o.checked) for o in next(f for f in facets if f.name == "tag").options
    }
    # The other interests count what ticking them would add to the places.
    assert tags == {"exercise": (0, True), "cooking": (2, False), "farming": (1, False)}


def test_active_filters_link_to_the_same_query_without_each(directory, town):
    filterset = run(directory, f"q=食堂&area={town.wadomari.pk}&weekday=5&weekday=0&page=2")
    active = {(a.legend, a.label): QueryDict(a.remove_query) for a in filterset.active_filters()}
    assert set(active) == {
        ("キーワード", "食堂"),
        ("地区", "和泊"),
        ("曜日", "土曜"),
        ("曜日", "月曜"),
    }
    without_saturday = active[("曜日", "土曜")]
    assert without_saturday.getlist("weekday") == ["0"]
    assert without_saturday["q"] == "食堂" and "page" not in without_saturday
    assert "q" not in active[("キーワード", "食堂")]
