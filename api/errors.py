"""Every refusal as JSON: a service's ``ValidationError`` is a 400 with each field's messages (as a
form shows them), ``PermissionDenied`` a 403 and ``Http404`` a 404 (DRF's own handling)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


def field_messages(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's refusal as ``{field: [messages]}``; the request's own under
    ``non_field_errors``."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in error.message_dict.items()
    }


def handle(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_messages(exc))
    return exception_handler(exc, context)


def bad_request(request, exception):
    """Django's 400 (a NUL in a query string), as JSON on the API's addresses: a client of the
    API reads JSON whatever went wrong."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": _("The request was malformed.")}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """Django's 404 (an address no view answers, such as a negative id), as JSON on the API's
    addresses."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
