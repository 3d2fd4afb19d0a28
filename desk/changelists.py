"""The back office's lists take no date out of range from the query string either."""

from django.contrib.admin.options import IncorrectLookupParameters

from .validators import EARLIEST_DATE, LATEST_DATE


class DateHierarchyInRange:
    """A ``ModelAdmin`` mixin: the date drill-down (``date_hierarchy``) reads only a year between
    ``EARLIEST_DATE`` and ``LATEST_DATE``.

    Django reads the year of ``?<field>__year=`` unbounded and steps a year or a month past it:
    year 9999 answers 500. Any other year goes back to the list with Django's "invalid lookup"
    flag (``?e=1``), as any other nonsense in its query string does.
    """

    def get_changelist_instance(self, request):
        field = getattr(self, "date_hierarchy", None)
        if field:
            for year in request.GET.getlist(f"{field}__year"):
                if not _year_in_range(year):
                    raise IncorrectLookupParameters(f"year {year[:10]!r} out of range")
        return super().get_changelist_instance(request)


def _year_in_range(value: str) -> bool:
    value = value.strip()
    return (
        value.isdecimal()
        and len(value) <= 4
        and EARLIEST_DATE.year <= int(value) <= LATEST_DATE.year
    )
