"""Residents who reach a missing page or a server error get Japanese pages, not Django's English."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_explained_in_japanese_inside_the_site_layout(client: Client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="ja">' in html and '<main id="main"' in html
    assert "ページが見つかりません" in html and "トップページへ" in html
    assert "Not Found" not in html


def test_the_server_error_page_needs_no_request_or_database(django_assert_num_queries):
    # Django renders it with an empty context when something has already gone wrong.
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert '<html lang="ja">' in html and "<main" in html
    assert "申し訳ありません。問題が起きました" in html and "役場にお電話ください" in html
