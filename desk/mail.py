"""Email to desk users, each message written in its reader's language and time zone.

The scheduled jobs run outside any request, so nothing else would tell them whom they write to:
a message composed here is put together under ``translation.override`` and
``timezone.override`` with the reader's preferences (the desk's defaults where they chose none).
One message per reader, so nobody sees the other recipients' addresses.

Messages are never sent from the request or job that decides them: ``queue`` writes them, in the
caller's transaction, to the outbox with a task (``desk.tasks.deliver_emails``), which the
task workers deliver after the commit, again and again until the mail server takes them.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation

from .models import OutgoingEmail

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


def link_to(record) -> str:
    """The absolute address of ``record``'s page (``DESK_URL`` and its path), for a message."""
    return settings.DESK_URL.rstrip("/") + record.get_absolute_url()


def queue(messages: list[Message]) -> list[OutgoingEmail]:
    """Put ``messages`` in the outbox with one task to deliver them, in the caller's transaction:
    if the change that promises them rolls back, so do they. Two queries, however many."""
    from .tasks import deliver_emails  # the task module imports the models

    emails = [
        OutgoingEmail(to=to, subject=subject[:300], body=body)
        for subject, body, _sender, recipients in messages
        for to in recipients
    ]
    if not emails:
        return []
    with transaction.atomic(savepoint=False):  # all of it commits or rolls back with the caller
        emails = OutgoingEmail.objects.bulk_create(emails)
        deliver_emails.enqueue([email.pk for email in emails])
    return emails


def _preferences(user) -> tuple[str, str]:
    try:
        preferences = user.preferences
    except ObjectDoesNotExist:
        preferences = None
    language = getattr(preferences, "language", "") or settings.LANGUAGE_CODE
    time_zone = getattr(preferences, "time_zone", "") or settings.TIME_ZONE
    return language, time_zone
