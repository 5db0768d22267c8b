"""The Content-Security-Policy in a real Chromium: 0 violations, and the pages still work.

Every page the e2e suite uses, public and admin, is opened with a listener on the document's
``securitypolicyviolation`` events (attached by Playwright before any page script runs, outside
the policy) and on console errors and warnings. The map must draw its tiles (served here by a
route, as CI has no internet) and the rich-text editor must take typed text.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from events.models import EventIndexPage, EventPage
from resources.models import ActivityPage, DirectoryIndexPage, PlacePage
from volunteers.models import OpportunityPage, VolunteerIndexPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A 1×1 transparent PNG: what the tile server answers for every tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a2d3a1a40000000049454e44ae426082"
)
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => window.__cspViolation({
  page: document.URL, directive: event.violatedDirective, blocked: event.blockedURI,
  source: event.sourceFile, line: event.lineNumber, sample: event.sample,
}));
"""


@pytest.fixture
def watched(demo_site, page, live_server, django_user_model) -> Iterator[tuple]:
    """The browser signed in as a superuser (2FA passed), and the lists the listeners fill."""
    violations: list[dict] = []
    console: list[str] = []
    context = page.context
    context.expose_binding("__cspViolation", lambda source, found: violations.append(found))
    context.add_init_script(LISTEN)
    page.on("console", lambda m: console.append(m.text) if m.type in {"error", "warning"} else None)
    context.route(
        f"{settings.MAP_TILES_ORIGIN}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )
    admin = django_user_model.objects.create_superuser("csp-admin", "csp@example.jp", "x" * 12)
    client = Client()
    client.force_login(admin)  # tests/conftest.py: also passes the second factor
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    try:
        yield page, live_server.url, violations, console
    finally:
        connection.close()


def _open(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert response.header_value("content-security-policy"), url
    page.wait_for_load_state("networkidle")


def test_public_pages_have_no_csp_violations_and_the_map_draws_tiles(watched, record_property):
    page, base, violations, console = watched
    place = PlacePage.objects.live().filter(latitude__isnull=False).first()
    opportunity = OpportunityPage.objects.live().first()
    paths = [
        "/",
        DirectoryIndexPage.objects.live().first().url,
        place.url,
        ActivityPage.objects.live().first().url,
        EventIndexPage.objects.live().first().url,
        EventPage.objects.live().first().url,
        VolunteerIndexPage.objects.live().first().url,
        "/volunteers/register/",
        "/volunteers/link/",
    ] + ([opportunity.url] if opportunity else [])
    for path in paths:
        _open(page, base + path)
        if path in (DirectoryIndexPage.objects.live().first().url, place.url):
            page.locator(".leaflet-tile-loaded").first.wait_for()
            assert page.locator(".leaflet-tile-loaded").count() > 0, path

    record_property("csp_public", f"{len(paths)} pages, {len(violations)} violations")
    assert violations == []
    assert [text for text in console if "Content Security Policy" in text] == []


def test_admin_pages_have_no_csp_violations_and_the_rich_text_editor_works(
    watched, record_property
):
    page, base, violations, console = watched
    place = PlacePage.objects.live().first()
    event = EventPage.objects.live().first()
    paths = [
        "/admin/",
        f"/admin/pages/{place.pk}/edit/",
        f"/admin/pages/{event.pk}/edit/",
        "/admin/clients/",
        "/admin/snippets/resources/organization/add/",
        "/admin/outbox/calls/",
    ]
    for path in paths:
        _open(page, base + path)
        if path == f"/admin/pages/{place.pk}/edit/":
            editor = page.locator(".public-DraftEditor-content").first
            editor.click()
            page.keyboard.press("End")
            page.keyboard.type("CSPでも書けます")
            assert "CSPでも書けます" in editor.inner_text()
            # The widget's hidden input is what the form posts: Draftail must have written it.
            field = page.locator("input[name=body]")
            page.wait_for_function(
                "(el) => el.value.includes('CSPでも書けます')", arg=field.element_handle()
            )
            # Wagtail's date pickers, choosers and inline panels start from inline scripts;
            # each has the nonce, or the violations below would name it.
            assert page.locator("script[nonce]").count() > 0

    record_property("csp_admin", f"{len(paths)} pages, {len(violations)} violations")
    assert violations == []
    assert [text for text in console if "Content Security Policy" in text] == []
