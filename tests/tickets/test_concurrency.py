"""Many agents resolving tickets of one contract at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from contracts import credits
from contracts.models import CreditEntry
from tickets.services import ticket_change_status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_together(work, items):
    barrier = threading.Barrier(len(items))
    errors = []

    def run(item):
        try:
            barrier.wait()
            work(item)
        except Exception as error:  # reported below, so a failure is never lost in a thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_concurrent_resolves_spend_exactly_one_credit_per_ticket(contract, open_ticket):
    contract.support_plan.__class__.objects.filter(pk=contract.support_plan_id).update(
        credit_limit=20
    )
    tickets = [open_ticket(subject=f"Ticket {n}") for n in range(THREADS)]

    run_together(lambda t: ticket_change_status(ticket=t, status="resolved"), tickets)

    for ticket in tickets:
        assert CreditEntry.objects.filter(ticket=ticket, kind="spend").count() == 1
    contract.refresh_from_db()
    assert credits.summary_for(contract).left == 20 - THREADS


def test_the_same_ticket_resolved_twice_at_once_holds_one_credit(contract, open_ticket):
    ticket = open_ticket()
    run_together(lambda t: ticket_change_status(ticket=t, status="resolved"), [ticket] * 4)
    assert CreditEntry.objects.filter(ticket=ticket).count() == 1
    assert credits.summary_for(contract).left == 2


@pytest.mark.parametrize("holder", ["resolve", "create"])
def test_a_contract_is_locked_alone(contract, open_ticket, holder):
    """While a resolve or a new ticket holds its contract's row, a resolve and a new ticket under
    another contract of the same plan go ahead without waiting: neither the plan's row nor the
    SLA's is locked with it."""
    from django.db import transaction

    from tests import factories as f

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
                ticket_change_status(ticket=held, status="resolved")
            else:
                open_ticket(subject="Held", contract=contract)
            holding.set()
            release.wait(timeout=10)

    def meanwhile():
        holding.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on a lock fails the test
        ticket_change_status(ticket=other, status="resolved")
        open_ticket(subject="New one", contract=sibling)
        finished.append(True)
        release.set()

    errors = []

    def recorded(fn):
        def run():
            try:
                fn()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=recorded(fn)) for fn in (hold, meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    release.set()
    assert not errors, errors
    assert finished == [True]
    assert CreditEntry.objects.filter(ticket=other, kind="spend").count() == 1
