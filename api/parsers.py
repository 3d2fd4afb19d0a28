from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NOT_TEXT = _(
    "JSON parse error - a string holds a NUL character or a lone surrogate (\\ud800-\\udfff), "
    "which no field takes."
)


class TextOnlyJSONParser(JSONParser):
    """JSON whose strings are text a database stores: ``"\\u0000"`` or a lone ``"\\ud800"`` parse
    in Python, but PostgreSQL refuses both, so they are refused here (400, as
    ``desk.middleware.RefuseNulMiddleware`` refuses them in a form) rather than as a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _holds_non_text(data):
            raise ParseError(NOT_TEXT)
        return data


def _holds_non_text(value) -> bool:
    if isinstance(value, str):
        return any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_holds_non_text(key) or _holds_non_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_non_text(item) for item in value)
    return False
