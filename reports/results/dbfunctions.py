"""Date arithmetic done by the database itself, for the report's queries over thousands of rows.

Django's own subtraction of two dates or datetimes calls back into Python for every row on
SQLite (and parses both values there); these use each database's native functions. Only the
two databases the project runs on are supported.
"""

from typing import Any

from django.db.models import FloatField, Func


class DaysBetween(Func):
    """``end − start`` in days, as a float: two dates (whole days) or two datetimes."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        # EXTRACT gives numeric since PostgreSQL 14: cast, or the driver hands back Decimals.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "CAST(EXTRACT(EPOCH FROM (CAST(%(expressions)s AS timestamptz))) / 86400"
                " AS double precision)"
            ),
            arg_joiner=" AS timestamptz) - CAST(",
            **extra,
        )
