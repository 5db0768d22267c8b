"""Content-Security-Policy and Permissions-Policy on public and admin responses.

The browser side (0 violations, map and rich-text editor working) is tests/e2e/test_csp.py.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminPageChooser
from wagtail.admin.widgets.workflows import AdminTaskChooser

from tsunagu.admin_inline_scripts import add_nonce_to_wagtail_initialisers, is_wagtail_initialiser
from tsunagu.security_headers import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def test_public_responses_allow_only_our_origin_and_the_map_tiles(client):
    response = client.get("/volunteers/register/")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", settings.MAP_TILES_ORIGIN]
    assert settings.MAP_TILES_ORIGIN == "https://tile.openstreetmap.org"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_existing_headers_stay(client):
    response = client.get("/volunteers/register/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_host_link_page_keeps_its_own_referrer_policy(client):
    response = client.get("/followups/host/nonsense/")
    assert response["Referrer-Policy"] == "strict-origin"
    assert "Content-Security-Policy" in response


def test_permissions_policy_turns_off_camera_microphone_and_location(client):
    header = client.get("/healthz")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header.split(", ")


def test_admin_allows_inline_styles_but_never_inline_scripts(client):
    response = client.get("/admin/login/")
    policy = _policy(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in policy["script-src"]


def _through_middleware(path: str, response: HttpResponse) -> HttpResponse:
    request = RequestFactory().get(path)
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    middleware.process_request(request)
    return middleware.process_response(request, response)


def test_a_view_that_allows_same_origin_framing_may_be_framed_by_the_admin_only():
    # Wagtail's preview sets X-Frame-Options: SAMEORIGIN; CSP must not contradict it.
    framed = HttpResponse("preview")
    framed["X-Frame-Options"] = "SAMEORIGIN"
    assert _policy(_through_middleware("/admin/pages/3/edit/preview/", framed))[
        "frame-ancestors"
    ] == ["'self'"]
    assert _policy(_through_middleware("/admin/", HttpResponse("x")))["frame-ancestors"] == [
        "'none'"
    ]


def test_admin_html_gets_the_nonce_on_wagtail_initialisers_only():
    widget = AdminDateInput().render("start", dt.date(2026, 4, 1), {"id": "id_start"})
    injected = '<script>fetch("/steal?c=" + document.cookie)</script>'
    original = HttpResponse(widget + injected)
    original["Content-Length"] = str(len(original.content))  # as CommonMiddleware sets it
    response = _through_middleware("/admin/pages/3/edit/", original)
    nonce = _policy(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    html = response.content.decode()
    assert f'<script nonce="{nonce}">initDateChooser(' in html
    assert injected in html  # left without a nonce: the browser refuses it
    assert response["Content-Length"] == str(len(response.content))


def test_public_html_is_never_rewritten():
    widget = AdminDateInput().render("start", None, {"id": "id_start"})
    response = _through_middleware("/events/", HttpResponse(widget))
    assert "nonce=" not in response.content.decode()


@pytest.mark.parametrize(
    "widget",
    [AdminDateInput(), AdminDateTimeInput(), AdminPageChooser(), AdminTaskChooser()],
    ids=["date", "datetime", "page-chooser", "task-chooser"],
)
def test_wagtails_own_widget_scripts_are_recognised(widget):
    """Fails when a Wagtail upgrade changes what its widgets write inline."""
    html = widget.render("field", None, {"id": "id_field"})
    body = html.split("<script>", 1)[1].split("</script>", 1)[0]
    assert is_wagtail_initialiser(body)


@pytest.mark.parametrize(
    "body",
    [
        "alert(1);",
        'initDateChooser("id_x", {}); alert(1);',
        'initDateChooser("id_x", alert(1));',
        'initDateChooser("id_x");',
        'new Function("alert(1)", {});',
        'document.write("x");',
        '(function() { var panel = new InlinePanel(JSON.parse("{}")); alert(1); })();',
        '(function() { var panel = new InlinePanel(JSON.parse("not json")); })();',
    ],
)
def test_anything_else_inline_is_not_an_initialiser(body):
    assert not is_wagtail_initialiser(body)


def test_inline_panel_initialiser_with_escaped_json_is_recognised():
    options = "{\\u0022formsetPrefix\\u0022: \\u0022id_schedules\\u0022}"
    body = f"""
        (function() {{
            var panel = new InlinePanel(JSON.parse("{options}"));
        }})();
    """
    assert is_wagtail_initialiser(body)
    assert add_nonce_to_wagtail_initialisers(f"<script>{body}</script>", "n").startswith(
        '<script nonce="n">'
    )
