"""python manage.py loadtest: a Locust load test of signed-in agents against gunicorn (issue 21).

It builds a synthetic desk in a scratch database as ``bench`` does (``test_<name>`` on the
PostgreSQL server of ``DATABASE_URL``; the developer's own database is never touched), or with
``--reuse`` takes the one a ``--keep`` run left. It gives a few of the desk's agents a password of
this run, writes what Locust needs (``benchmark/locustfile.py`` describes the file), collects the
static files (the production storage serves them from their manifest), and starts gunicorn on a
free port of 127.0.0.1 with the production settings (``DEBUG=0``, a ``SECRET_KEY`` of this run,
``ALLOWED_HOSTS=127.0.0.1``) on the scratch database. Then it runs Locust headless for
``--run-time``, reads its statistics and prints, per request kind and in total, the requests,
failures, requests a second and the median and 99th percentile, and the throughput against
``--target``. It exits with status 1 on any failure or a throughput under the target. gunicorn is
always stopped, and the scratch database dropped unless ``--keep``.
"""

import csv
import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.test import override_settings

from benchmark import Sizes, scratch
from benchmark.builder import SUBJECTS, SUBJECTS_ZH
from desk.choices import Status
from desk.models import Department
from tickets.models import Ticket

LOCUSTFILE = Path(__file__).resolve().parents[2] / "locustfile.py"
# Words of the builder's subjects, each in a few percent of the tickets; two in Chinese.
SEARCH_WORDS = ["printer", "invoice", "password", "VPN", "backup", "refund", "打印", "发票"]
DETAIL_SAMPLE = 1000  # tickets of an agent's departments whose pages its users open
OPEN_PER_USER = 50  # open tickets each simulated user has to itself to resolve and reopen
READY_SECONDS = 60  # how long gunicorn may take to answer


def timespan(value: str) -> int:
    """Locust's run time ("90", "60s", "2m", "1h30m") in seconds."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", value.strip())
    if not value.strip() or match is None:
        raise ValueError(value)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError(value)
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Load-test the desk with Locust: signed-in agents against gunicorn on 127.0.0.1 "
        "(production settings) over a scratch database. Needs PostgreSQL (DATABASE_URL)."
    )

    def add_arguments(self, parser):
        Sizes.add_arguments(parser)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Load-test the scratch database a --keep run of bench or loadtest left "
            "instead of building one (the sizes are then ignored; it is dropped at the end "
            "unless --keep).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database after the run."
        )
        parser.add_argument("--users", type=int, default=16, help="Simulated agents (sessions).")
        parser.add_argument(
            "--run-time",
            type=timespan,
            default="60s",
            help="How long Locust runs: 60s, 2m, 1h30m (default 60s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2 * (os.cpu_count() or 1) + 1,
            help="gunicorn workers (default 2 × cores + 1).",
        )
        parser.add_argument(
            "--agents", type=int, default=8, help="Agents the sessions are spread over."
        )
        parser.add_argument(
            "--target", type=float, default=100.0, help="Page views a second to reach."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "loadtest needs PostgreSQL: set DATABASE_URL=postgres://… (gunicorn's workers "
                "write at once, which SQLite serialises)."
            )
        if not os.environ.get("DATABASE_URL"):
            raise CommandError("loadtest needs DATABASE_URL (gunicorn's settings read it).")
        if importlib.util.find_spec("locust") is None:
            raise CommandError(
                "Locust is not installed: `make loadtest` installs it "
                "(.venv/bin/python -m pip install 'locust>=2.32')."
            )
        if options["users"] < 1 or options["agents"] < 1 or options["workers"] < 1:
            raise CommandError("--users, --agents and --workers must be at least 1.")

        old_name = connection.settings_dict["NAME"]
        name = self.open_scratch_database(reuse=options["reuse"])
        problems: list[str] = []
        server = None
        work = tempfile.TemporaryDirectory(prefix="loadtest-")
        try:
            if not options["reuse"]:
                self.build(options)
            desk_file = Path(work.name) / "desk.json"
            self.write_desk(desk_file, users=options["users"], agents=options["agents"])
            env = self.server_environment(name)
            self.collect_static(env)
            port = free_port()
            host = f"http://127.0.0.1:{port}"
            server_log = Path(work.name) / "gunicorn.log"
            server = self.start_server(env, port=port, workers=options["workers"], log=server_log)
            problems = self.run_locust(
                host,
                desk_file=desk_file,
                work=Path(work.name),
                users=options["users"],
                seconds=options["run_time"],
                target=options["target"],
                server_log=server_log,
            )
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            work.cleanup()
            scratch.leave(name, old_name=old_name, keep=options["keep"], log=self.stdout.write)
        if problems:
            raise CommandError("; ".join(problems))

    # -- the scratch database --------------------------------------------------------------------

    def open_scratch_database(self, *, reuse: bool) -> str:
        """Point the connection at the scratch database: the kept one, or a new one (empty)."""
        if not reuse:
            return scratch.create(self.stdout.write)
        old_name = connection.settings_dict["NAME"]
        # The name create_test_db gives it (Django's test database for the configured one).
        name = connection.settings_dict["TEST"].get("NAME") or TEST_DATABASE_PREFIX + old_name
        connection.close()
        connection.settings_dict["NAME"] = name
        try:
            connection.ensure_connection()
        except OperationalError as error:
            connection.settings_dict["NAME"] = old_name
            raise CommandError(
                f"No scratch database {name} to reuse: leave one with "
                "`manage.py bench --keep` or `manage.py loadtest --keep`."
            ) from error
        settings.DATABASES[connection.alias]["NAME"] = name
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Reusing the scratch database {name}.")
        if not Ticket.objects.exists():
            connection.settings_dict["NAME"] = old_name
            raise CommandError(f"The scratch database {name} has no tickets to load-test.")
        return name

    def build(self, options) -> None:
        with override_settings(DEBUG=False):  # no query log kept through the bulk inserts
            scratch.build(Sizes.from_options(options), self.stdout.write)

    def write_desk(self, path: Path, *, users: int, agents: int) -> None:
        """Give ``agents`` of the desk's agents a password of this run, and write the file
        ``benchmark/locustfile.py`` reads: one entry per simulated user, the agents in turn,
        each with tickets of its departments and open tickets of its own."""
        from axes.models import AccessAttempt

        User = get_user_model()
        chosen = list(
            User.objects.filter(groups__name="Agents", is_active=True, departments__isnull=False)
            .exclude(groups__name__in=["Administrators", "Contract managers"])
            .distinct()
            .order_by("pk")[:agents]
        )
        if not chosen:
            raise CommandError("The scratch desk has no agent in a department.")
        password = secrets.token_urlsafe(16)
        User.objects.filter(pk__in=[u.pk for u in chosen]).update(
            password=make_password(password)  # one hash for all: each costs a third of a second
        )
        # Earlier runs' wrong passwords must not lock anyone out (django-axes).
        AccessAttempt.objects.filter(username__in=[u.username for u in chosen]).delete()

        departments = {
            u.pk: list(Department.objects.filter(members=u).values_list("pk", flat=True))
            for u in chosen
        }
        open_by_department = {
            d: list(
                Ticket.objects.filter(department_id=d, status=Status.OPEN)
                .order_by("pk")
                .values_list("pk", flat=True)[: users * OPEN_PER_USER]
            )
            for d in {d for ds in departments.values() for d in ds}
        }
        samples: dict[int, list[int]] = {}
        entries = []
        for i in range(users):
            agent = chosen[i % len(chosen)]
            if agent.pk not in samples:
                ids = Ticket.objects.filter(department_id__in=departments[agent.pk])
                samples[agent.pk] = list(
                    ids.order_by("?").values_list("pk", flat=True)[:DETAIL_SAMPLE]
                )
            own: list[int] = []
            share = max(1, OPEN_PER_USER // max(1, len(departments[agent.pk])))
            for d in departments[agent.pk]:
                own += open_by_department[d][:share]
                del open_by_department[d][:share]
            if not samples[agent.pk]:
                raise CommandError(f"Agent {agent.username} sees no ticket.")
            entries.append(
                {"username": agent.username, "tickets": samples[agent.pk], "open_tickets": own}
            )
        words = [
            word
            for word in SEARCH_WORDS
            if any(word.lower() in subject.lower() for subject in SUBJECTS + SUBJECTS_ZH)
        ]
        path.write_text(json.dumps({"password": password, "search": words, "users": entries}))
        names = sorted({agent.username for agent in chosen[:users]})
        self.stdout.write(f"{users} sessions over {len(names)} agents: {', '.join(names)}")

    # -- gunicorn and Locust ---------------------------------------------------------------------

    def collect_static(self, env) -> None:
        """The production storage renders ``{% static %}`` from the manifest of collected files:
        collect them (``staticfiles/``, as the README's production steps do) unless the manifest
        is newer than every file the finders list. Collecting compresses every file, a minute of
        CPU: not done when nothing changed."""
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if manifest.exists():
            collected = manifest.stat().st_mtime
            sources = (
                os.path.getmtime(storage.path(path))
                for finder in get_finders()
                for path, storage in finder.list(["CVS", ".*", "*~"])
            )
            if all(mtime <= collected for mtime in sources):
                self.stdout.write(f"Static files collected already ({manifest.parent.name}/).")
                return
        self.stdout.write("Collecting static files (production storage, with its manifest)…")
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=False,
        )
        if result.returncode:
            raise CommandError("collectstatic failed.")

    def server_environment(self, name: str) -> dict[str, str]:
        """The production settings (config/settings.py) on the scratch database."""
        url = urlsplit(os.environ["DATABASE_URL"])
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": urlunsplit(url._replace(path=f"/{name}")),
            # Emails go through the task queue, which no worker runs here; none is sent anyway.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }

    def start_server(self, env, *, port: int, workers: int, log: Path) -> subprocess.Popen:
        self.stdout.write(f"Starting gunicorn: {workers} workers on 127.0.0.1:{port}…")
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (503: no task worker runs here)
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                self.show_tail(log, "gunicorn's log")
                if server.poll() is None:
                    server.kill()
                    server.wait()
                raise CommandError("gunicorn did not answer.")
            time.sleep(0.25)
        return server

    def run_locust(
        self, host, *, desk_file, work: Path, users, seconds, target, server_log: Path
    ) -> list[str]:
        """Run Locust, print its figures (and the server's log if a request failed); what went
        wrong (nothing: an empty list)."""
        prefix = work / "loadtest"
        log = work / "locust.log"
        self.stdout.write(f"Running Locust: {users} agents for {seconds} s against {host}…")
        command = [
            sys.executable,
            "-m",
            "locust",
            "--headless",
            "-f",
            str(LOCUSTFILE),
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--only-summary",
            "--csv",
            str(prefix),
        ]
        with log.open("wb") as out:
            try:
                subprocess.run(
                    command,
                    cwd=settings.BASE_DIR,
                    env={**os.environ, "LOADTEST_DESK": str(desk_file)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=seconds + 120,
                    check=False,  # its status is 1 on any failure: the figures say which
                )
            except subprocess.TimeoutExpired:
                self.show_tail(log, "Locust's output")
                return [f"Locust was still running {seconds + 120} s after it started"]
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            self.show_tail(log, "Locust's output")
            self.show_tail(server_log, "gunicorn's log", skip="AXES:")
            return ["Locust wrote no statistics"]
        with stats.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        total = next((row for row in rows if row["Name"] == "Aggregated"), None)
        if total is None or not int(total["Request Count"]):
            self.show_tail(log, "Locust's output")
            return ["no request was made"]
        self.stdout.write("")
        self.stdout.write(self.table([r for r in rows if r is not total] + [total]))
        self.show_failures(Path(f"{prefix}_failures.csv"), Path(f"{prefix}_exceptions.csv"))
        throughput = float(total["Requests/s"])
        failures = int(total["Failure Count"])
        self.stdout.write("")
        if hasattr(os, "getloadavg"):
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            self.stdout.write(f"{os.cpu_count()} CPUs, load average {load} at the end.")
        self.stdout.write(
            f"throughput: {throughput:.1f} page views/s (target {target:g}), failures: {failures}"
        )
        problems = []
        if failures:
            self.show_tail(server_log, "gunicorn's log", skip="AXES:")
            problems.append(f"{failures} failed requests")
        if throughput < target:
            problems.append(f"throughput {throughput:.1f} page views/s under {target:g}")
        return problems

    @staticmethod
    def table(rows) -> str:
        header = ["request", "requests", "failures", "req/s", "p50 ms", "p99 ms"]
        lines = [
            [
                "total" if row["Name"] == "Aggregated" else row["Name"],
                row["Request Count"],
                row["Failure Count"],
                f"{float(row['Requests/s']):.1f}",
                row["50%"],
                row["99%"],
            ]
            for row in rows
        ]
        widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(6)]

        def render(cells):
            first = str(cells[0]).ljust(widths[0])
            rest = [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            return "  ".join([first, *rest])

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([render(header), rule, *map(render, lines[:-1]), rule, render(lines[-1])])

    def show_failures(self, failures: Path, exceptions: Path) -> None:
        """Locust's failures by request kind and error, and exceptions in the locustfile."""
        if failures.exists():
            with failures.open(newline="", encoding="utf-8") as f:
                for row in list(csv.DictReader(f))[:10]:
                    self.stdout.write(
                        f"  {row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}"
                    )
        if exceptions.exists():
            with exceptions.open(newline="", encoding="utf-8") as f:
                for row in list(csv.DictReader(f))[:5]:
                    self.stdout.write(f"  {row['Count']}× exception: {row['Message']}")
                    self.stdout.write(row["Traceback"])

    def show_tail(self, path: Path, what: str, lines: int = 30, skip: str | None = None) -> None:
        """The last ``lines`` of a log, without those starting with ``skip``."""
        if not path.exists():
            return
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        tail = [line for line in text if not (skip and line.startswith(skip))][-lines:]
        if tail:
            self.stderr.write(f"The end of {what}:")
            self.stderr.write("\n".join(tail))
