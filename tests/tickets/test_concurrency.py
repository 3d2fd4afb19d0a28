"""Many agents resolving tickets of one contract at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from contracts import credits
from contracts.models import CreditEntry
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import restore_ready_groups
from tickets.services import ticket_update

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _groups(transactional_db):
    """The agent acts through the Agents group, which an earlier transactional test flushed; the
    back-office actor exists before any thread would create it."""
    restore_ready_groups()
    f.desk_admin()


def resolve(ticket):
    return lambda: ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")


def test_concurrent_resolves_spend_exactly_one_credit_per_ticket(contract, open_ticket):
    contract.support_plan.__class__.objects.filter(pk=contract.support_plan_id).update(
        credit_limit=20
    )
    tickets = [open_ticket(subject=f"Ticket {n}") for n in range(THREADS)]

    assert run_together(*[resolve(t) for t in tickets]) == []

    for ticket in tickets:
        assert CreditEntry.objects.filter(ticket=ticket, kind="spend").count() == 1
    contract.refresh_from_db()
    assert credits.summary_for(contract).left == 20 - THREADS


def test_the_same_ticket_resolved_twice_at_once_holds_one_credit(contract, open_ticket):
    ticket = open_ticket()
    assert run_together(*[resolve(ticket)] * 4) == []
    assert CreditEntry.objects.filter(ticket=ticket).count() == 1
    assert credits.summary_for(contract).left == 2


@pytest.mark.parametrize("holder", ["resolve", "create"])
def test_a_contract_is_locked_alone(contract, open_ticket, holder):
    """While a resolve or a new ticket holds its contract's row, a resolve and a new ticket under
    another contract of the same plan go ahead without waiting: neither the plan's row nor the
    SLA's is locked with it."""
    from django.db import transaction

    sibling = f.ContractFactory(
        account=contract.account,
        support_plan=contract.support_plan,
        start_date=contract.start_date,
        end_date=contract.end_date,
        product_name="Other product",
    )
    held, other = open_ticket(contract=contract), open_ticket(contract=sibling)
    holding, release = threading.Event(), threading.Event()
    finished = []

    def hold():
        with transaction.atomic():
            if holder == "resolve":
                ticket_update(by=f.desk_admin(), ticket=held, status="resolved")
            else:
                open_ticket(subject="Held", contract=contract)
            holding.set()
            release.wait(timeout=10)

    def meanwhile():
        holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on a lock fails the test
        ticket_update(by=f.desk_admin(), ticket=other, status="resolved")
        open_ticket(subject="New one", contract=sibling)
        finished.append(True)
        release.set()

    errors = run_together(hold, meanwhile)
    release.set()
    assert errors == []
    assert finished == [True]
    assert CreditEntry.objects.filter(ticket=other, kind="spend").count() == 1
