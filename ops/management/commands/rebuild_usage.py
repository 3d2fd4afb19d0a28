"""python manage.py rebuild_usage [--check]: recompute the credit ledger's roll-ups from it.

The roll-ups (credits used a day, by contract and by support plan; each contract's balance in its
newest cycle) are kept with every ledger row;
this command is for what went around the application: rows restored or loaded in bulk, a change
of the desk's ``TIME_ZONE`` (the days are the desk's). ``--check`` only compares, and exits with
status 1 where they differ.
"""

from django.core.management.base import BaseCommand, CommandError

from contracts import usage


class Command(BaseCommand):
    help = "Recompute the credit usage by day from the credit ledger (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the roll-ups with the ledger, change nothing, exit 1 if they differ.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            differing = usage.differences()
            for name, count in differing.items():
                self.stdout.write(f"{name}: {count} row(s) differ from the ledger")
            if any(differing.values()):
                raise CommandError("The usage roll-ups differ from the ledger: run rebuild_usage.")
            return
        for name, count in usage.rebuild().items():
            self.stdout.write(f"{name}: {count} row(s) written")
