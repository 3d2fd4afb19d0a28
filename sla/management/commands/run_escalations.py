from django.core.management.base import BaseCommand
from django.utils import timezone

from sla import escalations


class Command(BaseCommand):
    help = "Fire the SLA escalation levels that are due (safe to run every minute)."

    def handle(self, *args, **options):
        fired = escalations.run(now=timezone.now())
        self.stdout.write(f"{fired} escalation(s) fired.")
