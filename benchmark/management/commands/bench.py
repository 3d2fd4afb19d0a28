"""python manage.py bench: build a synthetic desk in a scratch database and time every page.

The scratch database is Django's test database for the configured one (``test_<name>`` on
PostgreSQL, ``bench.sqlite3`` beside the project on SQLite): it is created and migrated here,
and dropped at the end unless ``--keep``. The developer's own database is never touched.

``--compare N`` times the desk at its sizes, then at N times them (tickets, accounts, contracts
and ledger rows), in the same run on the same machine, and prints each figure side by side with
its growth ratio and query counts (issue 21: flat is within 1.2× and the same queries).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import override_settings

from benchmark import Sizes, measure_all, render_table, scratch, write_json
from benchmark.report import render_comparison


class Command(BaseCommand):
    help = "Build a large synthetic desk in a scratch database and time every page."

    def add_arguments(self, parser):
        Sizes.add_arguments(parser)
        parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
        parser.add_argument(
            "--compare",
            type=int,
            metavar="N",
            help="Also build a desk N times as large and print the growth of every figure.",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the (last) scratch database after the run."
        )
        parser.add_argument("--json", default="bench-results.json", help="Where to write figures.")

    def handle(self, *args, **options):
        sizes = Sizes.from_options(options)
        requests = max(1, options["requests"])
        runs = [sizes]
        if options["compare"]:
            factor = options["compare"]
            runs.append(sizes.times(factor))
        if connection.vendor == "sqlite":
            test = connection.settings_dict.setdefault("TEST", {})
            if not test.get("NAME"):
                test["NAME"] = str(settings.BASE_DIR / "bench.sqlite3")
        # What the test runner's environment gives the test client (its host name, an outbox),
        # without its template instrumentation: that copies every rendered template's context
        # for the client to inspect, a quarter of a list page's time that no server spends.
        environment = override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        environment.enable()
        try:
            results = []
            for n, run in enumerate(runs):
                keep = options["keep"] and n == len(runs) - 1
                results.append(self.run(run, requests=requests, keep=keep))
            for run, (figures, _desk) in zip(runs, results, strict=True):
                self.stdout.write(f"\n{run.tickets:,} tickets:\n")
                self.stdout.write(render_table(figures))
            if len(results) == 2:
                self.stdout.write("\nGrowth:\n")
                self.stdout.write(
                    render_comparison(
                        results[0][0], results[1][0], sizes=(runs[0].tickets, runs[1].tickets)
                    )
                )
            if hasattr(os, "getloadavg"):
                load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
                self.stdout.write(f"\n{os.cpu_count()} CPUs, load average {load} at the end.")
            write_json(
                options["json"],
                runs=[
                    {"sizes": run, "figures": figures, "desk": desk}
                    for run, (figures, desk) in zip(runs, results, strict=True)
                ],
                requests=requests,
            )
            self.stdout.write(f"\nFigures written to {options['json']}.")
        finally:
            environment.disable()

    def run(self, sizes: Sizes, *, requests: int, keep: bool):
        """Build a desk of ``sizes`` in a new scratch database and time it; drop it unless
        ``keep``."""
        old_name = connection.settings_dict["NAME"]
        name = scratch.create(self.stdout.write)
        try:
            desk = scratch.build(sizes, self.stdout.write)
            return measure_all(desk, requests=requests, log=self.stdout.write), desk
        finally:
            scratch.leave(name, old_name=old_name, keep=keep, log=self.stdout.write)
