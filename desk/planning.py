"""Reads planned for their own values.

On PostgreSQL the desk's statements are prepared (``config/settings.py``), and from a prepared
statement's sixth run PostgreSQL may keep one generic plan for every value, chosen for an
average one. Where a value is far from the average, that plan is the wrong one for it: the large
account's tickets (2% of the desk, where an account averages 0.002%) read through the plan made
for twenty, the help centre's ticket list of that account took 127 ms at a million tickets
rather than 13. Reads filtered by such values (a list's filters, an account, a searched word)
run inside ``for_their_values()``, planned for the values they have, as without prepared
statements. The other reads (a record by its key, a department's or a user's rows) keep the
plan made once.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def for_their_values():
    """Plan the queries run inside for their own values (PostgreSQL's ``plan_cache_mode``, for
    the rest of the transaction: a transaction of its own here, or the caller's)."""
    if connection.vendor != "postgresql" or getattr(connection, "planned_for_values", False):
        yield  # SQLite plans every query afresh; or an outer block has switched already
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        connection.planned_for_values = True
        try:
            yield
        finally:
            connection.planned_for_values = False
