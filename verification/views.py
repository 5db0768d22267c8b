"""The "still correct" page an operator reaches from a reminder, and the staff report.

GET only shows what will be confirmed and one big button; the POST confirms. Mail scanners
follow links in emails, so a GET that changed data would confirm listings nobody looked at.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from resources.models import ListingPage, Organization

from . import selectors, services
from .links import Kind, LinkError, read_token

ERRORS = {
    "expired": gettext_lazy(
        "This link has expired. Please use the link in the most recent reminder, or contact "
        "the town office."
    ),
    "invalid": gettext_lazy(
        "This link is not valid. Please check that the whole link was copied, or contact the "
        "town office."
    ),
    "wrong_object": gettext_lazy("This link belongs to a different listing. Nothing was changed."),
    "missing": gettext_lazy("This listing is no longer published. Nothing was changed."),
}


def _target(kind: str, pk: int) -> ListingPage | Organization | None:
    if kind == Kind.LISTING:
        return ListingPage.objects.live().filter(pk=pk).select_related("organization").first()
    if kind == Kind.OPERATOR:
        return Organization.objects.filter(pk=pk).first()
    return None


def _cycle(obj: ListingPage | Organization) -> dt.date | None:
    if isinstance(obj, Organization):
        return selectors.organization_cycle(obj)
    return selectors.listing_cycle(obj)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, kind: str, pk: int, token: str) -> HttpResponse:
    """Check the signed link; on POST set the verification date to today."""
    template = "verification/confirm.html"
    try:
        target = read_token(token, kind=kind, pk=pk)
    except LinkError as exc:
        return render(request, template, {"error": ERRORS[exc.reason]}, status=400)
    obj = _target(target.kind, target.pk)
    if obj is None:
        return render(request, template, {"error": ERRORS["missing"]}, status=404)
    context = {"object": obj, "title": str(obj), "is_operator": target.kind == Kind.OPERATOR}
    if _cycle(obj) != target.cycle:
        # Confirmed (or edited with a new date) since the reminder: nothing left to do.
        return render(request, template, {**context, "already": True, "cycle": _cycle(obj)})
    if request.method == "POST":
        today = timezone.localdate()
        if isinstance(obj, Organization):
            services.organization_confirm(organization=obj, on=today)
        else:
            services.listing_confirm(page=obj, on=today)
        return render(request, template, {**context, "done": True, "cycle": today})
    return render(request, template, {**context, "cycle": target.cycle})
