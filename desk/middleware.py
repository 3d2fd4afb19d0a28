from django.utils import timezone, translation

from .preferences import SESSION_LANGUAGE, SESSION_TIME_ZONE, load_into_session


class PreferencesMiddleware:
    """Show each user the desk in their language and time zone.

    A signed-in user's preferences are read once per session and kept in it, so pages pay no
    query for them. Without a chosen language, LocaleMiddleware's pick (the browser's) stands.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        load_into_session(request)
        language = request.session.get(SESSION_LANGUAGE)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        with timezone.override(request.session.get(SESSION_TIME_ZONE)):
            return self.get_response(request)
