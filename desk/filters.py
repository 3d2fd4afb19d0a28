import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import read_choices
from .search import contains

BIGGEST_ID = 2**63 - 1


class ListFilterSet(django_filters.FilterSet):
    """The filters of a list page, their drop-downs of records read once (``read_choices``)."""

    def records_read(self) -> dict:
        """The records of a drop-down (by filter name) that this request has read already."""
        return {}

    @property
    def form(self):
        if not hasattr(self, "_form"):
            read = self.records_read()
            for name, field in super().form.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    read_choices(field, read.get(name))
        return self._form


def active_filter() -> django_filters.BooleanFilter:
    """Active, inactive, or both (a yes/no/unknown select would read "Unknown")."""
    return django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(
            choices=[("", _("Active or not")), ("true", _("Active")), ("false", _("Inactive"))]
        ),
    )


def as_id(value: str) -> int | None:
    """The record id a search box's text names, if it is one a database can hold.

    ``isdecimal()``, not ``isdigit()``: "²" and "①" are digits but no number ``int()`` reads.
    """
    value = (value or "").strip()
    if value.isdecimal() and len(value) <= len(str(BIGGEST_ID)) and int(value) <= BIGGEST_ID:
        return int(value)
    return None


def by_id_or_name(queryset, *, relation: str, value: str, name_field: str = "name"):
    """Filter on a related record given its id or part of its name (a text box, not a
    thousands-long drop-down)."""
    value = (value or "").strip()
    if not value:
        return queryset
    condition = contains(f"{relation}__{name_field}", value)
    if (pk := as_id(value)) is not None:
        condition |= Q(**{f"{relation}_id": pk})
    return queryset.filter(condition)
