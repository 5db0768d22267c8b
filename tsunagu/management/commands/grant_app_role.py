"""``manage.py grant_app_role ROLE``: what the application's database role may do (PostgreSQL).

Run by the owner (the role that ran ``migrate``), after every ``migrate``; it is idempotent. The
application connects as ROLE, which owns nothing: it reads and writes ordinary tables, but on an
append-only table (a model with ``APPEND_ONLY``, e.g. the client audit log) it may only SELECT,
INSERT and UPDATE the model's ``ERASABLE_FIELDS`` and ``CLOSING_FIELDS`` — never DELETE or
TRUNCATE — and it cannot drop or disable the triggers that guard those tables, because only the
owner can.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from psycopg import sql

ORDINARY = sql.SQL("SELECT, INSERT, UPDATE, DELETE")


def append_only_models() -> list[type[Model]]:
    return [model for model in apps.get_models() if getattr(model, "APPEND_ONLY", False)]


def grant_statements(role: str, database: str, schema: str) -> list[sql.Composable]:
    """The GRANTs for ``role``; REVOKE first on append-only tables so a re-run narrows, too."""
    who, where = sql.Identifier(role), sql.Identifier(schema)
    statements: list[sql.Composable] = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(ORDINARY, where, who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
        # Tables and sequences that later migrations create (as this owner) follow the rule.
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT {} ON TABLES TO {}").format(
            where, ORDINARY, who
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(where, who),
    ]
    for model in append_only_models():
        table = sql.Identifier(model._meta.db_table)
        columns = sql.SQL(", ").join(
            sql.Identifier(model._meta.get_field(name).column)
            for name in (*model.ERASABLE_FIELDS, *getattr(model, "CLOSING_FIELDS", ()))
        )
        statements += [
            sql.SQL("REVOKE ALL ON {} FROM {}").format(table, who),
            sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(table, who),
            sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(columns, table, who),
        ]
    return statements


class Command(BaseCommand):
    help = "Grants the application's database role its privileges (run as the owner after migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The login role the application connects as.")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(_("Database roles need PostgreSQL."))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, pg_has_role(%s, current_user, 'MEMBER'), current_schema() "
                "FROM pg_roles WHERE rolname = %s",
                [role, role],
            )
            found = cursor.fetchone()
        if found is None:
            raise CommandError(_("There is no database role “%(role)s”.") % {"role": role})
        is_superuser, is_owner, schema = found
        if is_superuser or is_owner:
            raise CommandError(
                _(
                    "“%(role)s” is a superuser or the owner of the tables: the application "
                    "must connect as a role that owns nothing."
                )
                % {"role": role}
            )
        statements = grant_statements(role, connection.settings_dict["NAME"], schema)
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            _("Granted “%(role)s” the application's privileges (%(count)d append-only tables).")
            % {"role": role, "count": len(append_only_models())}
        )
