from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Lists page with an opaque cursor (``next``/``previous``), newest first: a page costs the same
    at row 10 and row 10,000,000, and rows added meanwhile neither repeat nor go missing."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["next"]["description"] = "The next page's address (null on the last page)."
        properties["previous"]["description"] = "The previous page's address (null on the first)."
        properties["results"]["description"] = "This page's records, newest first."
        return described
