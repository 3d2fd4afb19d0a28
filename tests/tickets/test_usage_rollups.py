"""Credit usage kept by day (issue 21): every spend and refund adds to its contract's and its
plan's day in the ledger row's transaction, the days are the desk's, a rebuild recomputes them
from the ledger, and the usage pages read them."""

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from contracts import credits, usage
from contracts.models import ContractUsageDay, CreditEntry, PlanUsageDay
from contracts.selectors import plan_credit_usage
from tests import factories as f
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def set_status(ticket, status):
    return ticket_update(by=f.desk_admin(), ticket=ticket, status=status)


def used(model, **owner):
    """The owner's usage by day (a plan's stripes added up)."""
    days: dict = {}
    for row in model.objects.filter(**owner):
        days[row.day] = days.get(row.day, 0) + row.used
    return days


def test_a_resolve_adds_a_day_of_use_and_a_reopen_takes_it_back(contract, open_ticket):
    today = usage.ContractUsageDay.day_of(timezone.now())
    ticket = open_ticket()
    set_status(ticket, "resolved")
    assert used(ContractUsageDay, contract=contract) == {today: 1}
    assert used(PlanUsageDay, plan=contract.support_plan) == {today: 1}
    set_status(ticket, "open")
    assert used(ContractUsageDay, contract=contract) == {today: 0}
    assert used(PlanUsageDay, plan=contract.support_plan) == {today: 0}
    assert usage.differences() == {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}


def test_adjustments_are_not_usage(contract):
    credits.adjust(by=f.desk_admin(), contract=contract, delta=5, reason="Goodwill")
    assert not ContractUsageDay.objects.exists()
    assert not PlanUsageDay.objects.exists()


def test_the_plan_adds_up_all_its_contracts(contract, open_ticket, account, administrator):
    second = f.ContractFactory(
        account=f.AccountFactory(),
        support_plan=contract.support_plan,
        owner=administrator,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )
    set_status(open_ticket(), "resolved")
    set_status(open_ticket(), "resolved")
    set_status(open_ticket(account=second.account, contract=second), "resolved")
    today = ContractUsageDay.day_of(timezone.now())
    assert used(ContractUsageDay, contract=contract) == {today: 2}
    assert used(ContractUsageDay, contract=second) == {today: 1}
    assert used(PlanUsageDay, plan=contract.support_plan) == {today: 3}


def test_a_ledger_row_that_is_rolled_back_leaves_no_usage(contract, open_ticket):
    ticket = open_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        set_status(ticket, "resolved")
        raise RuntimeError("the request failed after the spend")
    assert not CreditEntry.objects.exists()
    assert not ContractUsageDay.objects.exists()
    assert not PlanUsageDay.objects.exists()


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_the_days_are_the_desks(contract, open_ticket):
    """Resolved at 20:00 UTC: the next day in Shanghai, whatever the agent's own time zone."""
    ticket = open_ticket()
    late = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)
    CreditEntry.objects.create(
        contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1, created_at=late
    )
    with timezone.override("America/New_York"):
        assert used(PlanUsageDay, plan=contract.support_plan) == {datetime.date(2026, 3, 11): 1}
        march = plan_credit_usage(
            plan=contract.support_plan,
            start=datetime.date(2026, 3, 11),
            end=datetime.date(2026, 3, 11),
            grouping="week",
        )
    assert march.total == 1


def test_many_changes_on_many_days_keep_the_roll_ups_equal_to_the_ledger(
    contract, open_ticket, administrator
):
    """Spends, refunds and adjustments in a random order over three weeks, on two contracts of
    the plan and one of another plan: the roll-ups always add up to the ledger."""
    rng = random.Random(21)
    other_plan = f.SupportPlanFactory(
        department=contract.support_plan.department, ticket_based=True, credit_limit=50
    )
    contracts = [contract] + [
        f.ContractFactory(
            account=contract.account,
            support_plan=plan,
            owner=administrator,
            start_date=contract.start_date,
            end_date=contract.end_date,
        )
        for plan in (contract.support_plan, other_plan)
    ]
    tickets = [(open_ticket(), rng.choice(contracts)) for _ in range(12)]
    seq = dict.fromkeys((t.pk for t, _c in tickets), 0)
    now = timezone.now()
    for step in range(60):
        at = now - datetime.timedelta(hours=9 * (60 - step))
        ticket, on = rng.choice(tickets)
        if rng.random() < 0.2:
            CreditEntry.objects.create(
                contract=on, kind="adjustment", delta=2, reason="Goodwill", created_at=at
            )
            continue
        kind = "spend" if seq[ticket.pk] % 2 == 0 else "refund"
        CreditEntry.objects.create(
            contract=on,
            ticket=ticket,
            ticket_seq=seq[ticket.pk],
            kind=kind,
            delta=-1 if kind == "spend" else 1,
            created_at=at,
        )
        seq[ticket.pk] += 1
    assert ContractUsageDay.objects.values("day").distinct().count() > 5
    assert usage.differences() == {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}
    plan_total = sum(used(PlanUsageDay, plan=contract.support_plan).values())
    spent = CreditEntry.objects.filter(contract__in=contracts[:2]).exclude(kind="adjustment")
    assert plan_total == sum(-e.delta for e in spent) > 0


def test_rebuild_puts_back_what_went_around_the_application(contract, open_ticket):
    for _ in range(2):
        set_status(open_ticket(), "resolved")
    before = used(PlanUsageDay, plan=contract.support_plan)
    PlanUsageDay.objects.all().delete()
    ContractUsageDay.objects.update(used=7)
    assert usage.differences() == {"contractusageday": 1, "planusageday": 1, "cyclebalance": 0}
    with pytest.raises(CommandError, match="rebuild_usage"):
        call_command("rebuild_usage", "--check")
    call_command("rebuild_usage")
    assert usage.differences() == {"contractusageday": 0, "planusageday": 0, "cyclebalance": 0}
    assert used(PlanUsageDay, plan=contract.support_plan) == before
    call_command("rebuild_usage", "--check")  # agrees now: no error


def test_the_plan_overview_reads_the_roll_ups(contract, open_ticket, admin_client):
    set_status(open_ticket(), "resolved")
    ContractUsageDay.objects.update(used=5)  # not the ledger's figure: the page reads the days
    PlanUsageDay.objects.update(used=5)
    today = timezone.localdate()
    result = plan_credit_usage(plan=contract.support_plan, start=today, end=today, grouping="month")
    assert result.total == 5
    mine = plan_credit_usage(
        plan=contract.support_plan,
        start=today,
        end=today,
        grouping="month",
        account=contract.account,
    )
    assert mine.total == 5
    nobody = plan_credit_usage(
        plan=contract.support_plan,
        start=today,
        end=today,
        grouping="month",
        account=f.AccountFactory(),
    )
    assert nobody.total == 0
