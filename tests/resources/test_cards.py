"""Result cards are rendered once per generation and day, and a page is assembled from them."""

import pytest
from django.core.cache import cache

from resources import caching
from resources.cards import card_key_prefix
from resources.models import ListingPage, PlacePage

pytestmark = pytest.mark.django_db


def test_cards_rendered_once_serve_other_queries(client, directory, town):
    first = client.get(f"{directory.url}?kind=place")
    keys = list(first.context["results"])
    prefix = card_key_prefix(first.wsgi_request)
    assert keys and all(cache.get(f"{prefix}:{key}") for key in keys)
    # Another query over the same listings: no listing row is read for its cards.
    ListingPage.objects.filter(pk=town.hatake.pk).update(title="書き換え")
    other = client.get(f"{directory.url}?kind=place&unseen=1")
    assert "書き換え" not in other.content.decode()
    assert list(other.context["results"]) == keys


def test_cards_follow_a_publish_and_keep_the_order(client, directory, town):
    page = PlacePage.objects.get(pk=town.hatake.pk)
    client.get(directory.url)
    page.title = "みんなの農園"
    page.save_revision().publish()
    response = client.get(f"{directory.url}?unseen=2")
    html = response.content.decode()
    assert "みんなの農園" in html and "みんなの畑" not in html
    cards = response.context["cards"]
    assert len(cards) == len(response.context["results"])
    titles = [ListingPage.objects.get(pk=key).title for key in response.context["results"]]
    positions = [html.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)


def test_a_listing_gone_since_the_index_was_built_is_left_out(client, directory, town):
    client.get(directory.url)  # builds the facet index, kept in this process for the generation
    generation = caching.generation()
    PlacePage.objects.get(pk=town.hatake.pk).delete()  # as if in another process, unseen here
    cache.clear()  # no card cached; the same generation, so the same index
    cache.set(caching.GENERATION_KEY, generation, None)
    response = client.get(f"{directory.url}?unseen=3")
    assert town.hatake.pk in response.context["results"]
    assert "みんなの畑" not in response.content.decode()
    assert len(response.context["cards"]) == len(response.context["results"]) - 1
