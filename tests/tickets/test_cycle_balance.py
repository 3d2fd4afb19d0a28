"""Each contract's balance in its newest cycle, kept with the ledger (issue 21): the home page's
"out of credits this cycle" reads the few contracts used up, and it agrees with the ledger
through resolves, reopens, adjustments, a plan's new limit, old cycles and a rebuild."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts import credits, usage
from contracts.models import CreditEntry, CycleBalance
from contracts.selectors import contracts_at_credit_limit
from plans.services import plan_update
from tests import factories as f
from tests.conftest import signed_in
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db

AGREE = {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}


def out_of_credits(user) -> int:
    """The home page's figure, as the user reads it."""
    response = signed_in(user).get(reverse("home"))
    assert response.status_code == 200
    return response.context["at_limit"]


def resolve(ticket):
    return ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")


def reopen(ticket):
    return ticket_update(by=f.desk_admin(), ticket=ticket, status="open")


def test_the_last_credit_spent_counts_the_contract_and_a_reopen_uncounts_it(
    contract, open_ticket, administrator
):
    tickets = [open_ticket() for _ in range(3)]
    for ticket in tickets[:2]:
        resolve(ticket)
    assert out_of_credits(administrator) == 0
    resolve(tickets[2])  # the plan's 3 credits a month are used up
    assert out_of_credits(administrator) == 1
    kept = CycleBalance.objects.get(contract=contract)
    cycle = credits.cycle_for(contract)
    assert (kept.cycle_start, kept.cycle_end, kept.balance) == (cycle.start, cycle.end, -3)
    assert kept.used_up_until == cycle.end
    reopen(tickets[0])
    assert out_of_credits(administrator) == 0
    assert usage.differences() == AGREE


def test_an_adjustment_gives_the_cycle_credits_again(contract, open_ticket, administrator):
    for ticket in [open_ticket() for _ in range(3)]:
        resolve(ticket)
    credits.adjust(by=administrator, contract=contract, delta=1, reason="Goodwill")
    assert out_of_credits(administrator) == 0
    credits.adjust(by=administrator, contract=contract, delta=-1, reason="Taken back")
    assert out_of_credits(administrator) == 1
    assert usage.differences() == AGREE


def test_a_plans_new_limit_reaches_its_contracts(contract, open_ticket, administrator):
    for ticket in [open_ticket() for _ in range(3)]:
        resolve(ticket)
    plan = contract.support_plan
    plan_update(by=administrator, plan=plan, credit_limit=5)
    assert out_of_credits(administrator) == 0
    assert usage.differences() == AGREE
    plan_update(by=administrator, plan=plan, credit_limit=2)
    assert out_of_credits(administrator) == 1
    assert usage.differences() == AGREE


def test_an_entry_of_an_older_cycle_leaves_the_newest_one(contract, administrator):
    cycle = credits.cycle_for(contract)
    older_end = cycle.start - datetime.timedelta(days=1)
    older_start = older_end - datetime.timedelta(days=30)
    credits.adjust(by=administrator, contract=contract, delta=-3, reason="Used elsewhere")
    CreditEntry.objects.create(
        contract=contract,
        kind="adjustment",
        delta=4,
        reason="Late goodwill",
        cycle_start=older_start,
        cycle_end=older_end,
    )
    kept = CycleBalance.objects.get(contract=contract)
    assert (kept.cycle_start, kept.balance, kept.used_up_until) == (cycle.start, -3, cycle.end)
    assert out_of_credits(administrator) == 1
    assert usage.differences() == AGREE


def test_a_used_up_cycle_that_ended_counts_no_more(contract, administrator):
    cycle = credits.cycle_for(contract)
    ended = cycle.start - datetime.timedelta(days=1)
    CreditEntry.objects.create(
        contract=contract,
        kind="adjustment",
        delta=-3,
        reason="Used elsewhere",
        cycle_start=ended - datetime.timedelta(days=30),
        cycle_end=ended,
    )
    assert CycleBalance.objects.get(contract=contract).used_up_until == ended
    assert out_of_credits(administrator) == 0
    # The next entry, in today's cycle, starts the balance again.
    credits.adjust(by=administrator, contract=contract, delta=-1, reason="Used elsewhere")
    kept = CycleBalance.objects.get(contract=contract)
    assert (kept.cycle_start, kept.balance, kept.used_up_until) == (cycle.start, -1, None)
    assert usage.differences() == AGREE


def test_a_rebuild_puts_back_a_balance_that_went_around_the_application(contract, open_ticket):
    for ticket in [open_ticket() for _ in range(3)]:
        resolve(ticket)
    CycleBalance.objects.update(balance=0, used_up_until=None)
    assert usage.differences() == {**AGREE, "cyclebalance": 1}
    call_command("rebuild_usage")
    assert usage.differences() == AGREE
    assert CycleBalance.objects.get(contract=contract).balance == -3


def test_the_figure_stops_counting_at_its_cap(monkeypatch, limited_plan, administrator):
    from tickets import selectors

    today = timezone.localdate()
    for _ in range(3):
        contract = f.ContractFactory(support_plan=limited_plan, start_date=today)
        credits.adjust(by=administrator, contract=contract, delta=-3, reason="Used elsewhere")
    assert contracts_at_credit_limit(administrator, today, cap=1) == 2
    monkeypatch.setattr(selectors, "HOME_COUNT_CAP", 1)
    html = signed_in(administrator).get(reverse("home")).content.decode()
    assert '<p class="display-6 mb-1">1+</p>' in html[html.index('id="home-at-limit"') :]
