"""Counters kept in the database: one statement adds to a row, creating it if it is missing.

An upsert (``INSERT … ON CONFLICT … DO UPDATE``, on PostgreSQL and SQLite alike), so that two
workers adding at once both count, with no lock taken first. The API's request counts and the
credit ledger's roll-ups are counted this way. ``together`` sends several writes as one round
trip on PostgreSQL (a ledger row's roll-ups).
"""

from typing import Any

from django.db import connection

# A write as SQL and its parameters.
Statement = tuple[str, list[Any]]


def upsert(model, *, key: dict[str, Any], field: str, amount: int) -> Statement:
    """The statement adding ``amount`` to ``field`` of the ``model`` row whose unique ``key``
    (field names to values) is given, a new row starting at ``amount``."""
    qn = connection.ops.quote_name
    column = {name: qn(model._meta.get_field(name).column) for name in [*key, field]}
    table = qn(model._meta.db_table)
    keys = ", ".join(column[name] for name in key)
    total = column[field]
    placeholders = ", ".join(["%s"] * (len(key) + 1))
    sql = (
        f"INSERT INTO {table} ({keys}, {total}) VALUES ({placeholders}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {total} = {table}.{total} + EXCLUDED.{total}"
    )
    return sql, [*key.values(), amount]


def add(model, *, key: dict[str, Any], field: str, amount: int) -> int:
    """Add ``amount`` as ``upsert`` says; the row's new value."""
    sql, params = upsert(model, key=key, field=field, amount=amount)
    total = connection.ops.quote_name(model._meta.get_field(field).column)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {total}", params)
        return cursor.fetchone()[0]


def together(statements: list[Statement]) -> None:
    """Run ``statements`` (INSERT, UPDATE or DELETE, each on its own table): on PostgreSQL as one
    statement, each but the last a data-modifying ``WITH`` query (one round trip; they see the
    same snapshot, so none may read what another writes); elsewhere one after the other."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        *first, (last_sql, last_params) = statements
        parts = [f"write_{n} AS ({sql} RETURNING 1)" for n, (sql, _params) in enumerate(first)]
        sql = f"WITH {', '.join(parts)} {last_sql}" if parts else last_sql
        cursor.execute(sql, [*(p for _sql, params in first for p in params), *last_params])
