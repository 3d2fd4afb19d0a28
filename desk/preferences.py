"""A user's language and time zone: stored on Preferences, carried in the session."""

from django.db import transaction

from .models import Preferences

SESSION_LANGUAGE = "desk_language"
SESSION_TIME_ZONE = "desk_time_zone"
SESSION_LOADED = "desk_preferences_loaded"


def preferences_for(user) -> Preferences:
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def remember_in_session(session, preferences: Preferences) -> None:
    for key, value in (
        (SESSION_LANGUAGE, preferences.language),
        (SESSION_TIME_ZONE, preferences.time_zone),
    ):
        if value:
            session[key] = value
        else:
            session.pop(key, None)
    session[SESSION_LOADED] = True


def load_into_session(request) -> None:
    """Once per session (sessions are flushed at sign-in and sign-out), read the preferences."""
    if request.user.is_authenticated and not request.session.get(SESSION_LOADED):
        remember_in_session(request.session, preferences_for(request.user))


@transaction.atomic
def preferences_save(*, request, language: str | None = None, time_zone: str | None = None):
    """Save the signed-in user's language and/or time zone and apply them to the session."""
    preferences, _ = Preferences.objects.select_for_update().get_or_create(user=request.user)
    if language is not None:
        preferences.language = language
    if time_zone is not None:
        preferences.time_zone = time_zone
    preferences.full_clean()
    preferences.save()
    remember_in_session(request.session, preferences)
    return preferences
