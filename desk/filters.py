from django.db.models import Q

BIGGEST_ID = 2**63 - 1


def as_id(value: str) -> int | None:
    """The record id a search box's text names, if it is one a database can hold."""
    value = (value or "").strip()
    if value.isdigit() and int(value) <= BIGGEST_ID:
        return int(value)
    return None


def by_id_or_name(queryset, *, relation: str, value: str, name_field: str = "name"):
    """Filter on a related record given its id or part of its name (a text box, not a
    thousands-long drop-down)."""
    value = (value or "").strip()
    if not value:
        return queryset
    condition = Q(**{f"{relation}__{name_field}__icontains": value})
    if (pk := as_id(value)) is not None:
        condition |= Q(**{f"{relation}_id": pk})
    return queryset.filter(condition)
