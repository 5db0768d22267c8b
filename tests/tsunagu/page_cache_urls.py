"""Views for tests/tsunagu/test_page_cache.py: each breaks one of the page cache's rules."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.admin import urls as wagtailadmin_urls

from tsunagu.page_cache import public_page

calls = {"count": 0}


def _answer(text: str) -> HttpResponse:
    calls["count"] += 1
    return HttpResponse(f"{text} {calls['count']}")


@public_page
def plain(request: HttpRequest) -> HttpResponse:
    return _answer("plain")


def not_opted_in(request: HttpRequest) -> HttpResponse:
    return _answer("staff")


@public_page
def sets_cookie(request: HttpRequest) -> HttpResponse:
    response = _answer("cookie")
    response.set_cookie("chosen", "1")
    return response


@public_page
def private(request: HttpRequest) -> HttpResponse:
    response = _answer("private")
    patch_cache_control(response, private=True)
    return response


@public_page
def no_store(request: HttpRequest) -> HttpResponse:
    response = _answer("no-store")
    patch_cache_control(response, no_store=True)
    return response


@public_page
def varies_on_cookie(request: HttpRequest) -> HttpResponse:
    response = _answer(f"cookies {sorted(request.COOKIES)}")
    patch_vary_headers(response, ["Cookie"])
    return response


@public_page
def varies_on_language(request: HttpRequest) -> HttpResponse:
    response = _answer(request.headers.get("Accept-Language", "none"))
    patch_vary_headers(response, ["Accept-Language"])
    return response


@public_page
def missing(request: HttpRequest) -> HttpResponse:
    response = _answer("missing")
    response.status_code = 404
    return response


@public_page
def preview(request: HttpRequest) -> HttpResponse:
    request.is_preview = True
    return _answer("preview")


@public_page
def with_nonce(request: HttpRequest) -> HttpResponse:
    calls["count"] += 1
    return HttpResponse(f'<script nonce="{request.csp_nonce}">n = {calls["count"]}</script>')


@public_page
def post_too(request: HttpRequest) -> HttpResponse:
    return _answer(request.method)


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),  # the security headers look its path up
    path("plain/", plain),
    path("staff/", not_opted_in),
    path("cookie/", sets_cookie),
    path("private/", private),
    path("no-store/", no_store),
    path("vary-cookie/", varies_on_cookie),
    path("vary-language/", varies_on_language),
    path("missing/", missing),
    path("preview/", preview),
    path("nonce/", with_nonce),
    path("post/", post_too),
]
