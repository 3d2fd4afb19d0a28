"""The benchmark itself: on a small desk it builds every kind of row and times every figure.

It runs in the suite so that a page, a job or the builder cannot drift out of the benchmark
unnoticed (a page answering 404 or 500, a job raising, a figure left unmeasured), nor a page or
an API address over the query ceiling.
"""

import dataclasses
import json

import pytest

from benchmark import Sizes, build_desk, measure_all, render_table, write_json
from benchmark.measure import PAGE_QUERIES
from benchmark.report import render_comparison
from contracts import usage
from tests.conftest import restore_ready_groups

SMALL = Sizes(tickets=400, accounts=40, contracts=60, ledger=900)
API_FIGURES = [
    "API: ticket list, first page",
    "API: ticket list, filtered (status=open)",
    "API: ticket detail",
    "API: ticket replies (longest conversation)",
    "API: contract list",
    "API: contract detail",
    "API: contract credits",
    "API: contract ledger, first page (longest ledger)",
    "API: contract ledger, next page (its cursor)",
    "API: task list",
    "API: account search (?q=)",
    "API: resolve a ticket (PATCH status, spend)",
    "API: reopen it (PATCH status, refund)",
]


@pytest.mark.django_db(transaction=True)  # the builder ends with VACUUM, outside a transaction
def test_the_benchmark_builds_a_desk_and_times_every_figure(tmp_path):
    restore_ready_groups()
    desk = build_desk(SMALL, log=lambda message: None)
    assert desk.counts["tickets"] == SMALL.tickets
    assert desk.counts["accounts"] == SMALL.accounts
    assert desk.counts["contracts"] == SMALL.contracts
    assert desk.counts["ledger"] > 0 and desk.counts["ticket_history"] >= SMALL.tickets
    assert desk.counts["replies"] > 0 and desk.customer.contact.account == desk.big_account
    # The ledger went in by COPY, around ``CreditEntry.save``: its usage by day was rebuilt.
    assert usage.differences() == {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}

    figures = measure_all(desk, requests=2, log=lambda message: None)

    kinds = {figure.kind for figure in figures}
    assert kinds == {"build", "floor", "page", "api", "operation", "job"}
    assert {f.name for f in figures if f.name.startswith("workflow rules:")} == {
        "workflow rules: a ticket change's added cost (receiver)",
        "workflow rules: the run of one ticket change (30 rules)",
    }
    for figure in figures:
        assert figure.status == 200, (figure.name, figure.status, figure.note)
        assert figure.median_ms is not None, figure.name
    pages = [figure for figure in figures if figure.kind == "page"]
    assert len(pages) == 25
    assert len([figure for figure in pages if "automation/workflow-rules" in figure.url]) == 3
    assert len([figure for figure in pages if figure.url.startswith("/help/")]) == 4
    assert all(figure.queries < PAGE_QUERIES for figure in pages)
    # The floor (a bare Django view of 50 rows, one query), and every list's ratio to it.
    (floor,) = [figure for figure in figures if figure.kind == "floor"]
    assert floor.queries is not None and floor.queries <= 3  # the session, the user, the rows
    lists = [figure for figure in figures if figure.floor_ratio is not None]
    assert {"ticket list, first page (admin)", "contract list", "API: ticket list, first page"} <= {
        figure.name for figure in lists
    }
    assert all(figure.floor_ratio > 0 for figure in lists)
    # The API, with a personal token: every read under the pages' ceiling too.
    api = {figure.name: figure for figure in figures if figure.kind == "api"}
    assert list(api) == API_FIGURES
    reads = [figure for figure in api.values() if figure.url.startswith("/api/v1/")]
    writes = [figure for figure in api.values() if figure.url.startswith("PATCH /api/v1/")]
    assert len(reads) == 11 and len(writes) == 2
    ledger = [figure.url for figure in reads if "/ledger/" in figure.url]
    assert len(ledger) == 2 and "cursor=" in ledger[1], ledger
    over = [(figure.name, figure.queries) for figure in reads if figure.queries >= PAGE_QUERIES]
    assert not over, f"over the ceiling of {PAGE_QUERIES - 1} queries: {over}"
    # A PATCH of the status is over it, by the service's own change (``ticket_update``, the
    # resolve and reopen figures): it may cost no more than reading the ticket (the request's
    # token, throttle and permissions, and the ticket) plus that change.
    operations = {figure.name: figure for figure in figures if figure.kind == "operation"}
    detail = api["API: ticket detail"].queries
    changes = ["resolve a ticket (spend)", "reopen it (refund)"]
    for write, change in zip(writes, changes, strict=True):
        assert write.queries <= detail + operations[change].queries, (write.name, write.queries)
    table = render_table(figures)
    assert all(figure.name in table for figure in figures)
    # ``--compare``: the same figures side by side, with their growth.
    grown = [dataclasses.replace(f, median_ms=f.median_ms and f.median_ms * 2) for f in figures]
    comparison = render_comparison(figures, grown, sizes=(400, 4000))
    assert "4,000 tickets" in comparison and "2.00×" in comparison
    # Every page and API read was timed in turn with the floor, and is judged against it: twice
    # as slow with the floor as slow (the host) is flat; twice as slow alone is not.
    timed = [f for f in figures if f.kind in ("page", "api") and f.url.startswith("/")]
    assert timed and all(f.floor_ms for f in timed), [f.name for f in timed if not f.floor_ms]
    host_slower = [dataclasses.replace(f, floor_ms=f.floor_ms and f.floor_ms * 2) for f in grown]
    rows = render_comparison(figures, host_slower, sizes=(400, 4000)).splitlines()
    page = next(row for row in rows if row.startswith("ticket list, first page (admin)"))
    assert "2.00×" in page and "1.00×" in page and page.rstrip().endswith("yes"), page
    page = next(row for row in rows[2:] if row.startswith("resolve a ticket"))
    assert page.rstrip().endswith("NO"), page  # a write, judged on its own growth
    rows = comparison.splitlines()
    page = next(row for row in rows if row.startswith("ticket list, first page (admin)"))
    assert page.rstrip().endswith("NO"), page

    path = tmp_path / "bench.json"
    write_json(path, runs=[{"sizes": SMALL, "figures": figures, "desk": desk}], requests=2)
    payload = json.loads(path.read_text())
    assert payload["runs"][0]["rows"]["tickets"] == SMALL.tickets
    assert len(payload["runs"][0]["figures"]) == len(figures)
