"""Model → HSDS 3.0 documents (plain dicts, ready for JSON).

Field mapping, where HSDS has a place for our data:

- organization: ``uuid`` → id, kana → alternate_name, kind → legal_status (its label),
  external_id → organization_identifiers (type ``tsunagu:external_id``), phone → phones.
- service (ActivityPage): ``hsds_id`` → id, title → name, kana → alternate_name, summary (or the
  body as text) → description, the public page → url, contact_note → application_process,
  acceptance_conditions → eligibility_description, cost → cost_options (option = label,
  amount 0 when free), cost_note → fees_description, ages, assured_date, last_published_at →
  last_modified, phone → phones, Japanese → languages, its place → service_at_locations.
- location (PlacePage, or an activity's own address when it is held at no place): id, name,
  kana, summary → description, url, point, external_id → external_identifier, address + district
  (region) → addresses, accessibility flags + note → accessibility, phone → phones, email →
  contacts.
- schedules: one per ScheduleRule (freq/byday from ``rrule_parts()``, note → description). A
  date held at other times is a one-off schedule (dtstart, count 1); a closed date has no RRULE
  form, so it is a line ``YYYY-MM-DD 休み（note）`` in ``notes`` of the rules on that weekday.
- attributes: vocabulary tags (link_type = the term's kind), and the yes/no features (audience,
  access, participation support) as terms of the fixed features taxonomy; a placement capacity
  is the value of the ``accepts_placements`` attribute.

Not carried (HSDS has no field): the rich-text body (the page URL leads to it), images,
what_to_bring, a place's cost, ages and contact note, an activity's own accessibility note when
it is held at a place, and is_sample.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Iterable
from html import escape, unescape
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.encoding import iri_to_uri
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _

from resources.models import ActivityPage, ListingPage, Organization, PlacePage, Term
from resources.models.schedules import RRULE_DAYS, ScheduleException, ScheduleRule

from .queries import Visibility
from .taxonomies import (
    ACCESS_FEATURES,
    EXTERNAL_ID_TYPE,
    FEATURE_LIST,
    FEATURES,
    PLACE_FEATURES,
    TAXONOMY_DESCRIPTIONS,
    Feature,
    child_id,
    taxonomy_id,
    taxonomy_keys,
    taxonomy_name,
)

Doc = dict[str, Any]
# Kept even when empty: the schema requires them.
ADDRESS_REQUIRED = ("address_1", "city", "state_province", "postal_code", "country")
_BLOCK_END = re.compile(r"</(p|li|h\d|ol|ul)>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def compact(doc: Doc, keep: Iterable[str] = ()) -> Doc:
    """Drop absent optional values: HSDS types allow no null, and "" is no email or URI.

    ``keep`` names required fields, kept even when empty.
    """
    return {k: v for k, v in doc.items() if v is not None and (v != "" or k in keep)}


def html_to_text(html: str) -> str:
    """Rich text as plain paragraphs separated by blank lines (``text_to_html`` reverses it)."""
    text = _LINE_BREAK.sub("\n", _BLOCK_END.sub(lambda m: m[0] + "\n\n", html or ""))
    text = unescape(strip_tags(text))
    text = "\n".join(line.strip() for line in normalize_newlines(text).split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def text_to_html(text: str) -> str:
    """Plain paragraphs as rich text: a blank line starts a paragraph, a newline breaks a line."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", normalize_newlines(text)) if p.strip()]
    return "".join(
        "<p>" + "<br/>".join(escape(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def closed_line(exception: ScheduleException) -> str:
    word = _("closed")
    line = f"{exception.date.isoformat()} {word}"
    return f"{line}（{exception.note}）" if exception.note else line


def _utc_offset_hours() -> float | int:
    offset = dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    hours = (offset or dt.timedelta()).total_seconds() / 3600
    return int(hours) if hours.is_integer() else hours


def _time(value: dt.time | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _datetime(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _label(choices: type[models.Choices], value: str) -> str:
    """A choice's label, translated alone: ``get_FOO_display`` translates every label of the
    field to look one up, about a tenth of a page of 50 services."""
    try:
        return str(choices(value).label)
    except ValueError:  # no longer among the choices: shown as stored, as Django does
        return value


class Serializer:
    """Builds the documents for one request or one export run.

    Expects the querysets of ``queries`` (related rows prefetched); it issues no query itself
    apart from Wagtail's site lookup for page URLs, which is cached per request.
    """

    def __init__(self, *, visibility: Visibility, request: HttpRequest | None = None) -> None:
        self.visibility = visibility
        self.request = request
        self.timezone = _utc_offset_hours()

    # --- taxonomies -------------------------------------------------------------------------

    def taxonomy(self, key: str) -> Doc:
        return {
            "id": taxonomy_id(key),
            "name": taxonomy_name(key),
            "description": str(TAXONOMY_DESCRIPTIONS[key]),
        }

    def taxonomies(self) -> list[Doc]:
        return [self.taxonomy(key) for key in taxonomy_keys()]

    def taxonomy_term(self, term: Term) -> Doc:
        return compact(
            {
                "id": str(term.uuid),
                "code": term.slug,
                "name": term.name,
                "description": "",
                "parent_id": str(term.parent.uuid) if term.parent_id else None,
                "taxonomy": taxonomy_name(term.kind),
                "taxonomy_id": taxonomy_id(term.kind),
                "taxonomy_detail": self.taxonomy(term.kind),
                "language": "ja",
            },
            keep=("description",),
        )

    def feature_term(self, feature: Feature) -> Doc:
        return {
            "id": feature.term_id,
            "code": feature.field,
            "name": str(feature.label),
            "description": "",
            "taxonomy": taxonomy_name(FEATURES),
            "taxonomy_id": taxonomy_id(FEATURES),
            "taxonomy_detail": self.taxonomy(FEATURES),
            "language": "ja",
        }

    def all_terms(self, terms: Iterable[Term]) -> list[Doc]:
        return [*(self.feature_term(f) for f in FEATURE_LIST), *map(self.taxonomy_term, terms)]

    # --- organizations ----------------------------------------------------------------------

    def organization(self, org: Organization) -> Doc:
        """The one-to-one fields (organization_list)."""
        return compact(
            {
                "id": str(org.uuid),
                "name": org.name,
                "alternate_name": org.kana,
                "description": org.description,
                "email": org.email,
                "website": org.website,
                "legal_status": _label(Organization.Kind, org.kind) if org.kind else None,
            },
            keep=("description",),
        )

    def organization_full(
        self, org: Organization, *, services: list[Doc], locations: list[Doc]
    ) -> Doc:
        doc = self.organization(org)
        doc["phones"] = self._phones(org.phone, org.uuid, "organization_id")
        doc["organization_identifiers"] = (
            [
                {
                    "id": child_id(org.uuid, "external_id"),
                    "organization_id": str(org.uuid),
                    "identifier_type": EXTERNAL_ID_TYPE,
                    "identifier": org.external_id,
                }
            ]
            if org.external_id
            else []
        )
        doc["locations"] = locations
        doc["services"] = services
        return doc

    # --- services ---------------------------------------------------------------------------

    def service(self, activity: ActivityPage) -> Doc:
        """The one-to-one fields (service_list), with the operator's one-to-one fields."""
        org = activity.organization
        return compact(
            {
                "id": str(activity.hsds_id),
                "organization_id": str(org.uuid) if org else None,
                "name": activity.title,
                "alternate_name": activity.kana,
                "description": self._description(activity),
                "url": self._url(activity),
                "email": activity.email,
                "status": "active",
                "application_process": activity.contact_note,
                "fees_description": activity.cost_note,
                "eligibility_description": activity.acceptance_conditions,
                "minimum_age": activity.min_age,
                "maximum_age": activity.max_age,
                "assured_date": _date(activity.assured_date),
                "last_modified": _datetime(activity.last_published_at),
                "organization": self.organization(org) if org else None,
            }
        )

    def service_full(self, activity: ActivityPage, *, with_locations: bool = True) -> Doc:
        doc = self.service(activity)
        sid = activity.hsds_id
        doc["phones"] = self._phones(activity.phone, sid, "service_id")
        doc["schedules"] = self._schedules(activity, "service_id")
        if with_locations:
            sal = self.service_at_location_of(activity, nested=True)
            doc["service_at_locations"] = [sal] if sal else []
        doc["languages"] = [self._japanese(sid, "service_id")]
        doc["cost_options"] = [
            compact(
                {
                    "id": child_id(sid, "cost"),
                    "service_id": str(sid),
                    "option": _label(ListingPage.Cost, activity.cost),
                    "currency": "JPY",
                    "amount": 0 if activity.cost == ListingPage.Cost.FREE else None,
                }
            )
        ]
        doc["attributes"] = self._attributes(activity, "service", FEATURE_LIST)
        return doc

    # --- locations and service_at_location ------------------------------------------------

    def location_of(self, activity: ActivityPage) -> tuple[str, ListingPage] | None:
        """Where an activity is held: its public place, or an address or point of its own.

        Held at a place the public may not see (a draft, a private section): none, since the
        activity's address is a copy of that place's.
        """
        if activity.place_id:
            if self.visibility.shows(activity.place):
                return str(activity.place.hsds_id), activity.place
            return None
        if activity.address or activity.area_id or activity.latitude is not None:
            return own_location_id(activity.hsds_id), activity
        return None

    def location(self, location_id: str, listing: ListingPage) -> Doc:
        """The one-to-one fields of a location."""
        is_place = isinstance(listing, PlacePage)
        org = listing.organization
        return compact(
            {
                "id": location_id,
                "location_type": "physical",
                "url": self._url(listing) if is_place else None,
                "organization_id": str(org.uuid) if org else None,
                "name": listing.title,
                "alternate_name": listing.kana if is_place else None,
                "description": self._description(listing) if is_place else None,
                "latitude": _number(listing.latitude),
                "longitude": _number(listing.longitude),
                "external_identifier": listing.external_id if is_place else None,
                "external_identifier_type": (
                    EXTERNAL_ID_TYPE if is_place and listing.external_id else None
                ),
            }
        )

    def location_full(self, location_id: str, listing: ListingPage) -> Doc:
        doc = self.location(location_id, listing)
        is_place = isinstance(listing, PlacePage)
        doc["languages"] = [self._japanese(location_id, "location_id")]
        doc["addresses"] = self._addresses(location_id, listing)
        doc["accessibility"] = self._accessibility(location_id, listing)
        if is_place:
            doc["contacts"] = (
                [
                    {
                        "id": child_id(location_id, "contact"),
                        "location_id": location_id,
                        "email": listing.email,
                    }
                ]
                if listing.email
                else []
            )
            doc["phones"] = self._phones(listing.phone, location_id, "location_id")
            doc["schedules"] = self._schedules(listing, "location_id")
            doc["attributes"] = self._attributes(listing, "location", PLACE_FEATURES)
        return doc

    def service_at_location_of(self, activity: ActivityPage, *, nested: bool) -> Doc | None:
        """The link of a service and its location (``nested``: as inside a full service)."""
        found = self.location_of(activity)
        if found is None:
            return None
        location_id, listing = found
        return {
            "id": service_at_location_id(activity.hsds_id),
            "service_id": str(activity.hsds_id),
            "location_id": location_id,
            "location": (
                self.location_full(location_id, listing)
                if nested
                else self.location(location_id, listing)
            ),
        }

    def service_at_location_full(self, activity: ActivityPage) -> Doc | None:
        doc = self.service_at_location_of(activity, nested=True)
        if doc is not None:
            doc["service"] = self.service_full(activity, with_locations=False)
        return doc

    def service_at_location_list(self, activity: ActivityPage) -> Doc | None:
        doc = self.service_at_location_of(activity, nested=False)
        if doc is not None:
            doc["service"] = self.service(activity)
        return doc

    # --- parts ------------------------------------------------------------------------------

    def _url(self, page: ListingPage) -> str | None:
        url = page.get_full_url(self.request)
        return iri_to_uri(url) if url else None

    def _description(self, listing: ListingPage) -> str:
        return listing.summary or html_to_text(listing.body)

    def _phones(self, number: str, owner: Any, owner_field: str) -> list[Doc]:
        if not number:
            return []
        return [{"id": child_id(owner, "phone"), owner_field: str(owner), "number": number}]

    def _japanese(self, owner: Any, owner_field: str) -> Doc:
        return {
            "id": child_id(owner, "language:ja"),
            owner_field: str(owner),
            "name": _("Japanese"),
            "code": "ja",
        }

    def _addresses(self, location_id: str, listing: ListingPage) -> list[Doc]:
        if not (listing.address or listing.area_id):
            return []
        return [
            compact(
                {
                    "id": child_id(location_id, "address"),
                    "location_id": location_id,
                    "address_1": listing.address,
                    "city": settings.TSUNAGU_TOWN_NAME,
                    "region": listing.area.name if listing.area_id else None,
                    "state_province": settings.TSUNAGU_PREFECTURE,
                    "postal_code": "",
                    "country": "JP",
                    "address_type": "physical",
                },
                keep=ADDRESS_REQUIRED,
            )
        ]

    def _accessibility(self, location_id: str, listing: ListingPage) -> list[Doc]:
        labels = [str(f.label) for f in ACCESS_FEATURES if getattr(listing, f.field)]
        if not labels and not listing.accessibility_note:
            return []
        return [
            compact(
                {
                    "id": child_id(location_id, "accessibility"),
                    "location_id": location_id,
                    "description": "、".join(labels),
                    "details": listing.accessibility_note,
                }
            )
        ]

    def _schedules(self, listing: ListingPage, owner_field: str) -> list[Doc]:
        owner = str(listing.hsds_id)
        rules: list[ScheduleRule] = list(listing.schedule_rules.all())
        exceptions: list[ScheduleException] = list(listing.schedule_exceptions.all())
        docs = []
        for index, rule in enumerate(rules):
            closures = [
                closed_line(e) for e in exceptions if e.closed and e.date.weekday() == rule.weekday
            ]
            docs.append(
                compact(
                    {
                        "id": child_id(owner, f"schedule:{index}"),
                        owner_field: owner,
                        "valid_from": _date(rule.valid_from),
                        "valid_to": _date(rule.valid_until),
                        "timezone": self.timezone,
                        "wkst": "MO",
                        **{k: str(v) for k, v in rule.rrule_parts().items()},
                        "description": rule.note,
                        "opens_at": _time(rule.opens_at),
                        "closes_at": _time(rule.closes_at),
                        "notes": "\n".join(closures),
                    }
                )
            )
        for exception in exceptions:
            if exception.closed:
                continue
            day = exception.date.isoformat()
            docs.append(
                compact(
                    {
                        "id": child_id(owner, f"exception:{day}:{exception.opens_at}"),
                        owner_field: owner,
                        "valid_from": day,
                        "valid_to": day,
                        "dtstart": day,
                        "timezone": self.timezone,
                        "count": 1,
                        "freq": "WEEKLY",
                        "byday": RRULE_DAYS[exception.date.weekday()],
                        "description": exception.note,
                        "opens_at": _time(exception.opens_at),
                        "closes_at": _time(exception.closes_at),
                    }
                )
            )
        return docs

    def _attributes(
        self, listing: ListingPage, entity: str, features: Iterable[Feature]
    ) -> list[Doc]:
        link_id = str(listing.hsds_id)
        capacity = getattr(listing, "placement_capacity", 0)
        docs = []
        for feature in features:
            if not getattr(listing, feature.field):
                continue
            docs.append(
                compact(
                    {
                        "id": child_id(link_id, f"attribute:{feature.term_id}"),
                        "link_id": link_id,
                        "link_type": feature.link_type,
                        "link_entity": entity,
                        "taxonomy_term_id": feature.term_id,
                        "value": (
                            str(capacity)
                            if feature.field == "accepts_placements" and capacity
                            else None
                        ),
                        "taxonomy_term": self.feature_term(feature),
                    }
                )
            )
        for tagged in listing.tagged_items.all():
            term = tagged.tag
            docs.append(
                {
                    "id": child_id(link_id, f"attribute:{term.uuid}"),
                    "link_id": link_id,
                    "link_type": term.kind,
                    "link_entity": entity,
                    "taxonomy_term_id": str(term.uuid),
                    "taxonomy_term": self.taxonomy_term(term),
                }
            )
        return docs


def own_location_id(service_id: uuid.UUID | str) -> str:
    """The location of an activity held at no place, derived from the activity's own id."""
    return child_id(service_id, "location")


def service_at_location_id(service_id: uuid.UUID | str) -> str:
    """An activity has at most one location, so its link's id derives from the activity."""
    return child_id(service_id, "service_at_location")
