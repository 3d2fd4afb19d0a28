"""Reads filtered by values far from the average are planned for their own values on
PostgreSQL (``desk.planning``), whatever plan the prepared statement keeps for the average."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.planning import for_their_values
from tests import factories as f
from tests.conftest import signed_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_inside_planned_for_their_values_and_after_as_before():
    with for_their_values():
        assert plan_cache_mode() == "force_custom_plan"
    assert plan_cache_mode() == "auto"


def test_a_list_page_and_the_search_read_their_rows_planned_for_their_values(department):
    agent = f.AgentFactory(departments=[department])
    f.TicketFactory.create_batch(3, department=department, subject="Printer offline")
    client = signed_in(agent)
    for url in (reverse("tickets:ticket_list"), reverse("search") + "?q=printer"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = [q["sql"] for q in queries]
        switch = next(i for i, s in enumerate(sql) if "plan_cache_mode" in s)
        reads = [i for i, s in enumerate(sql) if 'FROM "tickets_ticket"' in s]
        assert reads and all(i > switch for i in reads), url


def test_a_list_reads_its_page_by_id_alone_in_a_plan_kept_for_every_page(department):
    """The ids go through the walls and filters, planned for their values; the rows are then
    read by id alone, outside that transaction: one plan PostgreSQL keeps (planning them anew
    took four times as long as reading them)."""
    agent = f.AgentFactory(departments=[department])
    f.TicketFactory.create_batch(3, department=department, subject="Printer offline")
    client = signed_in(agent)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tickets:ticket_list") + "?status=open").status_code == 200
    sql = [q["sql"] for q in queries]
    ids = next(i for i, s in enumerate(sql) if s.startswith('SELECT "tickets_ticket"."id" AS'))
    rows = next(i for i, s in enumerate(sql) if s.startswith('SELECT "tickets_ticket"."id", '))
    assert "desk_department_members" in sql[ids] and "status" in sql[ids].split("WHERE")[1]
    where = sql[rows].split("WHERE")[1]
    assert "desk_department_members" not in sql[rows] and "status" not in where
    assert "COMMIT" in sql[ids:rows] or "RELEASE SAVEPOINT" in " ".join(sql[ids:rows])
