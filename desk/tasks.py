"""Deferred work, run by the task workers (``manage.py db_worker``)."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# A failed delivery is tried again after 1, 2, 4, … minutes, at most an hour apart, 24 times in
# all (about a day of outage); then it waits in the back office (Outgoing emails) to be sent again.
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 24


class DeliveryFailed(Exception):
    """The mail server did not take the message; another attempt is queued (or none is left)."""


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failure (1, 2, …)."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


@task()
def deliver_emails(email_ids: list[int]) -> str:
    """Hand the queued emails ``email_ids`` to the mail server, each once.

    Each email is sent in a transaction of its own that locks its row (``SKIP LOCKED``: another
    worker holding it is sending it) and marks it sent once the mail server took it. The ones
    that failed are queued again, together, after a back-off; then this task fails, so that the
    worker's log and the task's result show why.
    """
    sent, failed = 0, []
    for email_id in email_ids:
        outcome = _deliver(email_id)
        if outcome is True:
            sent += 1
        elif isinstance(outcome, OutgoingEmail):
            failed.append(outcome)
    retry = [email for email in failed if email.attempts < MAX_ATTEMPTS]
    if retry:
        run_after = timezone.now() + retry_delay(min(email.attempts for email in retry))
        deliver_emails.using(run_after=run_after).enqueue([email.pk for email in retry])
    if failed:
        reasons = "; ".join(f"{e.to} (attempt {e.attempts}): {e.last_error}" for e in failed)
        raise DeliveryFailed(f"{len(failed)} of {len(email_ids)} email(s) not sent: {reasons}")
    return f"{sent} sent"


def _deliver(email_id: int) -> OutgoingEmail | bool | None:
    """True once sent; the email (with its error recorded) if the mail server refused it; None if
    it was sent already or another worker holds it."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        except Exception as error:  # noqa: BLE001 - any failure of the mail server is retried
            email.last_error = f"{type(error).__name__}: {error}"[:1000]
            email.save(update_fields=["attempts", "last_error"])
            logger.warning("Email %s to %s not sent: %s", email.pk, email.to, email.last_error)
            return email
        email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "sent_at"])
        return True
