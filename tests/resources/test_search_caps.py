"""Search input caps: over-long or many-word keywords are a 400 with a Japanese message on the
directory (the page still usable) and on the API (JSON); within the caps nothing recurses."""

import time

import pytest

from resources.search_input import MAX_SEARCH_CHARS, MAX_SEARCH_TERMS, clean_search
from tsunagu.text import query_terms

pytestmark = pytest.mark.django_db

TOO_LONG = "子ども食堂" * 21  # 105 characters
TOO_MANY_WORDS = " ".join(["食堂"] * 11)
# One "word" Sudachi cuts into many tokens: each one more AND group in the backend's query.
SPLINTERED = "あア亜aA1" * 16
HSDS = "/api/hsds"


def test_the_caps_and_their_japanese_messages():
    assert clean_search("  子ども食堂　和泊 ") == "子ども食堂 和泊"
    with pytest.raises(Exception, match="100文字以内にしてください（いまは105文字です）"):
        clean_search(TOO_LONG)
    with pytest.raises(Exception, match="10語までにしてください（いまは11語です）"):
        clean_search(TOO_MANY_WORDS)
    assert len(query_terms(SPLINTERED[:MAX_SEARCH_CHARS])) > MAX_SEARCH_TERMS
    with pytest.raises(Exception, match="細かく分かれすぎていて"):
        clean_search(SPLINTERED[:MAX_SEARCH_CHARS])


@pytest.mark.parametrize("q", [TOO_LONG, TOO_MANY_WORDS, SPLINTERED])
def test_directory_answers_400_with_the_message_and_the_usable_page(client, town, directory, q):
    response = client.get(directory.url, {"q": q})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "キーワード:" in html
    assert "検索結果 4件" in html  # the keywords are ignored, the list still works
    assert 'maxlength="100"' in html
    assert client.get(f"{directory.url}print/", {"q": q}).status_code == 400
    markers = client.get(f"{directory.url}map/", {"q": q})
    assert markers.status_code == 400 and "error" in markers.json()


def test_a_refused_search_is_not_cached_as_the_page(client, town, directory):
    assert client.get(directory.url, {"q": TOO_LONG}).status_code == 400
    assert client.get(directory.url, {"q": TOO_LONG}).status_code == 400


@pytest.mark.parametrize(
    "path", ["/services", "/service_at_locations", "/organizations", "/taxonomies",
             "/taxonomy_terms"],
)  # fmt: skip
@pytest.mark.parametrize("search", [TOO_LONG, TOO_MANY_WORDS, "食堂 " * 1000])
def test_api_answers_400_json_in_japanese(client, path, search):
    response = client.get(f"{HSDS}{path}", {"search": search})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and ("キーワード" in body["message"])


def test_the_worst_query_within_the_caps_is_fast_and_does_not_fail(client, town, directory):
    # Ten words of nine unknown kana each: the most tokens the caps let through, near the limit.
    worst = " ".join(["しょくどうたいそう"] * 10)
    assert len(query_terms(worst)) <= MAX_SEARCH_TERMS
    for url, params in ((directory.url, {"q": worst}), (f"{HSDS}/services", {"search": worst})):
        started = time.perf_counter()
        assert client.get(url, params).status_code == 200
        assert time.perf_counter() - started < 2


def test_an_ordinary_search_still_finds(client, town, directory):
    html = client.get(directory.url, {"q": "しょくどう"}).content.decode()
    assert "子ども食堂ひまわり" in html
    services = client.get(f"{HSDS}/services", {"search": "体操"}).json()
    assert [s["name"] for s in services["contents"]] == ["いきいき体操"]
