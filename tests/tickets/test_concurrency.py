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
