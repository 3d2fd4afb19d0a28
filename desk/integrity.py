"""Uniqueness under concurrent saves: the database's unique key answers as the form would.

A service checks uniqueness in ``full_clean()`` and then saves. Two people saving the same key at
the same moment both pass the check; the unique constraint turns the second save away with an
``IntegrityError``. :func:`duplicates_refused` runs the save in a savepoint and, when a unique
constraint refused it, runs the model's uniqueness checks again (they now see the row that won)
and raises the very ``ValidationError`` that ``full_clean()`` raises for a duplicate: same message,
same field. Any other integrity error goes on as it was.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a unique key's refusal


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether a unique constraint or index refused the write (PostgreSQL or SQLite)."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(error)


@contextmanager
def duplicates_refused(instance: models.Model) -> Iterator[None]:
    """Save ``instance`` inside this block; a duplicate key raises ``full_clean``'s message."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        try:
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as duplicate:
            raise duplicate from error
        raise
