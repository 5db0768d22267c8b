"""Migration tests move the shared test database back in time; the rest of the suite needs it
as the code expects it, whatever the test's outcome."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def latest_schema_afterwards() -> Iterator[None]:
    """Put every app back at its newest migration when the test ends."""
    yield
    migrate_to_latest()
