"""The admin's scripts speak Japanese too: Wagtail's JavaScript catalogue takes our overrides
(tsunagu/locale_overrides/ja/LC_MESSAGES/djangojs.po) for the strings its ja catalogue lacks."""

import pytest
from django.urls import reverse

from tests.community.factories import make_staff

pytestmark = pytest.mark.django_db


def test_the_editors_scripts_get_japanese_for_what_wagtail_left_in_english(client):
    client.force_login(make_staff())
    catalogue = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    expected = ("すべて閉じる", "すべて開く", "サイドパネルの開閉", "変更を自動保存しました。")
    for japanese in expected:
        assert japanese.encode("unicode_escape").decode() in catalogue or japanese in catalogue
