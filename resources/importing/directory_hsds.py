"""HSDS 3.0 JSON → records: our own export, or documents in the shape of the official examples.

Accepted shapes: the export of ``export_directory`` (an object with ``organizations``,
``locations``, ``services``, ``taxonomy_terms``); a fully nested service, organization (with
its ``services`` and ``locations``) or service_at_location; a JSON list of those; an API page
(``contents``). The mapping is the reverse of ``resources.hsds.serializers``; schedules of a
service_at_location join the service's. Parts Tsunagu has no place for (funding, programs,
contact persons, service areas, metadata) are not read; values it would misrepresent refuse the
file: a service at several locations, schedules other than weekly or n-th weekday of the month,
an unknown district, terms of a taxonomy that is not in the vocabulary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlparse

from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Site

from resources.hsds.serializers import own_location_id
from resources.hsds.taxonomies import (
    EXTERNAL_ID_TYPE,
    FEATURE_LIST,
    FEATURES,
    FEATURES_BY_TERM_ID,
    KIND_BY_TAXONOMY_ID,
    PLACE_FEATURES,
    Feature,
    child_id,
    taxonomy_id,
)
from resources.models import ActivityPage, ListingPage, Organization, PlacePage, Term

from . import values
from .files import Errors, load_json
from .records import (
    DESCRIPTION,
    ActivityRecord,
    DirectoryData,
    ExceptionRecord,
    ListingRecord,
    OrganizationRecord,
    ScheduleRecord,
    TermRecord,
)

BUNDLE_KEYS = ("organizations", "locations", "services", "taxonomy_terms", "taxonomies")
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_CLOSED_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+[^（(]*(?:[（(](.*)[）)])?$")
UNSUPPORTED_RRULE = ("byweekno", "bymonthday", "byyearday")
INACTIVE = {"inactive", "defunct", "temporarily closed"}
BASE_KEYS = frozenset({"version", "profile", "openapi_url"})
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def _slug(url: Any) -> str:
    """The last segment of a page URL, when it can be a slug (so a moved page keeps its URL)."""
    if not isinstance(url, str):
        return ""
    segment = unquote(urlparse(url).path.rstrip("/").rpartition("/")[2])
    return segment if segment and slugify(segment, allow_unicode=True) == segment else ""


def _subset(small: dict, large: dict) -> bool:
    return all(k in large and large[k] == v for k, v in small.items())


def _tabular(tables: dict[str, Any]) -> dict[str, Any]:
    """HSDS's tabular form (one list of rows per CSV table, linked by ``*_id`` columns) as the
    nested bundle the reader takes."""

    def rows(name: str) -> list[dict]:
        found = tables.get(name)
        return [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []

    def of(name: str, column: str, parent: dict) -> list[dict]:
        return [row for row in rows(name) if row.get(column) == parent.get("id")]

    def attributes(parent: dict) -> list[dict]:
        return [row for row in rows("attributes.csv") if row.get("link_id") == parent.get("id")]

    locations = [
        {
            **location,
            "addresses": of("addresses.csv", "location_id", location),
            "phones": of("phones.csv", "location_id", location),
            "accessibility": of("accessibility.csv", "location_id", location),
            "schedules": of("schedules.csv", "location_id", location),
            "attributes": attributes(location),
        }
        for location in rows("locations.csv")
    ]
    services = [
        {
            **service,
            "phones": of("phones.csv", "service_id", service),
            "schedules": of("schedules.csv", "service_id", service),
            "cost_options": of("cost_options.csv", "service_id", service),
            "attributes": attributes(service),
            "service_at_locations": [
                {**link, "schedules": of("schedules.csv", "service_at_location_id", link)}
                for link in of("service_at_location.csv", "service_id", service)
            ],
        }
        for service in rows("services.csv")
    ]
    organizations = [
        {
            **organization,
            "phones": of("phones.csv", "organization_id", organization),
            "organization_identifiers": of(
                "organization_identifiers.csv", "organization_id", organization
            ),
        }
        for organization in rows("organizations.csv")
    ]
    return {
        "taxonomies": rows("taxonomies.csv"),
        "taxonomy_terms": rows("taxonomy_terms.csv"),
        "organizations": organizations,
        "locations": locations,
        "services": services,
    }


class DirectoryHSDSReader:
    def __init__(self, site: Site | None = None) -> None:
        self.errors = Errors()
        self.data = DirectoryData()
        self.areas = values.AreaIndex(site)
        self.costs = values.Choices(ListingPage.Cost.choices)
        self.org_kinds = values.Choices(Organization.Kind.choices)
        self.db_terms = {term.uuid: term for term in Term.objects.all()}
        self.db_terms_by_name = {values.key(t.name): t for t in self.db_terms.values()}
        self.file_terms: dict[uuid.UUID, TermRecord] = {}
        self.term_aliases: dict[uuid.UUID, uuid.UUID] = {}
        self.pending_tags: list[tuple[ListingRecord, str, list[uuid.UUID]]] = []
        self.seen: dict[tuple[str, str], dict] = {}
        self.warnings = Errors()
        self.kept: list[str] = []  # schedule texts of the entity being read
        self.term_map: dict[str, uuid.UUID] = {}  # foreign taxonomy key → our term (--term-map)

    def _warn(self, where: str, name: str, message: str) -> None:
        """Something defaulted or approximated to fit Tsunagu: imported, and reported."""
        self.warnings.field(where, name, message)

    # --- shapes -----------------------------------------------------------------------------

    def read(self, document: Any) -> DirectoryData:
        if isinstance(document, dict) and document and set(document) <= BASE_KEYS:
            # The API's base document (version, profile): valid HSDS, nothing to import.
            self._warn("$", "version", _("The document holds no directory data."))
        elif isinstance(document, dict) and document and all(k.endswith(".csv") for k in document):
            self._bundle(_tabular(document))
        elif isinstance(document, dict) and "id" not in document and "contents" in document:
            self._items(document["contents"], "$.contents")
        elif (
            isinstance(document, dict)
            and "id" not in document
            and any(k in document for k in BUNDLE_KEYS)
        ):
            self._bundle(document)
        elif isinstance(document, list):
            self._items(document, "$")
        elif isinstance(document, dict):
            self._item(document, "$")
        else:
            self.errors.file(_("The JSON is not an HSDS document."))
        self._finish()
        self.errors.raise_if_any()
        self.data.warnings = self.warnings.messages
        return self.data

    def _list(self, parent: dict, name: str, where: str) -> list[tuple[dict, str]]:
        items = parent.get(name) or []
        if not isinstance(items, list):
            self.errors.field(where, name, _("Must be a list."))
            return []
        found = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                found.append((item, f"{where}.{name}[{index}]"))
            else:
                self.errors.field(f"{where}.{name}[{index}]", "-", _("Must be an object."))
        return found

    def _bundle(self, document: dict) -> None:
        for item, where in self._list(document, "taxonomies", "$"):
            self._taxonomy(item, where)
        for item, where in self._list(document, "taxonomy_terms", "$"):
            self._term(item, where)
        for item, where in self._list(document, "organizations", "$"):
            self._organization(item, where, with_services=False)
        for item, where in self._list(document, "locations", "$"):
            self._location(item, where)
        for item, where in self._list(document, "services", "$"):
            self._service(item, where)

    def _items(self, items: Any, where: str) -> None:
        if not isinstance(items, list):
            self.errors.file(_("The JSON is not an HSDS document."))
            return
        for index, item in enumerate(items):
            if isinstance(item, dict):
                self._item(item, f"{where}[{index}]")
            else:
                self.errors.field(f"{where}[{index}]", "-", _("Must be an object."))

    def _item(self, item: dict, where: str) -> None:
        if "status" in item or "service_at_locations" in item:
            self._service(item, where)
        elif "service" in item and "location" in item:
            service = dict(item["service"]) if isinstance(item["service"], dict) else {}
            service["service_at_locations"] = [{k: v for k, v in item.items() if k != "service"}]
            self._service(service, f"{where}.service")
        elif "location_type" in item:
            self._location(item, where)
        elif any(k in item for k in ("taxonomy_id", "taxonomy_detail", "term_uri", "code")):
            self._term(item, where)
        elif "uri" in item and "version" in item and "legal_status" not in item:
            self._taxonomy(item, where)
        else:
            self._organization(item, where, with_services=True)

    def _first_time(self, kind: str, item: dict, where: str) -> bool:
        """False when this entity was read already (the export repeats locations); an entity
        given twice with different content is an error."""
        ident = (kind, str(item.get("id")))
        previous = self.seen.get(ident)
        if previous is None:
            self.seen[ident] = item
            return True
        if _subset(item, previous):
            return False
        if _subset(previous, item):
            self.seen[ident] = item
            return True
        self.errors.field(where, "id", _("The same id appears earlier with other content."))
        return False

    # --- values -----------------------------------------------------------------------------

    def _uuid(
        self, item: dict, name: str, where: str, *, required: bool = False
    ) -> uuid.UUID | None:
        raw = item.get(name)
        if raw in (None, ""):
            if required:
                self.errors.field(where, name, _("Required."))
            return None
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            self.errors.field(where, name, _("“%(value)s” is not a UUID.") % {"value": raw})
            return None

    def _text(self, item: dict, name: str, where: str, *, required: bool = False) -> str:
        raw = item.get(name)
        if raw is None or raw == "":
            if required:
                self.errors.field(where, name, _("Required."))
            return ""
        if not isinstance(raw, str):
            self.errors.field(where, name, _("Must be text."))
            return ""
        if values.CONTROLS.search(raw):
            self.errors.field(where, name, _("Contains a control character (such as NUL)."))
            return ""
        return raw

    def _value(self, item: dict, name: str, where: str, parser: Callable[[str], Any]) -> Any:
        raw = item.get(name)
        if raw is None or raw == "":
            return None
        try:
            return parser(str(raw))
        except ValueError as exc:
            self.errors.field(where, name, str(exc))
            return None

    def _iso_date(self, item: dict, name: str, where: str) -> dt.date | None:
        return self._value(item, name, where, values.parse_date)

    def _age(self, item: dict, name: str, where: str) -> int | None:
        raw = item.get(name)
        if raw is None:
            return None
        if isinstance(raw, float) and 0 <= raw <= 150:
            whole = math.floor(raw) if name == "minimum_age" else math.ceil(raw)
            if whole != raw:
                self._warn(
                    where,
                    name,
                    _("Ages are whole years: %(value)s is kept as %(whole)s.")
                    % {"value": raw, "whole": whole},
                )
            raw = whole
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= 150:
            self.errors.field(where, name, _("Must be a whole number from 0 to 150."))
            return None
        return raw

    # --- taxonomy terms ---------------------------------------------------------------------

    def _term(self, item: dict, where: str) -> None:
        term_id = self._uuid(item, "id", where, required=True)
        if term_id is None or str(term_id) in FEATURES_BY_TERM_ID or term_id in self.file_terms:
            return
        name = self._text(item, "name", where, required=True)
        detail = (
            item.get("taxonomy_detail") if isinstance(item.get("taxonomy_detail"), dict) else {}
        )
        taxonomy = str(item.get("taxonomy_id") or detail.get("id") or item.get("taxonomy") or "")
        kind = KIND_BY_TAXONOMY_ID.get(taxonomy)
        if kind is None:
            code = self._text(item, "code", where)
            mapped = self._mapped(taxonomy, detail, term_id, code, name)
            known = (
                mapped or self.db_terms.get(term_id) or self.db_terms_by_name.get(values.key(name))
            )
            if known is not None:
                self.term_aliases[term_id] = known.uuid
                return
            if not name:
                return
            # A term of another vocabulary: kept, with where it came from, to be mapped later.
            source = str(detail.get("name") or item.get("taxonomy") or taxonomy)
            self._warn(
                where,
                "taxonomy_id",
                _(
                    "“%(name)s” is from the taxonomy “%(taxonomy)s”, which Tsunagu does not use: "
                    "it is kept as a term of that taxonomy; map it to the vocabulary with "
                    "--term-map or in the admin."
                )
                % {"name": name, "taxonomy": source},
            )
            self.file_terms[term_id] = record = TermRecord(
                uuid=term_id,
                name=name[:100],
                kind=Term.Kind.INTEREST,
                where=where,
                slug=code,
                parent=self._uuid(item, "parent_id", where),
                source_taxonomy=source[:200],
                source_code=code[:100],
            )
            self.data.terms.append(record)
            return
        self.file_terms[term_id] = record = TermRecord(
            uuid=term_id,
            name=name,
            kind=kind,
            where=where,
            slug=self._text(item, "code", where),
            parent=self._uuid(item, "parent_id", where),
        )
        self.data.terms.append(record)

    def _taxonomy(self, item: dict, where: str) -> None:
        """A taxonomy document: ours is known; another's terms will be kept as foreign."""
        if str(item.get("id")) not in {*KIND_BY_TAXONOMY_ID, taxonomy_id(FEATURES)}:
            self._warn(
                where,
                "id",
                _("The taxonomy “%(name)s” is not Tsunagu's; its terms are kept as they are.")
                % {"name": item.get("name") or item.get("id")},
            )

    def _mapped(
        self, taxonomy: str, detail: dict, term_id: uuid.UUID, code: str, name: str
    ) -> Term | None:
        """Our term for a foreign one, by the --term-map file (taxonomy, then id, code or name)."""
        taxonomies = {values.key(str(t)) for t in (taxonomy, detail.get("name")) if t} | {""}
        for source in taxonomies:
            for word in (str(term_id), code, name):
                if word and (found := self.term_map.get(f"{source}|{values.key(word)}")):
                    return self.db_terms.get(found)
        return None

    def _resolve_term(self, term_id: uuid.UUID) -> uuid.UUID | None:
        if term_id in self.file_terms or term_id in self.db_terms:
            return term_id
        return self.term_aliases.get(term_id)

    def _attributes(
        self, item: dict, where: str, record: ListingRecord, features: Iterable[Feature]
    ) -> None:
        """Tags (resolved once every term of the file is known) and the yes/no features."""
        allowed = {f.field for f in features}
        flags = dict.fromkeys(allowed, False)
        capacity = 0
        tags: list[uuid.UUID] = []
        for attribute, at in self._list(item, "attributes", where):
            embedded = attribute.get("taxonomy_term")
            term_id = self._uuid(attribute, "taxonomy_term_id", at)
            if term_id is None and isinstance(embedded, dict):
                term_id = self._uuid(embedded, "id", f"{at}.taxonomy_term")
            if term_id is None:
                self._warn(at, "taxonomy_term_id", _("An attribute with no term is skipped."))
                continue
            feature = FEATURES_BY_TERM_ID.get(str(term_id))
            if feature is not None:
                if feature.field not in allowed:
                    self.errors.field(
                        at, "taxonomy_term_id", _("This feature is for activities only.")
                    )
                    continue
                flags[feature.field] = True
                if feature.field == "accepts_placements":
                    capacity = self._value(attribute, "value", at, values.parse_int) or 0
                continue
            if isinstance(embedded, dict):
                self._term(embedded, f"{at}.taxonomy_term")
            tags.append(term_id)
        record.fields.update(flags)
        if "accepts_placements" in allowed:
            record.fields["placement_capacity"] = capacity
        self.pending_tags.append((record, where, tags))

    # --- organizations ----------------------------------------------------------------------

    def _organization(self, item: dict, where: str, *, with_services: bool) -> str | None:
        org_id = self._uuid(item, "id", where, required=True)
        if org_id is None:
            return None
        key = f"org:{org_id}"
        if self._first_time("organization", item, where):
            fields: dict[str, Any] = {
                "name": self._text(item, "name", where, required=True),
                "kana": self._text(item, "alternate_name", where),
                "description": self._text(item, "description", where),
                "email": self._value(item, "email", where, values.parse_email) or "",
                "website": self._value(item, "website", where, values.parse_url) or "",
            }
            if item.get("legal_status"):
                try:
                    fields["kind"] = self.org_kinds.get(str(item["legal_status"]))
                except ValueError:
                    fields["kind"] = Organization.Kind.OTHER
                    self._warn(
                        where,
                        "legal_status",
                        _("“%(value)s” is none of Tsunagu's kinds: the kind is “%(kind)s”.")
                        % {
                            "value": item["legal_status"],
                            "kind": Organization.Kind.OTHER.label,
                        },
                    )
            else:
                self._warn(
                    where,
                    "legal_status",
                    _("Not given: a new operator's kind is “%(kind)s” (editable in the admin).")
                    % {"kind": Organization.Kind.OTHER.label},
                )
            if "phones" in item:
                fields["phone"] = self._phone(item, where)
            self._fit(fields, "name", Organization, where, "name")
            record = OrganizationRecord(key=key, where=where, uuid=org_id, fields=fields)
            for ident, at in self._list(item, "organization_identifiers", where):
                if ident.get("identifier_type") == EXTERNAL_ID_TYPE:
                    record.external_id = self._text(ident, "identifier", at)
            self.data.organizations[key] = record
        for location, at in self._list(item, "locations", where):
            self._location(location, at, organization=key)
        if with_services:
            for service, at in self._list(item, "services", where):
                self._service(service, at, organization=key)
        return key

    def _organization_ref(self, org_id: uuid.UUID, where: str) -> str:
        key = f"org:{org_id}"
        self.data.organizations.setdefault(
            key, OrganizationRecord(key=key, where=where, uuid=org_id)
        )
        return key

    def _phone(self, item: dict, where: str) -> str:
        phones = self._list(item, "phones", where)
        return self._text(phones[0][0], "number", phones[0][1]) if phones else ""

    # --- locations --------------------------------------------------------------------------

    def _location_fields(self, item: dict, where: str) -> dict[str, Any]:
        """Address, district, point and accessibility note: what a place and an activity held
        at no place both have."""
        fields: dict[str, Any] = {"area": None, "address": ""}
        addresses = self._list(item, "addresses", where)
        if addresses:
            address, at = addresses[0]
            lines = [self._text(address, "address_1", at), self._text(address, "address_2", at)]
            region = self._text(address, "region", at)
            if region:
                try:
                    fields["area"] = self.areas.get(region)
                except ValueError:
                    lines.append(region)  # kept in the address
                    self._warn(
                        at,
                        "region",
                        _("“%(value)s” is not one of the town's districts: kept in the address.")
                        % {"value": region},
                    )
            fields["address"] = " ".join(line for line in lines if line)
        point = []
        for name, limit in (("latitude", 90), ("longitude", 180)):
            raw = item.get(name)
            try:
                point.append(
                    None if raw in (None, "") else values.parse_coordinate(raw, limit=limit)
                )
            except ValueError as exc:
                # The schema allows any number; a point off the globe cannot be mapped.
                self._warn(where, name, _("%(error)s The point is left empty.") % {"error": exc})
                point = [None, None]
                break
        if len(point) == 2 and (point[0] is None) != (point[1] is None):
            self._warn(where, "longitude", _("Only half a point: the point is left empty."))
            point = [None, None]
        fields.update(
            latitude=point[0] if point else None, longitude=point[1] if len(point) == 2 else None
        )
        notes = []
        own = child_id(item.get("id"), "accessibility") if self._is_uuid(item.get("id")) else None
        for entry, at in self._list(item, "accessibility", where):
            if own and entry.get("id") == own:
                notes.append(self._text(entry, "details", at))
            else:
                notes += [self._text(entry, "description", at), self._text(entry, "details", at)]
        fields["accessibility_note"] = "\n".join(n for n in notes if n)
        return fields

    @staticmethod
    def _is_uuid(value: Any) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True

    def _location(self, item: dict, where: str, *, organization: str | None = None) -> str | None:
        place_id = self._uuid(item, "id", where, required=True)
        if place_id is None:
            return None
        key = f"place:{place_id}"
        if not self._first_time("location", item, where):
            return key
        record = ListingRecord(key=key, where=where, uuid=place_id, slug=_slug(item.get("url")))
        if item.get("external_identifier") not in (None, ""):
            record.external_id = str(item["external_identifier"])
        record.fields.update(
            title=self._text(item, "name", where, required=True),
            kana=self._text(item, "alternate_name", where),
            phone=self._phone(item, where),
            email=self._location_email(item, where),
            **{DESCRIPTION: self._text(item, "description", where)},
            **self._location_fields(item, where),
        )
        self._fit(record.fields, "title", PlacePage, where, "name")
        org_id = self._uuid(item, "organization_id", where)
        record.organization = self._organization_ref(org_id, where) if org_id else organization
        record.set_organization = True
        self._attributes(item, where, record, PLACE_FEATURES)
        record.schedules, record.exceptions = self._schedules(item, where)
        self._keep_texts(record)
        self.data.places[key] = record
        return key

    def _location_email(self, item: dict, where: str) -> str:
        for contact, at in self._list(item, "contacts", where):
            if email := self._value(contact, "email", at, values.parse_email):
                return email
        return ""

    # --- services ---------------------------------------------------------------------------

    def _service(self, item: dict, where: str, *, organization: str | None = None) -> None:
        service_id = self._uuid(item, "id", where, required=True)
        if service_id is None or not self._first_time("service", item, where):
            return
        status = item.get("status", "active")
        if status != "active" and status not in INACTIVE:
            self.errors.field(
                where, "status", _("“%(value)s” is not an HSDS status.") % {"value": status}
            )
        record = ActivityRecord(
            key=f"activity:{service_id}", where=where, uuid=service_id, slug=_slug(item.get("url"))
        )
        record.publish = status == "active"
        record.fields.update(
            title=self._text(item, "name", where, required=True),
            kana=self._text(item, "alternate_name", where),
            email=self._value(item, "email", where, values.parse_email) or "",
            contact_note=self._text(item, "application_process", where),
            cost_note=self._text(item, "fees_description", where),
            acceptance_conditions=self._text(item, "eligibility_description", where),
            min_age=self._age(item, "minimum_age", where),
            max_age=self._age(item, "maximum_age", where),
            assured_date=self._iso_date(item, "assured_date", where),
            phone=self._phone(item, where),
            cost=self._cost(item, where),
            **{DESCRIPTION: self._text(item, "description", where)},
        )
        self._fit(record.fields, "title", ActivityPage, where, "name")
        minimum, maximum = record.fields["min_age"], record.fields["max_age"]
        if minimum is not None and maximum is not None and maximum < minimum:
            self.errors.field(where, "maximum_age", _("The maximum age is below the minimum."))
        embedded = item.get("organization")
        org_id = self._uuid(item, "organization_id", where)
        if isinstance(embedded, dict):
            record.organization = self._organization(
                embedded, f"{where}.organization", with_services=False
            )
        if org_id:
            record.organization = self._organization_ref(org_id, where)
        elif record.organization is None:
            record.organization = organization
        record.set_organization = True
        record.set_place = True
        self._attributes(item, where, record, FEATURE_LIST)
        record.schedules, record.exceptions = self._schedules(item, where)
        for link, at in self._list(item, "service_at_locations", where):
            # The activity's schedule is its schedule at its one place.
            rules, exceptions = self._schedules(link, at)
            record.schedules += [r for r in rules if r not in record.schedules]
            record.exceptions += [e for e in exceptions if e not in record.exceptions]
        self._keep_texts(record)
        self._service_location(item, where, record, service_id)
        self.data.activities.append(record)

    def _fit(self, fields: dict[str, Any], name: str, model: type, where: str, source: str) -> None:
        """A name longer than its column: shortened, and kept whole in the description."""
        text, limit = fields.get(name) or "", model._meta.get_field(name).max_length
        if len(text) <= limit:
            return
        fields[name] = text[: limit - 1] + "…"
        description = DESCRIPTION if DESCRIPTION in fields else "description"
        fields[description] = "\n\n".join(p for p in (text, fields.get(description, "")) if p)
        self._warn(
            where,
            source,
            _("%(length)s characters, over %(max)s: shortened, and kept whole in the description.")
            % {"length": len(text), "max": limit},
        )

    def _cost(self, item: dict, where: str) -> str:
        options = self._list(item, "cost_options", where)
        for option, _at in options:
            try:
                return self.costs.get(str(option.get("option") or ""))
            except ValueError:
                continue
        amounts = [option.get("amount") for option, _at in options]
        if amounts and all(amount == 0 for amount in amounts):
            return ListingPage.Cost.FREE
        if amounts or item.get("fees") or item.get("fees_description"):
            return ListingPage.Cost.PAID
        return ListingPage.Cost.FREE

    def _service_location(
        self, item: dict, where: str, record: ActivityRecord, service_id: uuid.UUID
    ) -> None:
        links = self._list(item, "service_at_locations", where)
        cleared = {"area": None, "address": "", "latitude": None, "longitude": None}
        record.fields.update(cleared)
        if len(links) > 1:
            self._warn(
                where,
                "service_at_locations",
                _(
                    "An activity is held at one place in Tsunagu: held at the first of "
                    "%(count)s; the others are imported as places."
                )
                % {"count": len(links)},
            )
            for other, at in links[1:]:
                if isinstance(other.get("location"), dict):
                    self._location(other["location"], f"{at}.location")
        if not links:
            return
        link, at = links[0]
        location = link.get("location") if isinstance(link.get("location"), dict) else None
        location_id = self._uuid(link, "location_id", at) or (
            location and self._uuid(location, "id", f"{at}.location")
        )
        if location_id is None:
            self.errors.field(at, "location_id", _("Required."))
        elif str(location_id) == own_location_id(service_id):
            if location is not None:
                fields = self._location_fields(location, f"{at}.location")
                record.fields.update(fields)
        elif location is not None:
            record.place = self._location(location, f"{at}.location")
        else:
            record.place = f"place:{location_id}"
            self.data.places.setdefault(
                record.place, ListingRecord(key=record.place, where=at, uuid=location_id)
            )

    # --- schedules --------------------------------------------------------------------------

    def _schedules(
        self, item: dict, where: str
    ) -> tuple[list[ScheduleRecord], list[ExceptionRecord]]:
        """Weekly and n-th weekday rules and dated openings; what the model cannot hold is
        approximated or kept as text in the description (``kept``), each with a warning."""
        rules: list[ScheduleRecord] = []
        exceptions: dict[dt.date, ExceptionRecord] = {}
        for schedule, at in self._list(item, "schedules", where):
            opens, closes = self._times(schedule, at)
            note = self._text(schedule, "description", at)
            if schedule.get("count") == 1 and schedule.get("dtstart"):
                day = self._iso_date(schedule, "dtstart", at)
                if day and opens and closes:
                    exceptions[day] = ExceptionRecord(
                        date=day, closed=False, opens_at=opens, closes_at=closes, note=note[:200]
                    )
                    continue
            extra = []
            for line in self._text(schedule, "notes", at).splitlines():
                if m := _CLOSED_LINE.match(line.strip()):
                    try:
                        day = dt.date.fromisoformat(m[1])
                    except ValueError:
                        extra.append(line.strip())
                        continue
                    exceptions.setdefault(day, ExceptionRecord(date=day, note=m[2] or ""))
                elif line.strip():
                    extra.append(line.strip())
            note = " ".join([note, *extra]).strip()
            found = self._rules(schedule, at, opens, closes, note[:200])
            if len(note) > 200 or not found:
                self.kept.append(note or self._text(schedule, "timezone", at) or at)
                if len(note) > 200:
                    self._warn(
                        at,
                        "description",
                        _(
                            "Over 200 characters: the schedule's note is shortened; the whole "
                            "text is kept in the description."
                        ),
                    )
            rules += found
        return rules, sorted(exceptions.values(), key=lambda e: e.date)

    def _times(self, schedule: dict, at: str) -> tuple[dt.time | None, dt.time | None]:
        opens = self._value(schedule, "opens_at", at, values.parse_time)
        closes = self._value(schedule, "closes_at", at, values.parse_time)
        for name in ("opens_at", "closes_at"):
            m = _OFFSET.search(str(schedule.get(name) or ""))
            if m and m[1].replace(":", "") not in ("+0900",):
                self._warn(
                    at,
                    name,
                    _("The offset %(offset)s is not Japan's: the time is read as local time.")
                    % {"offset": m[1]},
                )
        if opens and closes is None:
            closes = min(
                (dt.datetime.combine(dt.date.min, opens) + dt.timedelta(hours=1)).time(),
                dt.time(23, 59),
            )
            self._warn(
                at, "closes_at", _("Not given: the end is taken as an hour after the start.")
            )
        if opens and closes and closes <= opens:
            self._warn(
                at,
                "closes_at",
                _("The end is not after the start: the schedule is kept as text."),
            )
            return None, None
        return opens, closes

    def _rules(
        self, schedule: dict, at: str, opens: dt.time | None, closes: dt.time | None, note: str
    ) -> list[ScheduleRecord]:
        freq = schedule.get("freq")
        days = "MO,TU,WE,TH,FR,SA,SU" if freq == "DAILY" and not schedule.get("byday") else ""
        byday = str(schedule.get("byday") or days)
        if freq not in ("WEEKLY", "MONTHLY", "DAILY") or not byday or opens is None:
            self._warn(
                at,
                "freq",
                _(
                    "Not a weekly, daily or n-th weekday rule with times (by appointment, "
                    "for example): kept as text in the description."
                ),
            )
            return []
        for name in UNSUPPORTED_RRULE:
            if schedule.get(name):
                self._warn(
                    at,
                    name,
                    _("Tsunagu keeps only the days of the week of this rule; %(name)s is left out.")
                    % {"name": name},
                )
        if schedule.get("interval") not in (None, 1):
            self._warn(
                at,
                "interval",
                _("Every %(n)s: Tsunagu shows the rule as every week or month.")
                % {"n": schedule.get("interval")},
            )
        if schedule.get("count") is not None:
            self._warn(at, "count", _("The number of occurrences is not kept."))
        weeks_by_day: dict[int, list[str]] = {}
        for token in byday.split(","):
            m = _BYDAY.match(token.strip().upper())
            if m is None:
                self.errors.field(
                    at, "byday", _("“%(value)s” is not a day of the week.") % {"value": token}
                )
                continue
            weekday = values.RRULE_WEEKDAYS.index(m[2])
            weeks = weeks_by_day.setdefault(weekday, [])
            if m[1] and freq == "MONTHLY":
                weeks.append(str(int(m[1])))
        valid_from = self._iso_date(schedule, "valid_from", at)
        valid_until = self._iso_date(schedule, "valid_to", at) or self._iso_date(
            schedule, "until", at
        )
        if closes is None:
            return []
        return [
            ScheduleRecord(
                weekday=weekday,
                weeks_of_month=",".join(weeks),
                opens_at=opens,
                closes_at=closes,
                valid_from=valid_from,
                valid_until=valid_until,
                note=note,
            )
            for weekday, weeks in weeks_by_day.items()
        ]

    def _keep_texts(self, record: ListingRecord) -> None:
        """Schedules the model cannot hold, added to the description so nothing is lost."""
        if self.kept:
            lines = [_("Schedule: %(text)s") % {"text": text} for text in self.kept]
            text = record.fields.get(DESCRIPTION, "")
            record.fields[DESCRIPTION] = "\n".join(p for p in (text, *lines) if p)
            self.kept = []

    # --- the end ----------------------------------------------------------------------------

    def _finish(self) -> None:
        """Resolve references that may point forward in the file: tags, term parents,
        operators referred to by id only."""
        missing = [
            key
            for key, record in self.data.organizations.items()
            if not record.fields and not Organization.objects.filter(uuid=record.uuid).exists()
        ]
        for key in missing:
            where = self.data.organizations.pop(key).where
            self._warn(
                where,
                "organization_id",
                _("The operator %(id)s is neither in the file nor in Tsunagu: left unset.")
                % {"id": key.removeprefix("org:")},
            )
            for listing in [*self.data.places.values(), *self.data.activities]:
                if listing.organization == key:
                    listing.organization = None
        for record, where, tags in self.pending_tags:
            resolved = []
            for term_id in tags:
                found = self._resolve_term(term_id)
                if found is None:
                    self.errors.field(
                        where,
                        "attributes",
                        _("The term %(id)s is neither in the file nor in the vocabulary.")
                        % {"id": term_id},
                    )
                else:
                    resolved.append(found)
            record.tags = list(dict.fromkeys(resolved))
        for term in self.data.terms:
            if term.parent is not None:
                parent = self._resolve_term(term.parent)
                if parent is None:
                    self._warn(
                        term.where,
                        "parent_id",
                        _(
                            "The broader term %(id)s is neither in the file nor in the "
                            "vocabulary: the term is kept without it."
                        )
                        % {"id": term.parent},
                    )
                term.parent = parent


TERM_MAP_HEADERS = {
    "taxonomy": "taxonomy",
    "分類体系": "taxonomy",
    "term": "term",
    "語": "term",
    "元の語": "term",
    "vocabulary_term": "ours",
    "用語": "ours",
}


def read_term_map(text: str) -> dict[str, uuid.UUID]:
    """``--term-map FILE.csv``: columns 分類体系 (optional), 元の語 (a foreign term's id, code or
    name) and 用語 (ours, by name, reading or synonym) → the reader's lookup."""
    errors = Errors()
    records = list(csv.reader(io.StringIO(text)))
    header = (
        [TERM_MAP_HEADERS.get(values.normalize(cell), "") for cell in records[:1][0]]
        if records
        else []
    )
    if "term" not in header or "ours" not in header:
        errors.file(_("The term map needs the columns 元の語 and 用語 (分類体系 is optional)."))
        errors.raise_if_any()
    terms = values.TermIndex()
    found: dict[str, uuid.UUID] = {}
    for number, cells in enumerate(records[1:], start=2):
        row = dict(zip(header, cells, strict=False))
        if not (row.get("term") or "").strip():
            continue
        try:
            ours = terms.get(row.get("ours") or "")
        except ValueError as exc:
            errors.row(number, "用語", str(exc))
            continue
        source = values.key(row.get("taxonomy") or "")
        found[f"{source}|{values.key(row['term'])}"] = ours.uuid
    errors.raise_if_any()
    return found


def read_directory_json(
    text: str, *, term_map: dict[str, uuid.UUID] | None = None, site: Site | None = None
) -> DirectoryData:
    """Every entity checked; ``ImportRejected`` lists all the problems of the document.
    Districts are ``site``'s (a town's) when given."""
    reader = DirectoryHSDSReader(site)
    reader.term_map = term_map or {}
    return reader.read(load_json(text))
