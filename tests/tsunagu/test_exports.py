"""Every CSV the product writes is formula-safe (tsunagu/exports.py), and no new one slips past."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect
from wagtail.log_actions import log

from tests.events.factories import EventSignupFactory
from tests.resources.factories import OrganizationFactory
from tests.verification.factories import place
from tests.volunteers.factories import VolunteerFactory
from tsunagu.exports import (
    FORMULA_START,
    SafeSpreadsheetExportMixin,
    csv_writer,
    spreadsheet_cell,
)
from volunteers.models import HoursEntry

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1"]
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _exports_list_something(pattern: URLPattern) -> bool:
    view = getattr(pattern.callback, "view_class", None)
    if view is None or not issubclass(view, SpreadsheetExportMixin):
        return False
    initkwargs = getattr(pattern.callback, "view_initkwargs", {}) or {}
    return bool(initkwargs.get("list_export", view.list_export))


def export_paths() -> list[str]:
    """Every URL that answers ``?export=csv`` with rows, as a request would reach it."""
    paths = set()
    for route, pattern in _routes(get_resolver()):
        if _exports_list_something(pattern):
            paths.add("/" + re.sub(r"<(int:)?\w+>", "1", re.sub(r"<\w+:\w+>", "x", route)))
    return sorted(paths)


# --- the escaping itself


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_starts_a_formula_gets_an_apostrophe(payload):
    assert spreadsheet_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", ["山田 花子", "0997-84-1234", "a=b", "", "1+1"])
def test_ordinary_text_is_left_alone(text):
    assert spreadsheet_cell(text) == text


@pytest.mark.parametrize(
    "value", [-3, -1.5, Decimal("-0.25"), 0, dt.date(2026, 1, 2), dt.time(9), None]
)
def test_numbers_and_dates_stay_what_they_are(value):
    assert spreadsheet_cell(value) is value


def test_text_that_looks_like_a_negative_number_is_still_escaped():
    """Only the value's type says "number": a name typed as "-1" is text, and stays text."""
    assert spreadsheet_cell("-1") == "'-1"


def test_the_mixin_escapes_csv_cells_and_keeps_numeric_columns_numeric():
    class Export(SafeSpreadsheetExportMixin):
        list_export = ["name", "balance"]

    rows = [SimpleNamespace(name=payload, balance=-2) for payload in PAYLOADS]
    body = "".join(chunk.decode() for chunk in Export().stream_csv(rows))
    parsed = list(csv.reader(io.StringIO(body)))

    assert parsed[1:] == [["'" + payload, "-2"] for payload in PAYLOADS]


def test_the_hand_written_writer_escapes_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer).writerows([[payload, -1] for payload in PAYLOADS])

    parsed = list(csv.reader(io.StringIO(buffer.getvalue())))

    assert parsed == [["'" + payload, "-1"] for payload in PAYLOADS]


# --- nothing slips past


def test_every_list_export_reached_by_url_uses_the_mixin():
    paths = export_paths()
    # The walk must find the exports we know of, or it proves nothing.
    for known in ("/admin/event_signups/", "/admin/volunteer_register/", "/admin/clients/",
                  "/admin/reports/site-history/", "/admin/reports/stale-listings/"):  # fmt: skip
        assert known in paths

    unsafe = [
        path
        for path in paths
        if not issubclass(resolve(path).func.view_class, SafeSpreadsheetExportMixin)
    ]

    assert unsafe == []


def test_no_module_writes_csv_without_the_safe_writer():
    root = Path(settings.BASE_DIR)
    allowed = {root / "tsunagu" / "exports.py"}
    raw = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {".venv", "tests", "node_modules"} & set(path.relative_to(root).parts)
        and path not in allowed
        and raw.search(path.read_text(encoding="utf-8"))
    ]

    assert offenders == []


# --- every export, end to end


@pytest.fixture
def hostile_data(db, django_user_model):
    """Names, notes and titles an outsider or a group editor could have typed."""
    organization = OrganizationFactory(name=PAYLOADS[2])
    for payload in PAYLOADS:
        EventSignupFactory(name=payload, note=payload)
        volunteer = VolunteerFactory(name=payload)
        log(instance=volunteer, action="wagtail.edit")
        HoursEntry.objects.create(
            volunteer=volunteer,
            date=dt.date(2026, 11, 1),
            hours=Decimal("1.50"),
            organization=organization,
        )
    listing = place(dt.date(2020, 1, 1), title=PAYLOADS[0])
    listing.locked = True
    listing.save(update_fields=["locked"])
    Redirect.objects.create(old_path="/old", redirect_link=PAYLOADS[3])
    return django_user_model.objects.create_superuser("exports-admin", "a@example.jp", "x")


# Where each payload must show up (escaped): the exports fed by people outside the office.
EXPECTED = {
    "/admin/event_signups/": PAYLOADS,
    "/admin/volunteer_register/": PAYLOADS,
    "/admin/volunteer_hours/": [PAYLOADS[2]],
    "/admin/reports/site-history/": PAYLOADS,
    "/admin/reports/stale-listings/": [PAYLOADS[0]],
    "/admin/reports/locked/": [PAYLOADS[0]],
    "/admin/reports/aging-pages/": [PAYLOADS[0]],
    "/admin/redirects/": [PAYLOADS[3]],
}


def test_no_exported_cell_can_run_as_a_formula(client, hostile_data):
    """One data set, every export (a parametrised test would rebuild the pages each time)."""
    client.force_login(hostile_data)
    problems = {}
    for path in export_paths():
        response = client.get(path, {"export": "csv"})
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
        dangerous = [c for c in cells if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]
        missing = [p for p in EXPECTED.get(path, []) if "'" + p not in cells]
        if dangerous or missing:
            problems[path] = {"unescaped": dangerous, "not exported": missing}

    assert problems == {}


def test_every_expected_export_was_walked():
    assert set(EXPECTED) <= set(export_paths())


def test_hours_stay_numbers_in_the_export(client, hostile_data):
    client.force_login(hostile_data)

    response = client.get("/admin/volunteer_hours/", {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row[1] for row in rows[1:]} == {"1.50"}
