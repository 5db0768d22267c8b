"""Content-Security-Policy and Permissions-Policy on every response, public and admin.

The policy itself is ``CONTENT_SECURITY_POLICY`` in settings (django-csp 4); this module adds what
a static policy cannot say: framing follows ``X-Frame-Options`` (Wagtail's preview is framed by
the admin, everything else by nobody), and the admin's own inline initialisers get the nonce
(``admin_inline_scripts``).
"""

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from .admin_inline_scripts import add_nonce_to_wagtail_initialisers


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with framing and the Wagtail admin's inline scripts handled."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if _is_admin_html(request, response):
            html = response.content.decode(response.charset)
            stamped = add_nonce_to_wagtail_initialisers(html, str(request.csp_nonce))
            if stamped != html:
                response.content = stamped.encode(response.charset)
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        # CSP's frame-ancestors overrides X-Frame-Options in browsers, so it must say the same.
        framing = SELF if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else NONE
        parts.replace = {**(parts.replace or {}), "frame-ancestors": [framing]}
        if _is_admin(request):
            parts.update = {
                **settings.CONTENT_SECURITY_POLICY_ADMIN_ADDITIONS,
                **(parts.update or {}),
            }
        return parts


def _is_admin(request: HttpRequest) -> bool:
    return request.path_info.startswith(reverse("wagtailadmin_home"))


def _is_admin_html(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        _is_admin(request)
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
    )


class PermissionsPolicyMiddleware:
    """Turns off the browser features no page of ours uses (the map does not locate the user)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
