"""The client list finds a client by part of the name or reading, however the kana is typed,
within the user's own clients only; each search is logged once, without what was typed."""

import sys
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import reset_queries
from wagtail.models import ModelLogEntry

from matching.models import Client, ClientLogEntry

from .factories import ClientFactory

pytestmark = pytest.mark.django_db

SEARCH = "matching.client.search"


@pytest.fixture
def umeda(team_a):
    return ClientFactory(team=team_a, name="梅田 花子", kana="うめだ はなこ")


@pytest.fixture
def sato(team_a):
    return ClientFactory(team=team_a, name="佐藤 一郎", kana="さとう いちろう")


@pytest.fixture
def theirs(team_b):
    """Team B's client with the same reading as team A's 梅田さん."""
    return ClientFactory(team=team_b, name="梅田 ゆう子", kana="うめだ ゆうこ")


def listing(browser, user, query: str) -> str:
    browser.force_login(user)
    response = browser.get("/admin/clients/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def searches(user=None) -> list[dict]:
    entries = ModelLogEntry.objects.filter(action=SEARCH).order_by("pk")
    if user is not None:
        entries = entries.filter(user=user)
    return [entry.data for entry in entries]


@pytest.mark.parametrize(
    "typed",
    [
        "ウメ",  # katakana, part of the reading
        "うめ",  # hiragana
        "ｳﾒ",  # half-width
        "ウメダ　ハナ",  # full-width space inside, spaces ignored
        "めだは",  # across the space in the stored reading
        "梅田",  # part of the kanji name
        "田花",  # across the space in the stored name
    ],
)
def test_part_of_the_name_or_reading_finds_the_client(client, coordinator, umeda, sato, typed):
    page = listing(client, coordinator, typed)
    assert umeda.reference_code in page
    assert sato.reference_code not in page
    assert umeda.name not in page and umeda.kana not in page  # the list shows codes only


def test_long_vowel_marks_typed_as_dashes_match(client, coordinator, team_a):
    person = ClientFactory(team=team_a, name="ルーシー 京子", kana="ルーシー きょうこ")
    for typed in ("ル－シ－", "ﾙｰｼｰ", "ルーシー"):
        assert person.reference_code in listing(client, coordinator, typed), typed


def test_codes_are_still_found_in_any_width(client, coordinator, umeda, sato):
    code = umeda.reference_code
    full_width = code[-4:].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    page = listing(client, coordinator, full_width)
    assert code in page and sato.reference_code not in page


def test_another_teams_coordinator_finds_nothing_of_team_a(
    client, other_coordinator, umeda, theirs
):
    page = listing(client, other_coordinator, "うめだ はなこ")
    assert umeda.reference_code not in page
    page = listing(client, other_coordinator, "ウメダ")
    assert theirs.reference_code in page and umeda.reference_code not in page
    # Only their own clients were looked into.
    assert searches(other_coordinator)[-1] == {"searched": 1, "matched": 1}


def test_a_supervisor_who_sees_every_team_finds_both(client, supervisor, umeda, theirs):
    page = listing(client, supervisor, "ウメダ")
    assert umeda.reference_code in page and theirs.reference_code in page


def test_filters_narrow_what_is_searched(client, coordinator, umeda, team_a):
    other = ClientFactory(team=team_a, name="梅本 次郎", kana="うめもと じろう", status="closed")
    client.force_login(coordinator)
    page = client.get("/admin/clients/", {"q": "うめ", "status": "closed"}).content.decode()
    assert other.reference_code in page and umeda.reference_code not in page
    assert searches(coordinator)[-1] == {"searched": 1, "matched": 1}


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_editors_and_anonymous_get_no_access(request, client, umeda, who):
    if who == "editor":
        client.force_login(request.getfixturevalue("editor"))
    response = client.get("/admin/clients/", {"q": "ウメ"})
    assert response.status_code in (302, 403)
    text = response.content.decode()
    assert umeda.reference_code not in text and umeda.name not in text
    assert searches() == []


def test_each_search_is_logged_once_with_counts_and_never_the_text(
    client, coordinator, umeda, sato
):
    listing(client, coordinator, "ウメダ")
    listing(client, coordinator, "存在しない名前")
    client.get("/admin/clients/")  # no search: nothing to log
    assert searches(coordinator) == [
        {"searched": 2, "matched": 1},
        {"searched": 2, "matched": 0},
    ]
    user_type = ContentType.objects.get_for_model(coordinator)
    entries = ModelLogEntry.objects.filter(action=SEARCH)
    assert set(entries.values_list("content_type", "object_id")) == {
        (user_type.pk, str(coordinator.pk))
    }
    logged = repr(list(entries.values())) + repr(list(ClientLogEntry.objects.values()))
    for secret in ("ウメダ", "うめだ", "梅田", "存在しない名前", umeda.name, umeda.kana):
        assert secret not in logged, secret
    # A search is not a read of any client's record.
    assert not ClientLogEntry.objects.filter(client_id=umeda.pk).exists()


def test_the_selector_matches_within_the_queryset_it_is_given(umeda, theirs, coordinator):
    scoped = Client.objects.visible_to(coordinator)
    assert scoped.search_pks("ウメダ") == ([umeda.pk], 1)
    assert list(Client.objects.none().search("ウメダ")) == []
    assert scoped.search_pks("　") == ([], 0)  # nothing typed: nothing looked into


def _many(team, n: int) -> None:
    surnames = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
    readings = [
        "やまだ",
        "さとう",
        "すずき",
        "たかはし",
        "たなか",
        "いとう",
        "わたなべ",
        "なかむら",
    ]
    Client.objects.bulk_create(
        Client(
            team=team,
            reference_code=f"C-BULK{i:05d}",
            name=f"{surnames[i % 8]} 太郎{i}",
            kana=f"{readings[i % 8]} たろう",
        )
        for i in range(n)
    )


def test_two_thousand_clients_are_searched_in_a_fixed_number_of_queries(
    client, coordinator, team_a, umeda, capsys, django_assert_max_num_queries
):
    _many(team_a, 20)
    listing(client, coordinator, "ウメダ")
    reset_queries()
    with django_assert_max_num_queries(100) as small:
        listing(client, coordinator, "ウメダ")
    baseline = len(small)  # before reset_queries() empties the log it reads
    more = 2000 - Client.objects.filter(team=team_a).count()
    Client.objects.bulk_create(
        Client(team=team_a, reference_code=f"C-MORE{i:05d}", name=f"大山 {i}", kana="おおやま")
        for i in range(more)
    )
    assert Client.objects.filter(team=team_a).count() == 2000
    reset_queries()
    with django_assert_max_num_queries(baseline):
        page = listing(client, coordinator, "ウメダ")
    assert umeda.reference_code in page

    scoped = Client.objects.visible_to(coordinator)
    started = time.perf_counter()
    found, searched = scoped.search_pks("やまだ")
    elapsed = time.perf_counter() - started
    assert (len(found), searched) == (3, 2000)  # three of the first twenty are 山田
    with capsys.disabled():
        sys.stdout.write(
            f"\nclient search: 2,000 clients decrypted and matched in {elapsed:.3f} s\n"
        )
