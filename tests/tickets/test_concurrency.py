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


ROUNDS = 20


def test_a_back_office_save_racing_a_resolve_keeps_both(contract, open_ticket, agent):
    """Issue 13: an administrator saved a ticket's subject in the back office while an agent
    resolved it; in 24 of 120 rounds the ticket ended Open, still holding its credit. Now the save
    changes only the subject, under the ticket's lock: every round ends resolved, with the new
    subject and exactly one credit spent."""
    from django.contrib.auth.models import Permission

    from tests.conftest import signed_in
    from tickets.models import Ticket

    contract.support_plan.__class__.objects.filter(pk=contract.support_plan_id).update(
        credit_limit=ROUNDS
    )
    clerk = f.UserFactory(
        username="clerk", is_staff=True, departments=[contract.support_plan.department]
    )
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_ticket", "change_ticket", "add_ticket"])
    )
    back_office = signed_in(clerk)
    for n in range(ROUNDS):
        ticket = open_ticket(subject=f"Round {n}")
        assert race(back_office, agent, ticket, subject=f"Round {n}, renamed") == [302]
        ticket = Ticket.objects.get(pk=ticket.pk)
        assert (ticket.subject, ticket.status) == (f"Round {n}, renamed", "resolved")
        assert credits.holds_credit(ticket)
        assert CreditEntry.objects.filter(ticket=ticket).count() == 1
    assert credits.summary_for(contract).used == ROUNDS


def race(back_office, agent, ticket, *, subject) -> list[int]:
    """The back office saves ``subject`` on the form it opened while the agent resolves."""
    from tests.conftest import opened_form

    url = f"/admin/tickets/ticket/{ticket.pk}/change/"
    form = {**opened_form(back_office, url), "subject": subject}
    answers = []

    def save():
        answers.append(back_office.post(url, form).status_code)

    def resolve():
        ticket_update(by=agent, ticket=ticket, status="resolved")

    assert run_together(save, resolve) == []
    return answers


def test_a_customer_reopening_while_an_agent_closes_holds_at_most_one_credit(
    contract, open_ticket, account
):
    """Issue 17: a customer's reply reopens a resolved ticket (refunding its credit) while an
    agent closes it. Both lock the ticket first: either the reply comes first (reopened,
    refunded, then closed: spent again) or the close does (the reply is refused: closed). Every
    round ends closed, holding exactly one credit, with the reply saved only if it came first."""
    from django.core.exceptions import ValidationError

    from customers.models import Contact
    from tickets.conversation import TICKET_CLOSED, reply_add
    from tickets.models import Reply

    rounds = 10
    contract.support_plan.__class__.objects.filter(pk=contract.support_plan_id).update(
        credit_limit=rounds
    )
    contact = f.ContactFactory(account=account, email="mei@amber.example")
    mei = f.UserFactory(username="mei", email=contact.email)
    Contact.objects.filter(pk=contact.pk).update(user=mei)
    outcomes = set()  # both orders happen over the rounds
    for n in range(rounds):
        ticket = open_ticket(subject=f"Round {n}", contact=contact)
        ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")

        errors = run_together(
            lambda ticket=ticket: reply_add(by=mei, ticket=ticket, body="Broken again."),
            lambda ticket=ticket: ticket_update(by=f.desk_admin(), ticket=ticket, status="closed"),
        )

        ticket.refresh_from_db()
        ledger = list(CreditEntry.objects.filter(ticket=ticket).order_by("ticket_seq"))
        assert ticket.status == "closed"
        assert credits.holds_credit(ticket) and sum(e.delta for e in ledger) == -1
        if Reply.objects.filter(ticket=ticket).exists():
            assert errors == []
            assert [e.kind for e in ledger] == ["spend", "refund", "spend"]
            assert ledger[1].created_by == mei
            outcomes.add("reply first")
        else:
            assert [type(e) for e in errors] == [ValidationError]
            assert errors[0].messages == [str(TICKET_CLOSED)]
            assert [e.kind for e in ledger] == ["spend"]
            outcomes.add("close first")
    assert credits.summary_for(contract).used == rounds


def test_resolves_under_many_contracts_of_one_plan_at_once_all_count_in_its_usage(
    contract, open_ticket
):
    """Eight contracts of one plan, one ticket each, resolved at the same moment: every spend is
    in the plan's usage of the day (its stripes added up) and in its contract's."""
    from contracts import usage
    from contracts.models import PlanUsageDay

    siblings = [contract] + [
        f.ContractFactory(
            account=contract.account,
            support_plan=contract.support_plan,
            start_date=contract.start_date,
            end_date=contract.end_date,
            product_name=f"Product {n}",
        )
        for n in range(THREADS - 1)
    ]
    tickets = [open_ticket(subject=f"Ticket {n}", contract=c) for n, c in enumerate(siblings)]

    assert run_together(*[resolve(t) for t in tickets]) == []

    days = PlanUsageDay.objects.filter(plan=contract.support_plan)
    assert sum(days.values_list("used", flat=True)) == THREADS
    assert usage.differences() == {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}
