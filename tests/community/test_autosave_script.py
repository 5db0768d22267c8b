"""The editor loads the autosave wait as a file (CSP: no inline script), with its Japanese text.

Its behaviour in Chromium is tests/e2e/test_submit_during_autosave.py.
"""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCRIPT = "community/admin/wait_for_autosave.js"


def test_the_edit_and_create_screens_load_the_script_deferred(client, groups):
    client.force_login(groups.editor_a)
    section = groups.sections_a["CalendarSectionPage"]
    for url in (
        reverse("wagtailadmin_pages:edit", args=[groups.event_a.pk]),
        reverse("wagtailadmin_pages:add", args=["events", "eventpage", section.pk]),
    ):
        html = client.get(url).content.decode()
        assert (
            f'<script defer src="/static/{SCRIPT}" '
            'data-waiting-text="自動保存が終わるのを待ってから送ります…"></script>'
        ) in html
    assert finders.find(SCRIPT)
