"""Backups that restore: pg_dump of a database holding the demo town → pg_restore into a new
database → the site serves the same pages and holds the same rows.

The same tools and format as the compose "backup" service (deploy/backup/backup.sh) and the
README's restore steps. Needs PostgreSQL (trust authentication on the test server) and its
client programs.
"""

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from tsunagu.models import HomePage

pytestmark = [pytest.mark.fullstack, pytest.mark.django_db(transaction=True)]

PAGES = ("/", "/places/", "/events/", "/volunteers/")
# Per-response tokens, different on every render of the same page.
VOLATILE = re.compile(r'(nonce|value|content)="[A-Za-z0-9+/=_-]{20,}"')


def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"] or "postgres",
        **({"PGPASSWORD": settings["PASSWORD"]} if settings["PASSWORD"] else {}),
    }


def _tool(*args: str) -> None:
    subprocess.run(args, env=_pg_env(), check=True, capture_output=True, timeout=600)


def _row_counts(dbname: str) -> dict[str, int]:
    env = _pg_env()
    with psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"],
        password=env.get("PGPASSWORD"), dbname=dbname, autocommit=True,
    ) as conn:  # fmt: skip
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }


def _render(client) -> dict[str, str]:
    cache.clear()  # the page cache would answer from the first database
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = VOLATILE.sub(r'\1="…"', response.content.decode())
    return pages


@pytest.fixture
def restored_name() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    connection.close()
    _tool("dropdb", "--if-exists", "--force", name)


def test_a_dump_restores_into_a_new_database_that_serves_the_same_site(
    client, tmp_path: Path, restored_name: str
):
    for program in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        assert shutil.which(program), f"{program} (PostgreSQL client) is needed"
    call_command("load_demo", stdout=StringIO())
    original = connection.settings_dict["NAME"]
    before_pages = _render(client)
    before_rows = _row_counts(original)
    assert before_rows["resources_area"] > 0 and before_rows["wagtailcore_page"] > 5

    dump = tmp_path / "tsunagu.dump"
    _tool("pg_dump", "--format=custom", f"--file={dump}", original)
    _tool("createdb", restored_name)
    _tool("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump))
    assert _row_counts(restored_name) == before_rows

    # The site, served from the restored database.
    connection.close()
    connection.settings_dict["NAME"] = restored_name
    try:
        assert _render(client) == before_pages
        # Proof that the pages came from the restored copy: a change there shows, and only there.
        HomePage.objects.update(title="復元先の町")
        assert "復元先の町" in _render(client)["/"]
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
    assert _render(client) == before_pages
