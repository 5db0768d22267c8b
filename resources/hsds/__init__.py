"""Open data after HSDS 3.0: the read-only API at /api/hsds/ and the documents the export writes.

Mapping (model → HSDS): Organization → organization; ActivityPage → service; PlacePage →
location, and an activity held at no place but with an address of its own → a location derived
from the activity; ActivityPage × its place → service_at_location; ScheduleRule → schedule;
Term kinds → taxonomies, Terms → taxonomy_terms; tags and the yes/no features of a listing
(audience, access, participation support) → attributes. See ``serializers`` for the details.
"""
