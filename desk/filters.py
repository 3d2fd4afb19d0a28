from django.db.models import Q


def by_id_or_name(queryset, *, relation: str, value: str, name_field: str = "name"):
    """Filter on a related record given its id or part of its name (a text box, not a
    thousands-long drop-down)."""
    value = (value or "").strip()
    if not value:
        return queryset
    condition = Q(**{f"{relation}__{name_field}__icontains": value})
    if value.isdigit():
        condition |= Q(**{f"{relation}_id": int(value)})
    return queryset.filter(condition)
