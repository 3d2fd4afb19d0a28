from django.core.management.base import BaseCommand
from django.utils import timezone

from contracts import notices


class Command(BaseCommand):
    help = "Email contract expiry notices that are due today (safe to run any number of times)."

    def handle(self, *args, **options):
        sent = notices.send_expiry_notices(today=timezone.localdate())
        self.stdout.write(f"Expiry notices sent for {sent} contract(s).")
