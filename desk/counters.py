"""Counters kept in the database: one statement adds to a row, creating it if it is missing.

An upsert (``INSERT … ON CONFLICT … DO UPDATE``, on PostgreSQL and SQLite alike), so that two
workers adding at once both count, with no lock taken first. The API's request counts and the
credit usage by day are counted this way.
"""

from typing import Any

from django.db import connection


def add(model, *, key: dict[str, Any], field: str, amount: int) -> int:
    """Add ``amount`` to ``field`` of the ``model`` row whose unique ``key`` (field names to
    values) is given, a new row starting at ``amount``; the row's new value."""
    qn = connection.ops.quote_name
    column = {name: qn(model._meta.get_field(name).column) for name in [*key, field]}
    table = qn(model._meta.db_table)
    keys = ", ".join(column[name] for name in key)
    total = column[field]
    placeholders = ", ".join(["%s"] * (len(key) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({keys}, {total}) VALUES ({placeholders}) "
            f"ON CONFLICT ({keys}) DO UPDATE SET {total} = {table}.{total} + EXCLUDED.{total} "
            f"RETURNING {total}",
            [*key.values(), amount],
        )
        return cursor.fetchone()[0]
