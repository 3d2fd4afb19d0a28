"""python manage.py bench: build a synthetic desk in a scratch database and time every page.

The scratch database is Django's test database for the configured one (``test_<name>`` on
PostgreSQL, ``bench.sqlite3`` beside the project on SQLite): it is created and migrated here,
and dropped at the end unless ``--keep``. The developer's own database is never touched.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from benchmark import Sizes, build_desk, measure_all, render_table, write_json


class Command(BaseCommand):
    help = "Build a large synthetic desk in a scratch database and time every page."

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--tickets", type=int, default=defaults.tickets)
        parser.add_argument("--accounts", type=int, default=defaults.accounts)
        parser.add_argument("--contracts", type=int, default=defaults.contracts)
        parser.add_argument("--ledger", type=int, default=defaults.ledger)
        parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database after the run."
        )
        parser.add_argument("--json", default="bench-results.json", help="Where to write figures.")

    def handle(self, *args, **options):
        sizes = Sizes(
            tickets=options["tickets"],
            accounts=options["accounts"],
            contracts=options["contracts"],
            ledger=options["ledger"],
        )
        requests = max(1, options["requests"])
        if connection.vendor == "sqlite":
            test = connection.settings_dict.setdefault("TEST", {})
            if not test.get("NAME"):
                test["NAME"] = str(settings.BASE_DIR / "bench.sqlite3")
        setup_test_environment(debug=False)
        old_name = connection.settings_dict["NAME"]
        started = time.perf_counter()
        self.stdout.write("Creating and migrating the scratch database…")
        # keepdb=False: a leftover scratch database from an earlier --keep run is replaced.
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        self.stdout.write(f"  {name} ready in {time.perf_counter() - started:.1f} s")
        try:
            self.stdout.write(
                f"Building {sizes.tickets:,} tickets, {sizes.accounts:,} accounts, "
                f"{sizes.contracts:,} contracts, {sizes.ledger:,} ledger rows…"
            )
            desk = build_desk(sizes, log=self.stdout.write)
            self.stdout.write(f"  built in {desk.seconds:.1f} s: {desk.counts}")
            figures = measure_all(desk, requests=requests, log=self.stdout.write)
            self.stdout.write("")
            self.stdout.write(render_table(figures))
            if hasattr(os, "getloadavg"):
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                self.stdout.write(f"\n{os.cpu_count()} CPUs, load average {load} at the end.")
            write_json(options["json"], figures=figures, desk=desk, sizes=sizes, requests=requests)
            self.stdout.write(f"\nFigures written to {options['json']}.")
        finally:
            if options["keep"]:
                self.stdout.write(f"Scratch database kept: {name}")
                connection.settings_dict["NAME"] = old_name
            else:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
