"""The directory import writes in bulk: its queries do not grow with the file's rows (issue 17),
so 5,000 listings stay within a minute. Per-row queries crept in once and took 800 s."""

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import ReferenceIndex

from resources.models import ActivityPage
from tests.benchmarks.test_import_bench import rows

from .factories import TermFactory
from .test_import_directory import csv_text, run, town, write  # noqa: F401 - town is a fixture

# Bulk inserts go in batches (SQLite takes 999 parameters a statement: some 20 listings):
# a few more statements for three times the rows, never one or more per row.
BATCH_SLACK = 10


def queries(path: Path, *args: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        run(path, *args)
    return len(captured)


def first_and_again(tmp_path: Path, count: int) -> tuple[int, int]:
    """Queries of a first live import of ``count`` rows and of importing it again unchanged,
    rolled back after."""
    path = write(tmp_path, csv_text(*rows(count)), name=f"{count}.csv")
    with transaction.atomic():
        first = queries(path, "--live")
        assert ActivityPage.objects.live().count() == count
        again = queries(path, "--live")
        transaction.set_rollback(True)
    return first, again


@pytest.fixture
def exercise(town):  # noqa: F811 - the fixture imported above
    TermFactory(name="体操", slug="exercise")


def test_import_queries_do_not_grow_with_rows(exercise, tmp_path):
    first_and_again(tmp_path, 5)  # caches a running server has warm (content types)
    few_first, few_again = first_and_again(tmp_path, 20)
    many_first, many_again = first_and_again(tmp_path, 60)
    assert many_first <= few_first + BATCH_SLACK, (few_first, many_first)
    assert many_again <= few_again + BATCH_SLACK, (few_again, many_again)


def test_dry_run_queries_do_not_grow_with_rows(exercise, tmp_path):
    counts = []
    for count in (5, 20, 60):
        path = write(tmp_path, csv_text(*rows(count)), name=f"{count}.csv")
        counts.append(queries(path, "--live", "--dry-run"))
    assert counts[2] <= counts[1] + BATCH_SLACK, counts
    assert ActivityPage.objects.count() == 0


def test_imported_pages_are_in_the_reference_index(exercise, tmp_path):
    """The admin shows where an operator and a place are used: bulk-created pages too."""
    run(write(tmp_path, csv_text(*rows(3))), "--live")  # three activities, one place
    activity = ActivityPage.objects.get(external_id="A-00001")
    activities = {(ActivityPage, page.pk) for page in ActivityPage.objects.all()}
    for used in (activity.organization, activity.place):
        references = ReferenceIndex.get_references_to(used)
        assert {(r.content_type.model_class(), int(r.object_id)) for r in references} == activities
