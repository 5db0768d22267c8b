"""The read-only HSDS 3.0 API: the paths of the standard's openapi.json, as plain JSON views.

Anonymous and cacheable: nothing here depends on the user or the session. Bad parameters get a
400 with a Japanese message, unknown ids a 404, both as JSON.

Parameters, as openapi.json defines them per path: ``search`` (Japanese-aware, as the directory
searches), ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``, ``modified_after``,
``full``, ``full_service``, ``parent_id``, ``top_only``, ``page``, ``per_page`` (at most 200).
``minimal`` (services: ids and dates only), ``format`` accepts only ``json``. Any other
parameter, ``postcode`` and ``proximity`` included (a town has no postcode areas in its data),
is a 400 naming it: a caller never mistakes an ignored filter for an applied one. GET and HEAD
are answered with ETags (304s), CORS for any origin; other methods get a JSON 405.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from resources.models import ActivityPage, Organization
from resources.search_input import clean_search
from tsunagu.conditional import conditional
from tsunagu.dates import is_plausible
from tsunagu.page_cache import mark_public
from tsunagu.text import index_terms

from . import queries
from .serializers import Doc, Serializer, service_at_location_id
from .taxonomies import (
    FEATURE_LIST,
    FEATURES,
    FEATURES_BY_TERM_ID,
    HSDS_VERSION,
    KIND_BY_TAXONOMY_ID,
    OPENAPI_URL,
    PROFILE_URL,
    taxonomy_id,
    taxonomy_keys,
)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class BadParameter(Exception):
    """A query parameter the API cannot use; the message is for the caller, in Japanese."""


class NotFound(Exception):
    """No public document has the id in the path."""


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


# Every list path's parameters, as openapi.json lists them (``postcode`` and ``proximity`` are
# not among them: a town's data has no postcode areas, so they are refused, not ignored).
PAGED = ("search", "page", "per_page", "format")
SERVICE_FILTERS = ("taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full")
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
# Headers a browser may send on a cross-origin read (the conditional ones for 304s).
CORS_REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
CORS_MAX_AGE = 86400


def _cors(response: HttpResponse) -> HttpResponse:
    """Open data: any site may read it from a browser."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def _not_allowed(request: HttpRequest) -> HttpResponse:
    """A JSON 405 naming the method; the API only reads, so no CSRF page ever answers."""
    response = _json(
        {
            "status": 405,
            "message": _("This API only reads data: use GET (“%(method)s” is not accepted).")
            % {"method": request.method},
        },
        status=405,
    )
    response["Allow"] = ", ".join(ALLOWED_METHODS)
    return _cors(response)


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
    response["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
    response["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    return _cors(response)


def _check_parameters(request: HttpRequest, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise BadParameter(
            _("These parameters are not supported here: %(names)s") % {"names": ", ".join(unknown)},
            unknown,
        )


def api_view(
    *parameters: str,
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """GET and HEAD (OPTIONS for CORS preflight), JSON errors, the same public caching for
    every answer, and only the query ``parameters`` openapi.json gives the path."""
    allowed = frozenset(("format", *parameters))

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "OPTIONS":
                return _preflight()
            if request.method not in ("GET", "HEAD"):
                return _not_allowed(request)
            try:
                _check_parameters(request, allowed)
                if request.GET.get("format", "json") != "json":
                    raise BadParameter(_("Only the json format is available."))
                response = _json(view(request, *args, **kwargs))
            except BadParameter as exc:
                body = {"status": 400, "message": str(exc.args[0])}
                if len(exc.args) > 1:
                    body["parameters"] = exc.args[1]
                response = _json(body, status=400)
            except NotFound:
                response = _json({"status": 404, "message": _("Nothing has this id.")}, status=404)
            return _cors(conditional(request, mark_public(response), last_modified=None))

        return wrapper

    return decorate


def _page_free_serializer() -> Serializer:
    """For documents that involve no page (taxonomies, terms, bare organizations)."""
    return Serializer(visibility=queries.Visibility(()))


# --- parameters ----------------------------------------------------------------------------


def _int(request: HttpRequest, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise BadParameter(_("“%(name)s” must be a whole number of 1 or more.") % {"name": name})
    if maximum is not None and value > maximum:
        raise BadParameter(
            _("“%(name)s” must be %(max)s or less.") % {"name": name, "max": maximum}
        )
    return value


def _bool(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw in {"", "false", "0"}:
        return False
    if raw in {"true", "1"}:
        return True
    raise BadParameter(_("“%(name)s” must be true or false.") % {"name": name})


def _uuid(request: HttpRequest, name: str) -> str | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadParameter(_("“%(name)s” must be a UUID.") % {"name": name}) from None


def _modified_after(request: HttpRequest) -> dt.datetime | None:
    raw = request.GET.get("modified_after", "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw.replace(" ", "+"))  # an unencoded "+" arrives as a space
        if moment is None and (day := parse_date(raw)) is not None:
            moment = dt.datetime.combine(day, dt.time())
    except ValueError:
        moment = None
    if moment is None or not is_plausible(moment):
        raise BadParameter(
            _("“modified_after” must be a date and time such as 2025-04-01T09:00:00+09:00.")
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _search(request: HttpRequest) -> str:
    """``search``, within the directory's caps (``resources.search_input``)."""
    try:
        return clean_search(request.GET.get("search", ""))
    except ValidationError as exc:
        raise BadParameter(exc.messages[0]) from None


def _path_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound from None


# --- pagination ----------------------------------------------------------------------------


def _paginate(
    request: HttpRequest, items: QuerySet | Sequence[Any], serialize: Callable[[list], list[Doc]]
) -> Doc:
    """The HSDS page envelope; ``serialize`` turns one page of items into documents."""
    page = _int(request, "page", 1)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    start = (page - 1) * per_page
    if isinstance(items, QuerySet):
        keys = queries.ordered_keys(items)
        total = len(keys)
        chunk = _rows(items, keys[start : start + per_page])
    else:
        total = len(items)
        chunk = list(items[start : start + per_page])
    contents = serialize(chunk) if chunk else []
    return _envelope(page=page, per_page=per_page, total=total, contents=contents)


def _envelope(*, page: int, per_page: int, total: int, contents: list[Doc]) -> Doc:
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _rows(items: QuerySet, keys: list[Any]) -> list:
    """The rows of one page's keys, in their order.

    The filters still apply: a key whose row no longer passes them (unpublished since the keys
    were sorted) is left out, so only public pages ever appear.
    """
    rows = {row.pk: row for row in items.order_by().filter(pk__in=keys)}
    return [rows[key] for key in keys if key in rows]


# --- services ------------------------------------------------------------------------------


def _filtered_services(request: HttpRequest, visibility: queries.Visibility) -> QuerySet:
    services = queries.services(visibility)
    if term_id := _uuid(request, "taxonomy_term_id"):
        feature = FEATURES_BY_TERM_ID.get(term_id)
        services = services.filter(
            Q(**{feature.field: True}) if feature else Q(tagged_items__tag__uuid=term_id)
        )
    if tax_id := _uuid(request, "taxonomy_id"):
        if tax_id == taxonomy_id(FEATURES):
            any_feature = Q()
            for feature in FEATURE_LIST:
                any_feature |= Q(**{feature.field: True})
            services = services.filter(any_feature)
        elif kind := KIND_BY_TAXONOMY_ID.get(tax_id):
            services = services.filter(
                pk__in=ActivityPage.objects.filter(tagged_items__tag__kind=kind).values("pk")
            )
        else:
            services = services.none()
    if org_id := _uuid(request, "organization_id"):
        services = services.filter(organization__uuid=org_id)
    if (since := _modified_after(request)) is not None:
        services = services.filter(last_published_at__gte=since)
    if query := _search(request):
        services = queries.search_services(services, query)
    return services


@api_view()
def root(request: HttpRequest) -> Doc:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


@api_view(*PAGED, *SERVICE_FILTERS, "minimal")
def service_list(request: HttpRequest) -> Doc:
    visibility = queries.Visibility.load(request)
    serializer = Serializer(visibility=visibility, request=request)
    services = _filtered_services(request, visibility)
    if _bool(request, "minimal"):
        return _minimal(request, services)
    if _bool(request, "full"):
        return _paginate(
            request,
            queries.with_service_details(services),
            lambda page: [serializer.service_full(s) for s in page],
        )
    return _paginate(request, services, lambda page: [serializer.service(s) for s in page])


def _minimal(request: HttpRequest, services: QuerySet) -> Doc:
    """``minimal``: just each service's id and when it changed, all in one page unless the
    caller asks for pages (openapi.json: "aim to return all services within one call"), so a
    harvester sees what to fetch again. The date is HSDS's ``last_modified``."""
    rows = list(services.order_by("pk").values_list("hsds_id", "last_published_at"))
    docs = [
        {"id": str(key), "last_modified": moment.isoformat() if moment else None}
        for key, moment in rows
    ]
    if "per_page" not in request.GET and "page" not in request.GET:
        return _envelope(page=1, per_page=len(docs) or 1, total=len(docs), contents=docs)
    return _paginate(request, docs, lambda page: page)


@api_view()
def service_detail(request: HttpRequest, id: str) -> Doc:
    visibility = queries.Visibility.load(request)
    activity = (
        queries.with_service_details(queries.services(visibility))
        .filter(hsds_id=_path_uuid(id))
        .first()
    )
    if activity is None:
        raise NotFound
    return Serializer(visibility=visibility, request=request).service_full(activity)


# --- service_at_location -------------------------------------------------------------------


@api_view(*PAGED, *SERVICE_FILTERS)
def service_at_location_list(request: HttpRequest) -> Doc:
    visibility = queries.Visibility.load(request)
    serializer = Serializer(visibility=visibility, request=request)
    services = queries.with_location(_filtered_services(request, visibility), visibility)
    if _bool(request, "full"):
        return _paginate(
            request,
            queries.with_service_details(services),
            lambda page: [serializer.service_at_location_full(s) for s in page],
        )
    return _paginate(
        request, services, lambda page: [serializer.service_at_location_list(s) for s in page]
    )


@api_view()
def service_at_location_detail(request: HttpRequest, id: str) -> Doc:
    wanted = _path_uuid(id)
    visibility = queries.Visibility.load(request)
    services = queries.with_location(queries.services(visibility), visibility)
    # The link's id is derived from its service's, so find the service it was derived from.
    service_id = next(
        (
            sid
            for sid in services.values_list("hsds_id", flat=True)
            if service_at_location_id(sid) == wanted
        ),
        None,
    )
    activity = queries.with_service_details(services).filter(hsds_id=service_id).first()
    if activity is None:
        raise NotFound
    serializer = Serializer(visibility=visibility, request=request)
    doc = serializer.service_at_location_full(activity)
    if doc is None:
        raise NotFound
    return doc


# --- organizations -------------------------------------------------------------------------


def _organization_docs(
    request: HttpRequest, orgs: list[Organization], *, full_service: bool
) -> list[Doc]:
    """Full organization documents for a page of organizations, in a fixed number of queries."""
    visibility = queries.Visibility.load(request)
    serializer = Serializer(visibility=visibility, request=request)
    services = queries.services(visibility).filter(organization__in=orgs)
    if full_service:
        services = queries.with_service_details(services)
    services_of: dict[int, list[Doc]] = defaultdict(list)
    for activity in services:
        doc = serializer.service_full(activity) if full_service else serializer.service(activity)
        services_of[activity.organization_id].append(doc)
    locations_of: dict[int, list[Doc]] = defaultdict(list)
    for place in queries.places(visibility).filter(organization__in=orgs):
        locations_of[place.organization_id].append(
            serializer.location_full(str(place.hsds_id), place)
        )
    return [
        serializer.organization_full(
            org, services=services_of[org.pk], locations=locations_of[org.pk]
        )
        for org in orgs
    ]


@api_view(*PAGED, "full", "full_service")
def organization_list(request: HttpRequest) -> Doc:
    orgs = queries.organizations()
    search = queries.Search(_search(request))
    if search:
        orgs = orgs.filter(
            pk__in=[
                org.pk
                for org in orgs
                if search.matches(index_terms(f"{org.name} {org.kana} {org.description}"))
            ]
        )
    full_service = _bool(request, "full_service")
    if _bool(request, "full") or full_service:
        return _paginate(
            request,
            orgs,
            lambda page: _organization_docs(request, page, full_service=full_service),
        )
    serializer = _page_free_serializer()
    return _paginate(request, orgs, lambda page: [serializer.organization(o) for o in page])


@api_view("full_service")
def organization_detail(request: HttpRequest, id: str) -> Doc:
    org = queries.organizations().filter(uuid=_path_uuid(id)).first()
    if org is None:
        raise NotFound
    return _organization_docs(request, [org], full_service=_bool(request, "full_service"))[0]


# --- taxonomies ----------------------------------------------------------------------------


def _search_list(request: HttpRequest, entries: list[tuple[Doc, str]]) -> list[Doc]:
    """Documents whose text (the second item) matches the ``search`` parameter."""
    search = queries.Search(_search(request))
    return [doc for doc, text in entries if not search or search.matches(index_terms(text))]


@api_view(*PAGED)
def taxonomy_list(request: HttpRequest) -> Doc:
    docs = _page_free_serializer().taxonomies()
    entries = [(doc, f"{doc['name']} {doc['description']}") for doc in docs]
    return _paginate(request, _search_list(request, entries), lambda page: page)


@api_view()
def taxonomy_detail(request: HttpRequest, id: str) -> Doc:
    wanted = _path_uuid(id)
    for key in taxonomy_keys():
        if taxonomy_id(key) == wanted:
            return _page_free_serializer().taxonomy(key)
    raise NotFound


def _term_entries() -> list[tuple[Doc, str]]:
    """Every term document (features first) with the text a search looks in."""
    serializer = _page_free_serializer()
    entries = [(serializer.feature_term(f), str(f.label)) for f in FEATURE_LIST]
    for term in queries.terms():
        text = " ".join([term.name, term.kana, *term.synonym_list()])
        entries.append((serializer.taxonomy_term(term), text))
    return entries


@api_view(*PAGED, "taxonomy_id", "top_only", "parent_id")
def taxonomy_term_list(request: HttpRequest) -> Doc:
    """``top_only`` keeps terms without a parent (the parameter's name; the standard's
    description of it contradicts the name)."""
    entries = _term_entries()
    if tax_id := _uuid(request, "taxonomy_id"):
        entries = [e for e in entries if e[0]["taxonomy_id"] == tax_id]
    if parent_id := _uuid(request, "parent_id"):
        entries = [e for e in entries if e[0].get("parent_id") == parent_id]
    if _bool(request, "top_only"):
        entries = [e for e in entries if "parent_id" not in e[0]]
    return _paginate(request, _search_list(request, entries), lambda page: page)


@api_view()
def taxonomy_term_detail(request: HttpRequest, id: str) -> Doc:
    wanted = _path_uuid(id)
    serializer = _page_free_serializer()
    if feature := FEATURES_BY_TERM_ID.get(wanted):
        return serializer.feature_term(feature)
    term = queries.terms().filter(uuid=wanted).first()
    if term is None:
        raise NotFound
    return serializer.taxonomy_term(term)
