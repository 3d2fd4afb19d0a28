"""Time every page, the REST API, the credit spend/refund and the scheduled work on the built desk.

Server time is measured around ``django.test.Client`` requests (URL resolution, middleware, view,
queries, template rendering; no network). Each page gets a warm-up request, then ``requests``
timed requests; its query count comes from one more request under ``CaptureQueriesContext``.

The REST API's reads and a write (``API: …``) are timed the same way, with a personal token of the
desk's administrator (``Authorization: Bearer``, no session), the throttle lifted and its counts
cleared (see ``measure_api``). They meet the pages' target and query ceiling.
"""

import datetime
import importlib
import json
import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode, urlsplit

from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import tokens
from api.pagination import NewestFirst
from benchmark import floor
from contracts.models import Contract, CreditEntry
from desk.choices import Status
from plans.models import SupportPlan
from tickets.models import Reply, Ticket
from tickets.services import ticket_update

PAGE_MS = 50
OVERVIEW_MS = 100
# The ticket and contract pages read their tasks and the rules fired on them: a query each,
# however many (issue 18), so 16 at most.
PAGE_QUERIES = 17
STATUS_CHANGE_MS = 10
SCHEDULED_S = 5
BUILD_S = 180
TARGETS = {
    "page_median_ms": PAGE_MS,
    "page_queries": PAGE_QUERIES,
    "overview_median_ms": OVERVIEW_MS,
    "status_change_median_ms": STATUS_CHANGE_MS,
    "scheduled_work_s": SCHEDULED_S,
    "build_s": BUILD_S,
}
API = "/api/v1/"
FLOOR_NAME = "floor: a bare Django view of 50 rows"
# The API's throttle (``settings.API_RATE``, 600 a minute a token by default) lifted for the run.
API_RATE = "1000000/minute"
# The scheduled command's two jobs, timed if their modules exist yet.
MINUTE, HOUR = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)
SCHEDULED_JOBS = [
    # label, module, function, its argument, when it runs next and what that run is, target
    ("escalations", "tickets.escalations", "run", "now", MINUTE, "a steady-state minute", 5),
    ("expiry notices", "contracts.notices", "send_expiry_notices", "today", MINUTE, "", 5),
    # 30 time-based rules a department, evaluated once an hour (issue 19).
    ("time-based rules", "automation.timed", "run", "now", HOUR, "the next hour", 10),
]
# A run after cron stopped for a while: the rules' sweep then spans the gap.
GAP_RUNS = {"time-based rules": (3 * HOUR, "three hours later (two hours missed)")}


@dataclass
class Figure:
    name: str
    kind: str  # page, api, operation, job, build, floor
    url: str = ""
    status: int | str = ""
    samples: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    sql_ms: float | None = None  # time spent in SQL during the counted request
    target_ms: float | None = None
    target_queries: int | None = None
    passed: bool | None = None
    note: str = ""
    slowest_sql: list = field(default_factory=list)
    # The floor's median (``benchmark.floor``) over the requests timed in turn with this
    # figure's (every page and API read), and a list page's median over it: the ratio the
    # issue's 2× target is about. The comparison of two desks divides by the floor too, so that
    # a host running faster or slower while one desk is timed moves both alike.
    floor_ms: float | None = None
    floor_ratio: float | None = None

    def record(self, samples_ms: list[float], captured, *, digits: int = 1) -> "Figure":
        """The timings taken and the queries of one more run of the same work, judged."""
        self.status = self.status or 200
        self.samples = len(samples_ms)
        self.median_ms = round(statistics.median(samples_ms), digits)
        self.p95_ms = round(_p95(samples_ms), digits)
        self.queries = len(captured.captured_queries)
        self.sql_ms = _sql_ms(captured)
        self.slowest_sql = _slowest(captured)
        return self.judge()

    def judge(self):
        if self.median_ms is None:
            self.passed = None
            return self
        ok = self.target_ms is None or self.median_ms < self.target_ms
        if self.target_queries is not None and self.queries is not None:
            ok = ok and self.queries < self.target_queries
        self.passed = ok
        return self

    def as_dict(self):
        return asdict(self)


def _p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _sql_ms(captured):
    return round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1)


def _slowest(captured, n=3):
    rows = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    return [{"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:600]} for q in rows[:n]]


def time_page(
    client, name, url, *, requests, target_ms=PAGE_MS, kind="page", floor_client=None
) -> Figure:
    """``requests`` timed requests of ``url``, each after one of the floor's (``floor_client``)
    if given; a list page's ratio to the floor is the ratio of the two medians: a host whose
    speed wanders over the run moves both alike."""
    figure = Figure(name=name, kind=kind, url=url, target_ms=target_ms, target_queries=PAGE_QUERIES)
    try:
        response = client.get(url)  # warm-up
    except Exception as error:  # a page that crashes is a figure too, not the end of the run
        figure.status, figure.note = "error", f"{type(error).__name__}: {error}"[:300]
        return figure
    figure.status = response.status_code
    if response.status_code != 200:
        figure.note = "page not built yet" if response.status_code == 404 else ""
        return figure
    samples, floor_samples = [], []
    for _ in range(requests):
        if floor_client is not None:
            started = time.perf_counter()
            floor_client.get(floor.URL)
            floor_samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    if floor_samples:
        figure.floor_ms = round(statistics.median(floor_samples), 1)
        if is_list(figure):
            ratio = statistics.median(samples) / statistics.median(floor_samples)
            figure.floor_ratio = round(ratio, 2)
    return figure.record(samples, captured)


def _samples(desk):
    """The records the pages show: the busiest ticket, contract, account and plan of the desk."""
    busiest = (
        CreditEntry.objects.filter(
            ticket__isnull=False,
            contract__support_plan__plan_type=SupportPlan.PlanType.TICKET_BASED,
            contract__support_plan__department__contracts_enabled=True,
        )
        .values("ticket")
        .annotate(n=Count("pk"))
        .order_by("-n", "ticket")
        .first()
    )
    ticket = Ticket.objects.select_related("contract").get(pk=busiest["ticket"])
    plan_id = (
        Contract.objects.filter(support_plan__department__contracts_enabled=True)
        .values("support_plan")
        .annotate(n=Count("pk"))
        .order_by("-n", "support_plan")
        .first()["support_plan"]
    )
    return ticket, plan_id


def _search(q: str) -> str:
    return f"/search/?{urlencode({'q': q})}"


def measure_pages(desk, *, requests, floor_client=None) -> list[Figure]:
    admin, agent = Client(), Client()
    admin.force_login(desk.administrator)
    agent.force_login(desk.agent)
    ticket, plan_id = _samples(desk)
    today = timezone.localdate()
    year_ago = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    overview = (
        f"/settings/automation/support-plans/{plan_id}/"
        f"?start={year_ago:%Y-%m-%d}&end={today:%Y-%m-%d}&group=month"
    )
    # Page 1000 of 50 rows on the full desk; the last page on a smaller one.
    deep = max(1, min(1000, Ticket.objects.count() // 50))
    pages = [
        ("home page (agent)", agent, "/", PAGE_MS),
        ("ticket list, first page (admin)", admin, "/tickets/", PAGE_MS),
        ("ticket list, first page (agent)", agent, "/tickets/", PAGE_MS),
        ("ticket list, filtered (status=open)", admin, "/tickets/?status=open", PAGE_MS),
        ("ticket list, assigned to me (agent)", agent, "/tickets/?assignee=me", PAGE_MS),
        (f"ticket list, deep page (page={deep})", admin, f"/tickets/?page={deep}", PAGE_MS),
        ("ticket detail with contract panel", admin, f"/tickets/{ticket.pk}/", PAGE_MS),
        ("account detail", admin, f"/customers/{ticket.account_id}/", PAGE_MS),
        ("contract list", admin, "/contracts/", PAGE_MS),
        ("contract detail", admin, f"/contracts/{ticket.contract_id}/", PAGE_MS),
        ("support plan list", admin, "/settings/automation/support-plans/", PAGE_MS),
        ("support plan overview (a year by month)", admin, overview, OVERVIEW_MS),
        ("SLA list", admin, "/settings/automation/slas/", PAGE_MS),
        # The top bar's search (issue 16): a word in half of the tickets' descriptions, part of
        # a Chinese subject, and nothing found (see ``builder.SUBJECTS``).
        ("search, a word in half the desk (admin)", admin, _search("customer"), PAGE_MS),
        ("search, part of a Chinese word (agent)", agent, _search("打印"), PAGE_MS),
        ("search, nothing found (agent)", agent, _search("zebra quantum"), PAGE_MS),
    ]
    pages += help_centre_pages(desk, year_ago=year_ago, today=today)
    pages += automation_pages(desk, admin=admin, agent=agent)
    return [
        time_page(client, name, url, requests=requests, target_ms=target, floor_client=floor_client)
        for name, client, url, target in pages
    ]


def help_centre_pages(desk, *, year_ago, today) -> list:
    """The help centre's pages (issue 17) for the customer of the desk's large account, its
    administrator (who sees every ticket of the account): home, the ticket-based contract's page
    with a year's usage by month, the ticket list and the ticket with the longest conversation."""
    customer = Client()
    customer.force_login(desk.customer)
    account = desk.big_account
    contract = (
        Contract.objects.active_on(today)
        .filter(account=account, support_plan__plan_type=SupportPlan.PlanType.TICKET_BASED)
        .order_by("pk")
        .first()
    )
    ticket = (
        Ticket.objects.filter(account=account)
        .annotate(n=Count("replies"))
        .order_by("-n", "pk")
        .first()
    )
    usage = f"?start={year_ago:%Y-%m-%d}&end={today:%Y-%m-%d}&group=month"
    return [
        ("help centre home (customer of a large account)", customer, "/help/", PAGE_MS),
        (
            "help centre contract (a year by month)",
            customer,
            f"/help/contracts/{contract.pk}/{usage}",
            OVERVIEW_MS,
        ),
        ("help centre ticket list (account administrator)", customer, "/help/tickets/", PAGE_MS),
        (
            "help centre ticket page (long conversation)",
            customer,
            f"/help/tickets/{ticket.pk}/",
            PAGE_MS,
        ),
    ]


def automation_pages(desk, *, admin, agent) -> list:
    """Settings > Automation's rule pages (issue 18) with 30 rules a department, the rule with
    the longest log, *Test against…* a ticket, and the agent's tasks."""
    if desk.rule is None:
        return []
    rule = desk.rule
    ticket = Ticket.objects.filter(department_id=rule.department_id).order_by("pk").first()
    base = "/settings/automation/workflow-rules/"
    return [
        ("workflow rules (30 a department)", admin, base, PAGE_MS),
        ("workflow rule with its log", admin, f"{base}{rule.pk}/", PAGE_MS),
        (
            "workflow rule, test against a ticket",
            admin,
            f"{base}{rule.pk}/?record={ticket.pk}",
            PAGE_MS,
        ),
        ("email templates", admin, "/settings/automation/email-templates/", PAGE_MS),
        ("my tasks (agent)", agent, "/tasks/", PAGE_MS),
    ]


def api_client(user) -> Client:
    """A client sending a new personal token of ``user``, as an integration would: no session."""
    _token, secret = tokens.token_create(by=user, name="Benchmark")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _local(url: str | None) -> str | None:
    """A ``next`` link (absolute, ``http://testserver/…``) as the test client's path."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def measure_api(desk, *, requests, floor_client=None) -> list[Figure]:
    """The REST API's pages (SPEC section 12) with the administrator's personal token, the same
    records as the pages' figures: the ticket and contract of the busiest ticket, the longest
    conversation, the longest ledger (its first page, then the page its ``next`` cursor points
    to), and a write: a ticket's status set to resolved and back by PATCH.

    The throttle is the API's (one upsert of the token's count a request, counted in the
    figures), its rate lifted so that it never answers 429."""
    with override_settings(API_RATE=API_RATE):
        client = api_client(desk.administrator)
        ticket, _plan_id = _samples(desk)
        conversation = (
            Reply.objects.values("ticket").annotate(n=Count("pk")).order_by("-n", "ticket").first()
        )
        replied = conversation["ticket"] if conversation else ticket.pk
        longest = (
            CreditEntry.objects.filter(contract__support_plan__department__contracts_enabled=True)
            .values("contract")
            .annotate(n=Count("pk"))
            .order_by("-n", "contract")
            .first()
        )
        ledger = f"{API}contracts/{longest['contract']}/ledger/"
        if longest["n"] <= NewestFirst.page_size:  # a small desk: two pages of half the ledger
            ledger += f"?{urlencode({'page_size': max(1, longest['n'] // 2)})}"
        first = client.get(ledger)
        after = _local(first.json().get("next")) if first.status_code == 200 else None
        pages = [
            ("API: ticket list, first page", f"{API}tickets/"),
            ("API: ticket list, filtered (status=open)", f"{API}tickets/?status=open"),
            ("API: ticket detail", f"{API}tickets/{ticket.pk}/"),
            ("API: ticket replies (longest conversation)", f"{API}tickets/{replied}/replies/"),
            ("API: contract list", f"{API}contracts/"),
            ("API: contract detail", f"{API}contracts/{ticket.contract_id}/"),
            ("API: contract credits", f"{API}contracts/{ticket.contract_id}/credits/"),
            ("API: contract ledger, first page (longest ledger)", ledger),
            ("API: contract ledger, next page (its cursor)", after),
            ("API: task list", f"{API}tasks/"),
            # "Account 00…": a thousand accounts at either size, the oldest (the builder numbers
            # them as it makes them); every account of a test's small desk.
            ("API: account search (?q=)", f"{API}accounts/?{urlencode({'q': 'Account 00'})}"),
        ]
        figures = []
        for name, url in pages:
            if url is None:
                figure = Figure(name=name, kind="api", target_ms=PAGE_MS)
                figure.target_queries, figure.status = PAGE_QUERIES, "missing"
                figure.note = "the first page has no next cursor"
                figures.append(figure)
                continue
            figures.append(
                time_page(
                    client, name, url, requests=requests, kind="api", floor_client=floor_client
                )
            )
        figures += measure_api_status_changes(client, requests=requests)
    return figures


def measure_api_status_changes(client, *, requests) -> list[Figure]:
    """``PATCH /api/v1/tickets/{id}/ {"status": "resolved"}``, then back to open: the pages'
    resolve and reopen (a credit spend, then a refund) through the API, on open tickets of
    ticket-based contracts, each a request of its own, timed whole like a page."""
    candidates = list(
        Ticket.objects.filter(
            status=Status.OPEN,
            sla_exemption="",
            contract__support_plan__plan_type=SupportPlan.PlanType.TICKET_BASED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: requests + 2]
    )
    ops = (
        ("resolve", Status.RESOLVED, "API: resolve a ticket (PATCH status, spend)"),
        ("reopen", Status.OPEN, "API: reopen it (PATCH status, refund)"),
    )
    timings: dict[str, list[float]] = {op: [] for op, _status, _label in ops}
    captures: dict = {}
    failures: dict[str, str] = {}
    for i, pk in enumerate(candidates):
        url = f"{API}tickets/{pk}/"
        for op, status, _label in ops:
            body = json.dumps({"status": status.value})
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.patch(url, body, content_type="application/json")
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                failures.setdefault(op, f"{response.status_code}: {response.content[:200]!r}")
            if i >= 2:  # the first two are the warm-up
                timings[op].append(elapsed)
                captures[op] = captured
    figures = []
    for op, _status, label in ops:
        url = f"PATCH {API}tickets/{{id}}/"
        figure = Figure(
            name=label, kind="api", url=url, target_ms=PAGE_MS, target_queries=PAGE_QUERIES
        )
        values = timings[op]
        if op in failures:
            figure.status, figure.note = "error", failures[op][:300]
        elif values:
            figure.record(values, captures[op])
        else:
            figure.note = "no open ticket under a ticket-based contract"
        figures.append(figure)
    return figures


def measure_rule_runs(desk, *, requests) -> list[Figure]:
    """What the workflow rules cost a change: the receiver, inside the change's transaction (does
    a rule listen? known from the department's rules version; queue the run), and the run in the
    worker: 30 rules of the department, those listening to an edit evaluated against the ticket,
    its contract and credits."""
    from automation import engine, receivers

    if desk.rule is None:
        return []
    tickets = list(
        Ticket.objects.filter(department_id=desk.rule.department_id, contract__isnull=False)
        .select_related("department", "contract__support_plan")  # as the ticket's lock reads it
        .order_by("pk")[: requests + 2]
    )
    figures = []
    # The receiver runs inside the person's change (its target: a status change's); the run is
    # the worker's, after the commit (its target: a page's).
    steps = {
        "workflow rules: a ticket change's added cost (receiver)": lambda t: receivers.queue_rules(
            Ticket, record=t, by=desk.administrator, changed=frozenset({"status"})
        ),
        "workflow rules: the run of one ticket change (30 rules)": lambda t: engine.run(
            engine.Event(
                module="tickets",
                record_id=t.pk,
                department_id=t.department_id,
                changed=["status"],
            )
        ),
    }
    targets = [STATUS_CHANGE_MS, PAGE_MS]
    for (label, step), target in zip(steps.items(), targets, strict=True):
        timings, captured = [], None
        for i, ticket in enumerate(tickets):
            with CaptureQueriesContext(connection) as capture:
                started = time.perf_counter()
                step(ticket)
                elapsed = (time.perf_counter() - started) * 1000
            if i >= 2:
                timings.append(elapsed)
                # Criteria read what they need, so a ticket's queries depend on its data:
                # the figure keeps the run that needed most, the bound to compare.
                if captured is None or len(capture) > len(captured):
                    captured = capture
        figure = Figure(name=label, kind="operation", target_ms=target)
        if timings and captured is not None:
            figure.record(timings, captured, digits=2)
        figures.append(figure.judge())
    return figures


def measure_status_changes(desk, *, requests) -> list[Figure]:
    """Resolve then reopen open tickets of ticket-based contracts: a credit spend, then a refund,
    each through the one door, ``ticket_update``, by the desk's administrator (who works in every
    department)."""
    candidates = list(
        Ticket.objects.filter(
            status=Status.OPEN,
            sla_exemption="",
            contract__support_plan__plan_type=SupportPlan.PlanType.TICKET_BASED,
        ).order_by("pk")[: requests + 2]
    )
    figures = []
    timings = {"resolve": [], "reopen": []}
    captures: dict = {}
    for i, ticket in enumerate(candidates):
        for op, status in (("resolve", Status.RESOLVED), ("reopen", Status.OPEN)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                ticket_update(by=desk.administrator, ticket=ticket, status=status)
                elapsed = (time.perf_counter() - started) * 1000
            if i >= 2:  # the first two are the warm-up
                timings[op].append(elapsed)
                captures[op] = captured
    for op, label in (("resolve", "resolve a ticket (spend)"), ("reopen", "reopen it (refund)")):
        values = timings[op]
        figure = Figure(name=label, kind="operation", target_ms=STATUS_CHANGE_MS)
        if values:
            figure.record(values, captures[op], digits=2)
        else:
            figure.note = "no open ticket under a ticket-based contract"
        figures.append(figure.judge())
    return figures


def measure_scheduled_work() -> list[Figure]:
    """Each job twice. The backlog run comes first: the desk's escalations have fired up to an
    hour ago (see ``builder.ESCALATED_BEFORE``), so it fires the last hour's, and sends every
    expiry notice due; the time-based rules are new (never swept), so it reads every ticket and
    fires their backlog. The next run, a minute later, is the steady-state minute cron runs
    after (the next hour for the time-based rules), and ``GAP_RUNS`` one after a gap."""
    figures = []
    for label, module_name, function_name, kwarg, step, next_run, target_s in SCHEDULED_JOBS:
        try:
            job = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError):
            figure = Figure(name=f"scheduled: {label}", kind="job", target_ms=SCHEDULED_S * 1000)
            figure.url = f"{module_name}.{function_name}"
            figure.status, figure.note = "missing", "function not written yet"
            figures.append(figure)
            continue
        now = timezone.now()
        runs = [
            ("backlog run (first)", now),
            (f"next run ({next_run or 'a steady-state minute'})", now + step),
        ]
        if label in GAP_RUNS:
            gap, gap_label = GAP_RUNS[label]
            runs.append((f"next run ({gap_label})", now + step + gap))
        for run, at in runs:
            figure = Figure(
                name=f"scheduled: {label}, {run}", kind="job", target_ms=target_s * 1000
            )
            figure.url = f"{module_name}.{function_name}"
            value = at if kwarg == "now" else timezone.localdate(at)
            try:
                # A log full from the run before (9,000 queries) would capture nothing.
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = job(**{kwarg: value})
                    elapsed = (time.perf_counter() - started) * 1000
            except Exception as error:
                figure.status, figure.note = "error", f"{type(error).__name__}: {error}"[:300]
                figures.append(figure)
                break
            if isinstance(result, int):
                figure.note = f"{result} done"
            figures.append(figure.record([elapsed], captured))
            if label == "time-based rules":
                figures.append(measure_time_rule_acts(run))
    return figures


def measure_time_rule_acts(run: str) -> Figure:
    """What the task workers do after a time-based run: the actions of the firings it queued
    (``timed.act``), timed here in one process, as one worker would do them."""
    from automation import timed
    from automation.models import Firing

    figure = Figure(name=f"scheduled: time-based rules, {run}: the workers' acts", kind="job")
    figure.url = "automation.timed.act"
    queued = list(
        Firing.objects.filter(outcome=Firing.Outcome.QUEUED).order_by("pk").values_list("pk")
    )
    statements = []  # counted, not captured: thousands of firings overflow the query log

    def count(execute, sql, params, many, context):
        statements.append(None)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        done = timed.act([pk for (pk,) in queued])
        elapsed = (time.perf_counter() - started) * 1000
    figure.status, figure.samples, figure.queries = 200, 1, len(statements)
    figure.median_ms = figure.p95_ms = round(elapsed, 1)
    figure.note = f"{done} done, one worker"
    return figure.judge()


def measure_floor(client, *, requests) -> Figure:
    """The bare Django view of ``benchmark.floor`` (50 rows, one query), as ``client`` (the
    administrator), on its own: the table's row (each page is timed in turn with the floor,
    ``time_page``)."""
    figure = time_page(client, FLOOR_NAME, floor.URL, requests=requests, kind="floor")
    figure.target_queries = figure.target_ms = None  # a yardstick, not a page: no target
    figure.passed = None
    return figure


def is_list(figure: Figure) -> bool:
    """The pages the floor is a yardstick for: lists of rows and the search."""
    return figure.kind in ("page", "api") and (
        " list" in figure.name or figure.name.startswith("search")
    )


def measure_all(desk, *, requests=30, log=print) -> list[Figure]:
    floor_client = Client()
    floor_client.force_login(desk.administrator)
    # The floor's address beside the desk's, for the lists' turns with it.
    with override_settings(ROOT_URLCONF="benchmark.floor"):
        log("Timing the floor (a bare Django view of 50 rows)…")
        floor_figure = measure_floor(floor_client, requests=requests)
        log("Timing pages, each in turn with the floor…")
        figures = measure_pages(desk, requests=requests, floor_client=floor_client)
        log("Timing the API…")
        figures += measure_api(desk, requests=requests, floor_client=floor_client)
    log("Timing resolve and reopen…")
    figures += measure_status_changes(desk, requests=requests)
    log("Timing the workflow rules of a change…")
    figures += measure_rule_runs(desk, requests=requests)
    log("Timing the scheduled work…")
    figures += measure_scheduled_work()
    build = Figure(
        name="build the data set",
        kind="build",
        status=200,
        samples=1,
        median_ms=desk.seconds * 1000,
        target_ms=BUILD_S * 1000,
    )
    return [build.judge(), floor_figure, *figures]
