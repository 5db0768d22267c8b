"""Stable identifiers and the fixed taxonomies of the HSDS documents.

Every id in a document is a UUID that survives export and re-import: models keep theirs
(``uuid``, ``hsds_id``); taxonomies, feature terms and the small child records HSDS wants an id
for (a phone, an address, the n-th schedule) get a UUID5 derived from a fixed namespace or from
their owner's id, so the same data always produces the same document.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from resources.models import ActivityPage, Term
from resources.models.pages import ACCESSIBILITY_FLAGS, AUDIENCE_FLAGS, SUPPORT_FLAGS

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
PROFILE_URL = "https://github.com/openreferral/specification/tree/3.0"
# Never change: every taxonomy and feature-term id published so far is derived from it.
NAMESPACE = uuid.UUID("b3090cf3-7c14-4fed-a07d-84debeb17ebe")
FEATURES = "features"
EXTERNAL_ID_TYPE = "tsunagu:external_id"


def child_id(owner: uuid.UUID | str, role: str) -> str:
    """The id of a record that exists only as part of its owner (its phone, its 2nd schedule)."""
    return str(uuid.uuid5(uuid.UUID(str(owner)), role))


def taxonomy_id(key: str) -> str:
    """A term kind's taxonomy (``interest``…) or the features taxonomy (``features``)."""
    return str(uuid.uuid5(NAMESPACE, f"taxonomy:{key}"))


@dataclass(frozen=True)
class Feature:
    """A yes/no field of a listing, published as an attribute with its own taxonomy term."""

    field: str
    link_type: str

    @property
    def term_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"feature:{self.field}"))

    @property
    def label(self) -> Promise:
        return ActivityPage._meta.get_field(self.field).verbose_name


FEATURE_LIST: tuple[Feature, ...] = (
    *(Feature(field, "audience") for field in AUDIENCE_FLAGS),
    *(Feature(field, "accessibility") for field in (*ACCESSIBILITY_FLAGS, "near_bus_stop")),
    *(Feature(field, "support") for field in (*SUPPORT_FLAGS, "accepts_placements")),
)
FEATURES_BY_TERM_ID = {feature.term_id: feature for feature in FEATURE_LIST}
FEATURES_BY_FIELD = {feature.field: feature for feature in FEATURE_LIST}
# Features a place has too (participation support belongs to activities only).
PLACE_FEATURES = tuple(f for f in FEATURE_LIST if f.link_type != "support")
ACCESS_FEATURES = tuple(f for f in FEATURE_LIST if f.link_type == "accessibility")

TAXONOMY_DESCRIPTIONS: dict[str, Promise] = {
    Term.Kind.INTEREST: _("What an activity is about and what people like to do there."),
    Term.Kind.NEED: _("Support needs a place or activity can meet."),
    Term.Kind.AUDIENCE: _("Who a place or activity is for."),
    Term.Kind.ACCOMMODATION: _("Considerations and accommodations a place or activity offers."),
    FEATURES: _(
        "Fixed features of places and activities: who they are for, access and "
        "participation support."
    ),
}
KIND_BY_TAXONOMY_ID = {taxonomy_id(kind): kind for kind in Term.Kind.values}


def taxonomy_name(key: str) -> str:
    if key == FEATURES:
        return str(_("Tsunagu directory features"))
    return str(_("Tsunagu vocabulary: %(kind)s") % {"kind": Term.Kind(key).label})


def taxonomy_keys() -> list[str]:
    return [*Term.Kind.values, FEATURES]
