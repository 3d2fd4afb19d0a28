from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Lists page with an opaque cursor (``next``/``previous``), newest first: a page costs the same
    at row 10 and row 10,000,000, and rows added meanwhile neither repeat nor go missing."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
