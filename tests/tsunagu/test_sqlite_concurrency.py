"""A SQLite install never answers 「database is locked」 when two requests write at once.

Runs the real settings in a subprocess on a file database (the suite's own SQLite database is in
memory, where WAL does not apply): an autosave and a submit are two transactions that each read
and then write; without IMMEDIATE transactions the second to write fails at once.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE probe (n integer)")
connection.close()
errors = []

def write(n):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM probe")
            cursor.fetchone()
            time.sleep(0.3)
            cursor.execute("INSERT INTO probe VALUES (%s)", [n])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM probe")
    rows = cursor.fetchone()[0]
print(json.dumps({"mode": mode, "errors": errors, "rows": rows}))
"""


def _probe(database: Path) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "tsunagu.settings.test",
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_file_database_uses_wal_and_two_concurrent_writers_both_succeed(tmp_path):
    outcome = _probe(tmp_path / "concurrent.sqlite3")

    assert outcome["mode"] == "wal"
    assert outcome["errors"] == []
    assert outcome["rows"] == 2
