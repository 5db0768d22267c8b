"""The database itself refuses UPDATEs of the client audit log, whatever code runs.

Deletes stay possible at the SQL level (test database flushes, a future retention command);
the model and its queryset refuse them.
"""

from django.db import migrations

TABLE = "matching_clientlogentry"
SQL = {
    "sqlite": (
        [
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'the client audit log is append-only'); END;"
        ],
        [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;"],
    ),
    "postgresql": (
        [
            "CREATE OR REPLACE FUNCTION matching_refuse_update() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the client audit log is append-only'; END; "
            "$$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION matching_refuse_update();",
        ],
        [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE};",
            "DROP FUNCTION IF EXISTS matching_refuse_update();",
        ],
    ),
}


def _run(index: int):
    def run(apps, schema_editor):
        for statement in SQL.get(schema_editor.connection.vendor, ([], []))[index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(_run(0), _run(1))]
