"""The demo's two sample community groups: sections, editors (password shown once), pages."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from community.models import OrganizationSectionPage
from events.models import EventPage

pytestmark = pytest.mark.django_db

EDITORS = ("sample-editor-himawari", "sample-editor-kimiru")


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_makes_two_groups_with_editors_once(client):
    first = _load()
    for username in EDITORS:
        assert f"ユーザー名: {username}" in first
    sections = OrganizationSectionPage.objects.all()
    assert sections.count() == 6 and {s.organization.name for s in sections} == {
        "子ども食堂 ひまわりの会（サンプル）",
        "喜美留字自治会（サンプル）",
    }
    events = EventPage.objects.filter(slug__in=["himawari-oyako-ryori", "kimiru-shuraku-seiso"])
    assert events.count() == 2 and all(e.live and e.is_sample for e in events)
    counts = (EventPage.objects.count(), get_user_model().objects.count())

    second = _load()
    assert "パスワード:" not in second.split("サンプルの町")[0].split("団体の編集者", 1)[1]
    for username in EDITORS:
        assert f"団体の編集者 {username} は作成済みです" in second
    assert (EventPage.objects.count(), get_user_model().objects.count()) == counts
    assert OrganizationSectionPage.objects.count() == 6

    editor = get_user_model().objects.get(username="sample-editor-kimiru")
    client.force_login(editor)
    own = EventPage.objects.get(slug="kimiru-shuraku-seiso")
    other = EventPage.objects.get(slug="himawari-oyako-ryori")
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])).status_code != 200
