"""The cron job: SLA escalations and contract expiry notices. Safe to run every minute.

Both steps are idempotent: an escalation level fires once per ticket and due time (a unique row
records it), an expiry notice is sent once per contract and end date; emails leave only after the
transaction that records them commits.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts import notices
from tickets import escalations


class Command(BaseCommand):
    help = "Fire due SLA escalations and send due contract expiry notices (run every minute)."

    def handle(self, *args, **options):
        now = timezone.now()
        fired = escalations.run(now=now)
        sent = notices.send_expiry_notices(today=timezone.localdate(now))
        self.stdout.write(f"{fired} escalation(s) fired; {sent} expiry notice(s) sent.")
