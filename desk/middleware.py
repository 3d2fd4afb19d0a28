from django.core.exceptions import BadRequest
from django.utils import timezone, translation

from .preferences import SESSION_LANGUAGE, SESSION_TIME_ZONE, load_into_session


class PreferencesMiddleware:
    """Show each user the desk in their language and time zone.

    A signed-in user's preferences are read once per session and kept in it, so pages pay no
    query for them. Without a chosen language, LocaleMiddleware's pick (the browser's) stands.
    Both are switched back when the response leaves, so nothing leaks into the next request
    served by the same thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        load_into_session(request)
        language = request.session.get(SESSION_LANGUAGE) or translation.get_language()
        with (
            translation.override(language),
            timezone.override(request.session.get(SESSION_TIME_ZONE)),
        ):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RefuseNulMiddleware:
    """Answer 400 Bad Request to a query string or posted form carrying a NUL character.

    No field, filter or search of the desk takes one, and PostgreSQL can neither store it in text
    nor compare text with it ("A string literal cannot contain NUL"): refused here, at the door, it
    never reaches a form, a filter, a search box or the admin's search as a 500. Placed before the
    session and authentication middleware, it costs them nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request.GET) or (request.method == "POST" and _carries_nul(request.POST)):
            raise BadRequest("A NUL character in the request's query string or form data.")
        return self.get_response(request)


def _carries_nul(data) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )
