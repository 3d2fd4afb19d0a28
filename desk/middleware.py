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
