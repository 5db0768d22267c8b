"""What phone users expect, server side: furigana readings, map apps, LINE, the home search box,
compact schedules and a map that can be switched off. The browser side is tests/e2e."""

import json
import re
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from resources import caching
from resources.furigana import MAX_CHARS
from resources.models import PlaceNameReading
from resources.models.readings import reading_of

from .factories import AreaFactory, PlacePageFactory

pytestmark = pytest.mark.django_db


def ruby(client, *texts: str, **extra):
    return client.post(
        reverse("furigana"),
        data=json.dumps({"texts": list(texts)}),
        content_type="application/json",
        **extra,
    )


# --- The town's reading list


@pytest.mark.parametrize("typed", ["きびる", "キビル", "ｷﾋﾞﾙ", " き びる "])
def test_a_reading_is_stored_as_hiragana_however_it_was_typed(typed):
    reading = PlaceNameReading(written="喜美留", reading=typed)
    reading.full_clean()
    assert reading.reading == "きびる" == reading_of(typed)


@pytest.mark.parametrize(
    ("written", "reading", "field", "message"),
    [
        ("喜美留", "kibiru", "reading", "読みはかなだけで入力してください（例：きびる）。"),
        ("喜美留", "喜びる", "reading", "読みはかなだけで入力してください（例：きびる）。"),
        ("きびる", "きびる", "written", "漢字を含む表記を入力してください"),
    ],
)
def test_a_bad_reading_is_refused_in_japanese_and_not_saved(written, reading, field, message):
    entry = PlaceNameReading(written=written, reading=reading)
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert message in " ".join(refused.value.message_dict[field])
    assert not PlaceNameReading.objects.exists()


def test_staff_edit_the_reading_list_in_the_admin(admin_client):
    url = reverse("wagtailsnippets_resources_placenamereading:add")
    response = admin_client.post(url, {"written": "手々知名", "reading": "テデチナ"})
    assert response.status_code == 302
    assert PlaceNameReading.objects.get().reading == "てでちな"
    listing = admin_client.get(reverse("wagtailsnippets_resources_placenamereading:list"))
    assert "手々知名" in listing.content.decode() and "地名の読み" in listing.content.decode()


def test_the_reading_list_is_not_open_to_anonymous_visitors(client):
    response = client.get(reverse("wagtailsnippets_resources_placenamereading:list"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- The readings endpoint


def test_readings_come_from_the_dictionary(client):
    response = ruby(client, "公民館で食べる", "ゆんたく")
    assert response.status_code == 200
    assert response.json() == {
        "ruby": [
            [["公民館", "こうみんかん"], ["で", ""], ["食", "た"], ["べる", ""]],
            [["ゆんたく", ""]],
        ]
    }


def test_the_town_list_wins_over_the_dictionary_and_over_district_kana(client):
    AreaFactory(name="手々知名", kana="テテチナ")  # a district's kana counts too…
    AreaFactory(name="大城", kana="おおぐすく")
    assert ruby(client, "大城公民館").json()["ruby"][0][0] == ["大城", "おおぐすく"]
    assert ruby(client, "手々知名").json()["ruby"][0] == [["手々知名", "ててちな"]]

    PlaceNameReading.objects.create(written="手々知名", reading="てでちな")  # …the list more

    assert ruby(client, "手々知名").json()["ruby"][0] == [["手々知名", "てでちな"]]


def test_saving_a_reading_takes_effect_at_once(client):
    before = caching.generation()
    assert ruby(client, "大城").json()["ruby"][0] == [["大城", "おおしろ"]]
    entry = PlaceNameReading.objects.create(written="大城", reading="おおぐすく")
    assert caching.generation() != before
    assert ruby(client, "大城").json()["ruby"][0] == [["大城", "おおぐすく"]]
    entry.delete()
    assert ruby(client, "大城").json()["ruby"][0] == [["大城", "おおしろ"]]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps(["公民館"]),
        json.dumps({"texts": "公民館"}),
        json.dumps({"texts": [1]}),
    ],
)
def test_bad_requests_get_a_japanese_error(client, body):
    response = client.post(reverse("furigana"), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "文字列をJSONの配列で送ってください。"}


def test_too_much_text_is_refused(client):
    response = ruby(client, "公" * (MAX_CHARS + 1))
    assert response.status_code == 400
    assert response.json() == {"error": "一度に送れる文字数を超えています。"}


def test_a_flood_of_requests_is_paused_with_a_japanese_message(client, settings):
    settings.FURIGANA_REQUESTS_PER_MINUTE = 3
    assert [ruby(client, "公民館").status_code for _ in range(3)] == [200, 200, 200]
    response = ruby(client, "公民館")
    assert response.status_code == 429
    assert response.json()["error"] == (
        "ふりがなの依頼が続いたため、一時的に止めています。1分ほど待ってからお試しください。"
    )


def test_the_endpoint_needs_no_csrf_token_and_takes_only_post(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert ruby(strict, "公民館").status_code == 200  # a cached page carries no token
    assert client.get(reverse("furigana")).status_code == 405


# --- Map apps, LINE, the map setting


def test_a_place_with_coordinates_has_map_app_links_and_a_line_link(client, directory):
    place = PlacePageFactory(title="喜美留公民館", latitude="27.392280", longitude="128.655470")
    html = client.get(place.url).content.decode()
    assert 'href="geo:27.392280,128.655470?q=27.392280,128.655470(' in html
    assert 'href="https://maps.apple.com/?ll=27.392280%2C128.655470&amp;q=' in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=27.392280%2C128.655470" in html
    assert "地図アプリで開く" in html
    line = re.search(r'href="(https://line\.me/R/share\?text=[^"]+)"', html)
    assert line is not None
    assert unquote(line[1].split("text=")[1]) == f"喜美留公民館\nhttp://testserver{place.url}"
    assert "LINEで送る" in html and "data-print" in html and "data-web-share" in html


def test_a_place_known_only_by_its_address_opens_by_address(client, directory):
    place = PlacePageFactory(title="畑", address="和泊町国頭1番地", latitude=None, longitude=None)
    html = client.get(place.url).content.decode()
    assert "geo:0,0?q=%E5%92%8C%E6%B3%8A" in html
    assert 'id="listing-map"' not in html


def test_no_location_no_map_app_links(client, directory):
    place = PlacePageFactory(title="どこか", address="", latitude=None, longitude=None)
    assert "地図アプリで開く" not in client.get(place.url).content.decode()


def test_with_map_tile_url_empty_there_is_no_map_only_the_list(client, directory, settings):
    place = PlacePageFactory(title="喜美留公民館", latitude="27.392280", longitude="128.655470")
    settings.MAP_TILE_URL = ""
    for url in (directory.url, place.url):
        html = client.get(url).content.decode()
        assert "喜美留公民館" in html
        assert "leaflet" not in html, url
        assert 'id="directory-map"' not in html and 'id="listing-map"' not in html, url
    # The map apps need no tiles of ours.
    assert "geo:27.392280" in client.get(place.url).content.decode()


def test_the_map_uses_the_configured_tiles(client, directory, settings):
    settings.MAP_TILE_URL = "https://tiles.town.example.jp/{z}/{x}/{y}.png"
    PlacePageFactory(title="喜美留公民館", latitude="27.392280", longitude="128.655470")
    html = client.get(directory.url).content.decode()
    assert 'data-tiles="https://tiles.town.example.jp/{z}/{x}/{y}.png"' in html
    assert "leaflet.markercluster.js" in html


# --- Home page search box, compact schedules, cached pages


def test_the_home_page_has_a_search_box_for_the_directory(client, directory):
    PlacePageFactory(title="子ども食堂ひまわり", kana="こどもしょくどうひまわり")
    html = client.get("/").content.decode()
    form = re.search(r'<form class="home-search" method="get" action="([^"]+)"', html)
    assert form is not None and form[1] == directory.url
    assert 'name="q"' in html and "居場所や活動をさがす" in html
    assert "子ども食堂ひまわり" in client.get(form[1], {"q": "しょくどう"}).content.decode()


def test_result_cards_show_compact_schedules(client, directory):
    weekdays = [{"weekday": day, "opens_at": "09:00", "closes_at": "17:00"} for day in range(5)]
    PlacePageFactory(title="ゆいの家", schedule=weekdays)
    html = client.get(directory.url).content.decode()
    assert "月〜金 9:00〜17:00" in html
    assert "毎週月曜" not in html


def test_a_cached_page_carries_no_visitor_choice(client, directory):
    """Text size and furigana live in the browser: the HTML is the same for everyone."""
    place = PlacePageFactory(title="喜美留公民館")
    client.cookies["tsunagu-text-size"] = "largest"
    first = client.get(place.url).content.decode()
    assert 'id="reading-aids" hidden' in first
    assert "data-text-size=" not in re.search(r"<html[^>]*>", first)[0]
    assert "<ruby>" not in first
    assert client.get(place.url).content.decode() == first
