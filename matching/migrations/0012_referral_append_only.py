"""Referrals are evidence too: the database refuses to change or delete them (issue 17).

Like the tables of 0007, with one difference: a referral is closed once. An UPDATE that sets its
closing columns (``Referral.CLOSING_FIELDS``: ended_at, ended_by) while they are all still NULL
passes; once any of them is set they never change again. Blanking the erasable ``scope`` passes
as for the other tables; every other change, DELETE and TRUNCATE are refused.

PostgreSQL: 0007's ``matching_append_only()`` is extended, not copied: an argument ``close:COL``
names a closing column, a bare argument an erasable one as before, so the triggers of 0007 keep
their meaning. It still steps aside for the table's owner; the application role is granted
UPDATE of the erasable and closing columns only (``manage.py grant_app_role``, via
``APPEND_ONLY``).

SQLite (the embedded demo): the same UPDATE rule in a trigger; DELETE stays possible in SQL as in
0007 (Django's flush). A later migration that rebuilds ``matching_referral`` on SQLite must run
``create_triggers`` again.
"""

import importlib

from django.db import migrations

TABLE = "matching_referral"
ERASABLE = ("scope",)
CLOSING = ("ended_at", "ended_by_id")

# 0007's function with closing columns: set once while all are NULL, never changed afterwards.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION matching_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    arg text;
    closing text[] := '{}';
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOREACH arg IN ARRAY TG_ARGV LOOP
            IF arg LIKE 'close:%' THEN
                closing := closing || substr(arg, 7);
            ELSIF new_row -> arg IS NOT DISTINCT FROM old_row -> arg
                    OR new_row ->> arg = '' THEN
                old_row := old_row - arg;
                new_row := new_row - arg;
            END IF;
        END LOOP;
        IF NOT EXISTS (SELECT FROM unnest(closing) AS c WHERE old_row ->> c IS NOT NULL) THEN
            old_row := old_row - closing;
            new_row := new_row - closing;
        END IF;
        IF new_row = old_row THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only blanking its free text (erasure) or closing it once is allowed.';
END
$$;
"""


def _pg_arguments() -> str:
    return ", ".join([f"'{c}'" for c in ERASABLE] + [f"'close:{c}'" for c in CLOSING])


def _sqlite_condition(columns: list[str]) -> str:
    """True when the UPDATE is allowed: fixed columns unchanged, erasable ones kept or blanked,
    closing ones kept or set while the row is still open."""
    fixed = [
        f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in ERASABLE and c not in CLOSING
    ]
    erasable = [f"""(NEW."{c}" IS OLD."{c}" OR NEW."{c}" = '')""" for c in ERASABLE]
    still_open = " AND ".join(f'OLD."{c}" IS NULL' for c in CLOSING)
    kept = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in CLOSING)
    return " AND ".join([*fixed, *erasable, f"(({still_open}) OR ({kept}))"])


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        args = _pg_arguments()
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION matching_append_only({args})"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION matching_append_only({args})"
        )
    elif vendor == "sqlite":
        model = apps.get_model("matching", "Referral")
        columns = [field.column for field in model._meta.concrete_fields]
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"WHEN NOT ({_sqlite_condition(columns)}) "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END"
        )


def drop_triggers(apps, schema_editor) -> None:
    """Back to 0011: referrals unguarded in the database, 0007's function as it was."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        history = importlib.import_module("matching.migrations.0007_history_append_only")
        schema_editor.execute(history.PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0011_referral"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
