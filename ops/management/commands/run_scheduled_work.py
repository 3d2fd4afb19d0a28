"""The cron job: SLA escalations, contract expiry notices, the hourly time-based rules, and the
API's kept answers and request counts forgotten after a day. Safe to run every minute, on several
machines at once.

Every step is idempotent: an escalation level fires once per ticket and due time (a unique row
records it), an expiry notice is queued once per contract and end date, a time-based rule is
evaluated once an hour (the hour is claimed) and fires once per ticket and episode (a unique
row); their emails, and the time-based rules' actions, are queued in the transaction that
records them and done by the task workers (``db_worker``).

Each step runs even if the other fails, and within a step one record that cannot be worked (an
SLA or contract saved before today's bounds) is logged and skipped; the command then exits with
status 1, so that cron reports it.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api import idempotency, throttling
from automation import timed
from contracts import notices
from tickets import escalations

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Fire due SLA escalations, queue due contract expiry notices, run the hourly "
        "time-based rules and forget the API's answers older than 24 hours (run every minute)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        steps = {
            "escalation(s) fired": lambda: escalations.run(now=now),
            "expiry notice(s) sent": lambda: notices.send_expiry_notices(
                today=timezone.localdate(now)
            ),
            "time-based rule firing(s) queued": lambda: timed.run(now=now),
            "API answer(s) forgotten": lambda: idempotency.forget_old_answers(now),
            "API request count(s) forgotten": lambda: throttling.forget_old_counts(now.timestamp()),
        }
        report, failed = [], []
        for label, step in steps.items():
            try:
                report.append(f"{step()} {label}")
            except Exception:
                logger.exception("Scheduled work: %s: the step failed", label)
                failed.append(label)
        self.stdout.write("; ".join(report) + ".")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)} (see the log)")
