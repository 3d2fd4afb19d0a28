"""Email to desk users, each message written in its reader's language and time zone.

The scheduled jobs run outside any request, so nothing else would tell them whom they write to:
a message composed here is put together under ``translation.override`` and
``timezone.override`` with the reader's preferences (the desk's defaults where they chose none).
One message per reader, so nobody sees the other recipients' addresses.
"""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mass_mail
from django.db.models import Prefetch
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

Message = tuple[str, str, str, list[str]]


def readers(lookup: str) -> Prefetch:
    """Prefetch the users under ``lookup`` with their preferences (for ``messages_for``)."""
    return Prefetch(lookup, queryset=get_user_model().objects.select_related("preferences"))


def messages_for(users: Iterable, compose: Callable[[], tuple[str, str]]) -> list[Message]:
    """One message to each active user with an address: ``compose()`` returns its subject and
    body, and runs once per reader in that reader's language and time zone."""
    messages = []
    for user in users:
        if not (user.is_active and user.email):
            continue
        language, time_zone = _preferences(user)
        with translation.override(language), timezone.override(time_zone):
            subject, body = compose()
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return messages


def send(messages: list[Message]) -> None:
    """Send after the work they report on is committed: a mail server outage is logged, and the
    work (a notice marked sent, an escalation fired) stands."""
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        logger.exception("%s email(s) could not be sent", len(messages))


def _preferences(user) -> tuple[str, str]:
    try:
        preferences = user.preferences
    except ObjectDoesNotExist:
        preferences = None
    language = getattr(preferences, "language", "") or settings.LANGUAGE_CODE
    time_zone = getattr(preferences, "time_zone", "") or settings.TIME_ZONE
    return language, time_zone
