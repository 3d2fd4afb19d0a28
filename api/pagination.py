from rest_framework.pagination import CursorPagination

from desk.planning import for_their_values


class NewestFirst(CursorPagination):
    """Lists page with an opaque cursor (``next``/``previous``), newest first: a page costs the same
    at row 10 and row 10,000,000, and rows added meanwhile neither repeat nor go missing."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # A list's filters pick a few rows or most of the desk: its page is read planned for
        # the values it has, as the pages' lists are (desk.planning).
        with for_their_values():
            return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["next"]["description"] = "The next page's address (null on the last page)."
        properties["previous"]["description"] = "The previous page's address (null on the first)."
        properties["results"]["description"] = "This page's records, newest first."
        return described
