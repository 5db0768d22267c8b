"""Tag facets: any of one kind of term (サロン or 体操), all of the kinds (and 車いす), the
counts saying what ticking each tag would add; the SQL and the bitset forms agree."""

import re
from types import SimpleNamespace

import pytest
from django.http import QueryDict

from resources.filters import DirectoryFilterSet
from resources.models import Term
from resources.selectors import directory_listings

from .factories import AreaFactory, PlacePageFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(directory) -> SimpleNamespace:
    """Five listings over two districts; two interests, one accommodation, one audience."""
    east, west = AreaFactory(name="東区"), AreaFactory(name="西区")
    salon = TermFactory(name="サロン", slug="salon")
    exercise = TermFactory(name="体操", slug="exercise")
    wheelchair = TermFactory(name="車いす", slug="wheelchair", kind=Term.Kind.ACCOMMODATION)
    elderly = TermFactory(name="高齢者", slug="elderly", kind=Term.Kind.AUDIENCE)
    for title, area, tags in [
        ("サロンA", east, [salon, wheelchair]),
        ("体操B", east, [exercise]),
        ("サロン体操C", west, [salon, exercise, elderly]),
        ("体操D", west, [exercise, wheelchair]),
        ("なにもなしE", east, []),
    ]:
        PlacePageFactory(title=title, area=area, tags=tags)
    return SimpleNamespace(east=east, west=west)


def run(directory, query: str) -> DirectoryFilterSet:
    return DirectoryFilterSet(QueryDict(query), queryset=directory_listings(directory))


def titles(directory, query: str) -> set[str]:
    """The result list's titles, checked against the same facets as SQL (the map's form)."""
    filterset = run(directory, query)
    listed = {page.title for page in filterset.results()}
    assert listed == {page.title for page in filterset.qs}, query
    return listed


def tag_counts(directory, query: str) -> dict[str, dict[str, tuple[int, bool]]]:
    _total, facets = run(directory, query).facets()
    return {
        facet.legend: {option.value: (option.count, option.checked) for option in facet.options}
        for facet in facets
        if facet.name == "tag"
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag=salon", {"サロンA", "サロン体操C"}),
        # Measured: サロン and 体操 together gave only the listing with both.
        ("tag=salon&tag=exercise", {"サロンA", "体操B", "サロン体操C", "体操D"}),
        ("tag=salon&tag=wheelchair", {"サロンA"}),
        ("tag=salon&tag=exercise&tag=wheelchair", {"サロンA", "体操D"}),
        ("tag=exercise&tag=elderly", {"サロン体操C"}),
        ("tag=wheelchair&tag=elderly", set()),
    ],
)
def test_tags_are_any_of_within_a_kind_and_all_of_across_kinds(directory, tagged, query, expected):
    assert titles(directory, query) == expected


def test_tags_and_districts_combine(directory, tagged):
    assert titles(directory, f"area={tagged.east.pk}&tag=exercise") == {"体操B"}
    both = f"area={tagged.east.pk}&area={tagged.west.pk}&tag=salon&tag=exercise"
    assert titles(directory, both) == {"サロンA", "体操B", "サロン体操C", "体操D"}
    assert titles(directory, f"area={tagged.west.pk}&tag=salon&tag=wheelchair") == set()


def test_each_kind_is_its_own_group_with_its_own_legend(directory, tagged):
    assert tag_counts(directory, "") == {
        "タグ（関心・活動）": {"exercise": (3, False), "salon": (2, False)},
        "タグ（支援ニーズ）": {},
        "タグ（対象）": {"elderly": (1, False)},
        "タグ（配慮）": {"wheelchair": (2, False)},
    }


def test_counts_say_what_ticking_a_tag_would_add(directory, tagged):
    counts = tag_counts(directory, "tag=salon")
    # Its own kind is counted as if nothing of that kind were ticked: 体操 would add three.
    assert counts["タグ（関心・活動）"] == {"exercise": (3, False), "salon": (2, True)}
    # Other kinds are counted within the two results.
    assert counts["タグ（配慮）"] == {"wheelchair": (1, False)}
    assert counts["タグ（対象）"] == {"elderly": (1, False)}


def test_counts_within_a_kind_respect_the_other_kinds(directory, tagged):
    counts = tag_counts(directory, "tag=salon&tag=wheelchair")
    assert counts["タグ（関心・活動）"] == {"salon": (1, True), "exercise": (1, False)}
    assert counts["タグ（配慮）"] == {"wheelchair": (1, True)}
    total, _facets = run(directory, "tag=salon&tag=wheelchair&tag=exercise").facets()
    assert total == 2  # サロンA, and 体操D which ticking 体操 added


def test_a_ticked_tag_with_nothing_left_is_still_shown(directory, tagged):
    counts = tag_counts(directory, f"area={tagged.east.pk}&tag=elderly")
    assert counts["タグ（対象）"] == {"elderly": (0, True)}


def test_every_tag_checkbox_has_its_own_id(client, directory, tagged):
    html = client.get(f"{directory.url}?tag=salon&tag=wheelchair").content.decode()
    ids = re.findall(r'<input type="checkbox" name="[a-z]+" value="[^"]*" id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) > 0
    assert set(re.findall(r'<label for="([^"]+)"', html)) >= set(ids)
    assert re.search(r'name="tag" value="salon" id="f-tag-\d+" checked', html)
    assert re.search(r'name="tag" value="wheelchair" id="f-tag-\d+" checked', html)
